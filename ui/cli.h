/* cli.h: the command line: which command, which folder, which options. */
#ifndef UI_CLI_H
#define UI_CLI_H

#include "config.h"

enum cli_command { CLI_TUI, CLI_INVENTORY, CLI_REPORT, CLI_COMPARE, CLI_HELP, CLI_VERSION };

struct cli {
    enum cli_command command;
    const char *root;      /* DIR, default "." */
    const char *compare_b; /* compare: the second run folder (the first is `root`) */
    int json;              /* inventory and compare --json */
    int runs;              /* report --runs, default 1 */
    const char *profile;   /* --profile */
    int stream;            /* report --stream */
    const char *theme;
    const char *config;
    const char *host;
    const char *model;
    const char *api;
    const char *out;
    int no_color;
    struct gen_options opts; /* --num-gpu and friends, checked like the config file's */
};

/* Parse argv. 0, or -1 with `err` set (a usage error: exit status 2). */
int cli_parse(struct cli *c, int argc, char **argv, struct err *err);
void cli_usage(FILE *out);

#endif
