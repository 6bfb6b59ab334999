/* main.c: chimera's entry point: parse the command line, pick the command, run it. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "cli.h"
#include "cli_compare.h"
#include "cli_inventory.h"
#include "cli_report.h"
#include "http.h"

static void main_options(const struct cli *cli, struct app_options *o)
{
    o->root = cli->root;
    o->theme = cli->theme;
    o->config = cli->config;
    o->host = cli->host;
    o->model = cli->model;
    o->api = cli->api;
    o->out = cli->out;
    o->profile = cli->profile;
    o->no_color = cli->no_color;
    o->opts = cli->opts;
}

int main(int argc, char **argv)
{
    struct cli cli;
    struct app_options opts = {0};
    struct err err;
    int rc;

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
    case CLI_COMPARE:
        return cli_compare(cli.root, cli.compare_b, cli.json);
    case CLI_REPORT:
    case CLI_TUI:
        break;
    }
    if (http_global_init(&err) < 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        return 1;
    }
    main_options(&cli, &opts);
    if (cli.command == CLI_REPORT)
        rc = cli_report(&opts, cli.runs, cli.stream);
    else
        rc = app_run(&opts);
    http_global_cleanup();
    return rc;
}
