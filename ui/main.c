/* main.c: chimera's entry point: parse the command line, pick the command, run it. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "cli.h"
#include "cli_inventory.h"

int main(int argc, char **argv)
{
    struct cli cli;
    struct err err;

    /* characters from the environment's locale; numbers always with a '.' */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    err_clear(&err);
    if (cli_parse(&cli, argc, argv, &err) < 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        fputs("Try 'chimera --help'.\n", stderr);
        return 2;
    }
    switch (cli.command) {
    case CLI_HELP:
        cli_usage(stdout);
        return 0;
    case CLI_VERSION:
        printf("chimera %s\n", CHIMERA_VERSION);
        return 0;
    case CLI_INVENTORY:
        return cli_inventory(cli.root, cli.json);
    case CLI_TUI:
        break;
    }
    {
        struct app_options opts = {
            .root = cli.root,
            .theme = cli.theme,
            .config = cli.config,
            .host = cli.host,
            .model = cli.model,
            .no_color = cli.no_color,
        };

        return app_run(&opts);
    }
}
