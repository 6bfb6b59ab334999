/* settings.c: config file, environment and command line, in that order. */
#include "settings.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "xmem.h"

void settings_merge_options(struct gen_options *base, const struct gen_options *over)
{
    if (over->has_num_gpu) {
        base->has_num_gpu = 1;
        base->num_gpu = over->num_gpu;
    }
    if (over->has_num_ctx) {
        base->has_num_ctx = 1;
        base->num_ctx = over->num_ctx;
    }
    if (over->has_temperature) {
        base->has_temperature = 1;
        base->temperature = over->temperature;
    }
    if (over->has_top_p) {
        base->has_top_p = 1;
        base->top_p = over->top_p;
    }
    if (over->has_top_k) {
        base->has_top_k = 1;
        base->top_k = over->top_k;
    }
    if (over->has_repeat_penalty) {
        base->has_repeat_penalty = 1;
        base->repeat_penalty = over->repeat_penalty;
    }
    if (over->has_seed) {
        base->has_seed = 1;
        base->seed = over->seed;
    }
}

static void settings_replace(char **slot, const char *value)
{
    if (value == NULL)
        return;
    free(*slot);
    *slot = xstrdup(value);
}

int settings_load(struct config *cfg, const struct app_options *o, struct host *host,
                  char **profile, struct gen_options *opts, struct err *err)
{
    char path[PATH_MAX];
    const struct profile *p;

    if (o->config != NULL) {
        if (config_load(cfg, o->config, 0, err) < 0)
            return 2;
    } else if (config_default_path(path, sizeof path) != NULL) {
        if (config_load(cfg, path, 1, err) < 0)
            return 2;
    }
    settings_replace(&cfg->host, o->host);
    settings_replace(&cfg->model, o->model);
    settings_replace(&cfg->api, o->api);
    settings_replace(&cfg->out, o->out);
    if (host_resolve(cfg->host, host, err) < 0)
        return 2;
    p = config_profile(cfg, o->profile != NULL ? o->profile : cfg->profile);
    if (p == NULL) {
        char names[200] = "";

        for (size_t i = 0; i < cfg->nprofiles; i++) {
            strncat(names, cfg->profiles[i].name, sizeof names - strlen(names) - 3);
            if (i + 1 < cfg->nprofiles)
                strncat(names, ", ", sizeof names - strlen(names) - 1);
        }
        err_set(err, 0, "no profile named '%s' (profiles: %s)",
                o->profile != NULL ? o->profile : cfg->profile, names);
        return 2;
    }
    *profile = xstrdup(p->name);
    *opts = p->opts;
    settings_merge_options(opts, &o->opts);
    return 0;
}
