/* settings.h: what a run uses, resolved once the same way for the TUI and `chimera
 * report`: built-in defaults, then the config file (--config, else the default path),
 * then the environment (OLLAMA_HOST, already read by config_init), then the command line. */
#ifndef UI_SETTINGS_H
#define UI_SETTINGS_H

#include "config.h"
#include "host.h"

struct app_options;

/* Load the config and apply the command line in `o` to it: host, model, api, out,
 * profile, generation options. `profile` gets the profile's name and `opts` its options
 * with the command line's on top. 0, or 2 (a usage error) with `err` set: a bad config
 * file, an unknown profile, a host chimera cannot use. */
int settings_load(struct config *cfg, const struct app_options *o, struct host *host,
                  char **profile, struct gen_options *opts, struct err *err);

/* Options given in `over` (by their flags) replace those in `base`. */
void settings_merge_options(struct gen_options *base, const struct gen_options *over);

#endif
