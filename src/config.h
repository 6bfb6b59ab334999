/* config.h: settings from built-in defaults, the config file (read with inih), the
 * environment and the command line, in that order of precedence (last wins).
 *
 * File: $XDG_CONFIG_HOME/chimera/config, else ~/.config/chimera/config. Simple
 * `key = value` lines, '#' or ';' comments, and sections:
 *
 *     host = http://127.0.0.1:11434
 *     model = gemma3:latest
 *     api = ollama               # or ollama-chat (/api/chat), openai
 *     theme = dark
 *     out = /srv/bench/runs       # where runs are saved (default DIR/chimera-runs)
 *     stall_timeout = 300         # seconds without a byte before a request is ended
 *     profile = chimera           # the default profile
 *     sort = name                 # name, mtime or size
 *     follow = page               # the report pane follows the stream by pages, or line
 *
 *     [profile fast]
 *     persona = collector         # a persona name
 *     num_gpu = 80
 *     num_ctx = 512
 *     temperature = 1
 *
 *     [persona terse]
 *     label = Terse Agent
 *     prompt = You are ...
 *       continuation lines are indented
 *
 * Built in: profiles "baseline" (Ollama defaults) and "chimera" (num_gpu 80, num_ctx 512,
 * temperature 1), both with persona "collector"; personas "collector" (Chimera Agent A,
 * DataCollector-9000) and "insight" (Chimera Agent B, InsightAgent). A file section with
 * a built-in name replaces that profile's or persona's given keys.
 * An API key is never read from the file: only CHIMERA_API_KEY, never written or shown.
 *
 * Other defaults: model gemma3:latest, api ollama, theme dark, profile chimera,
 * stall_timeout 300, sort name, follow page, host OLLAMA_HOST or http://127.0.0.1:11434.
 *
 * File rules (inih underneath):
 * - '#' or ';' starts a comment line; after a value, " ;" starts a comment, and so does
 *   " #" except in a persona's label and prompt (Markdown prompts use '#').
 * - An indented line continues the value above it; only `prompt` may continue. The
 *   lines are joined with "\n", blank lines between them are kept, and an indented
 *   line starting with '#' or ';' is a comment. A line may hold at most 197 characters
 *   (inih's line buffer): longer ones are an error, never cut silently.
 * - Names of profiles and personas: 1 to 40 of [A-Za-z0-9._-]. A new profile has
 *   persona "collector" until it says otherwise; a new persona needs a prompt and is
 *   labelled with its name unless it has a label.
 * - A key set twice in one section, an unknown key or section, a bad value, a profile
 *   or persona name that does not exist (checked after the whole file), and api_key are
 *   errors. `out = ~/x` expands ~ with HOME. OLLAMA_HOST, when set, beats `host`.
 *
 * Generation options (the keys of a [profile] section) and their ranges: see genopts.h. */
#ifndef SRC_CONFIG_H
#define SRC_CONFIG_H

#include <stddef.h>

#include "attrs.h"
#include "err.h"
#include "genopts.h" /* struct gen_options, enum sort_key */

struct persona {
    char *name;   /* "collector" */
    char *label;  /* "Chimera Agent A" */
    char *prompt; /* the persona prompt, several lines */
};

struct profile {
    char *name;    /* "chimera" */
    char *persona; /* persona name */
    struct gen_options opts;
};

struct config {
    char *host;          /* as given; resolve with host_resolve() */
    char *model;
    char *api;           /* "ollama" or "openai" */
    char *theme;
    char *out;           /* NULL: DIR/chimera-runs */
    char *profile;       /* default profile name */
    int stall_timeout_s;
    enum sort_key sort;
    int follow_lines;    /* follow = line: scroll one row at a time (default: by pages) */
    struct profile *profiles;
    size_t nprofiles;
    struct persona *personas;
    size_t npersonas;
    char *source;        /* the file read, or NULL */
};

/* Built-in defaults (host from OLLAMA_HOST when set). */
void config_init(struct config *c);
void config_fini(struct config *c);
/* Read a config file over the current settings. A missing file is not an error when
 * `optional` is set (the default path); a syntax error, an unknown key or a bad value
 * is, naming the file (as given) and line: "config:12: unknown key 'modle'". On error
 * `c` is left exactly as it was. The file may hold at most 1 MiB. */
int config_load(struct config *c, const char *path, int optional, struct err *err) ATTR_WUR;
/* Default config path into buf; returns buf, or NULL when neither XDG_CONFIG_HOME nor
 * HOME is set (or buf is too small). A relative XDG_CONFIG_HOME is ignored, as the XDG
 * spec says. */
const char *config_default_path(char *buf, size_t cap);

const struct profile *config_profile(const struct config *c, const char *name);
const struct persona *config_persona(const struct config *c, const char *name);

#endif
