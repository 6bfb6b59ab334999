/* cli.c: command-line parsing (getopt_long; options may follow the folder). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "llm.h"

enum {
    OPT_HOST = 256,
    OPT_MODEL,
    OPT_API,
    OPT_THEME,
    OPT_CONFIG,
    OPT_OUT,
    OPT_JSON,
    OPT_NO_COLOR,
    OPT_NUM_GPU,
    OPT_NUM_CTX,
    OPT_TEMPERATURE,
    OPT_TOP_P,
    OPT_TOP_K,
    OPT_REPEAT_PENALTY,
    OPT_SEED,
    OPT_RUNS,
    OPT_PROFILE,
    OPT_STREAM
};

static const struct option cli_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"host", required_argument, NULL, OPT_HOST},
    {"model", required_argument, NULL, OPT_MODEL},
    {"api", required_argument, NULL, OPT_API},
    {"theme", required_argument, NULL, OPT_THEME},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"out", required_argument, NULL, OPT_OUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"num-gpu", required_argument, NULL, OPT_NUM_GPU},
    {"num-ctx", required_argument, NULL, OPT_NUM_CTX},
    {"temperature", required_argument, NULL, OPT_TEMPERATURE},
    {"top-p", required_argument, NULL, OPT_TOP_P},
    {"top-k", required_argument, NULL, OPT_TOP_K},
    {"repeat-penalty", required_argument, NULL, OPT_REPEAT_PENALTY},
    {"seed", required_argument, NULL, OPT_SEED},
    {"runs", required_argument, NULL, OPT_RUNS},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"stream", no_argument, NULL, OPT_STREAM},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
    fputs("usage: chimera [DIR]                      explore DIR (default .) in the terminal\n"
          "       chimera inventory [DIR] [--json]   print the data summary and harvested metrics\n"
          "       chimera report [DIR] [--runs N] [--profile NAME] [--out DIR] [--stream]\n"
          "                                          run the analysis workflow without a screen\n"
          "       chimera compare RUN_A RUN_B [--json]  compare two saved runs\n"
          "       chimera --help | --version\n"
          "\n"
          "options:\n"
          "  --theme NAME        dark, light, high-contrast, mono, or a file in\n"
          "                      ~/.config/chimera/themes (T cycles them in the TUI)\n"
          "  --config FILE       settings file (default ~/.config/chimera/config)\n"
          "  --host URL          Ollama server (else OLLAMA_HOST, else http://127.0.0.1:11434)\n"
          "  --model NAME        model for analyses (default gemma3:latest)\n"
          "  --api NAME          protocol of the server: ollama (/api/generate), ollama-chat\n"
          "                      (/api/chat) or openai (/v1/chat/completions, SSE)\n"
          "  --out DIR           where analysis runs are saved (default DIR/chimera-runs)\n"
          "  --num-gpu N  --num-ctx N  --temperature F  --top-p F  --top-k N\n"
          "  --repeat-penalty F  --seed N      generation options\n"
          "  --profile NAME      baseline, chimera, or a [profile] of the config file\n"
          "  --runs N            report: run the workflow N times and aggregate\n"
          "  --stream            report: print the tokens on standard output as they come\n"
          "  --json              inventory, compare: machine-readable output\n"
          "  --no-color          no colours (as NO_COLOR=1 does)\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure, 2 usage error\n",
          out);
}

static int cli_gen_option(struct cli *c, const char *key, const char *value, struct err *err)
{
    if (gen_options_set(&c->opts, key, value, err) < 0) {
        err_prefix(err, "--%s", key);
        return -1;
    }
    return 0;
}

/* Apply one option from getopt_long. */
static int cli_option(struct cli *c, int opt, char **argv, struct err *err)
{
    switch (opt) {
    case 'h':
        c->command = CLI_HELP;
        return 0;
    case 'V':
        c->command = CLI_VERSION;
        return 0;
    case OPT_HOST:
        c->host = optarg;
        return 0;
    case OPT_MODEL:
        c->model = optarg;
        return 0;
    case OPT_API: {
        struct llm_target t;

        if (llm_api_parse(optarg, &t) < 0) {
            err_set(err, 0, "--api: expected " LLM_API_NAMES ", got '%s'", optarg);
            return -1;
        }
        c->api = optarg;
        return 0;
    }
    case OPT_THEME:
        c->theme = optarg;
        return 0;
    case OPT_CONFIG:
        c->config = optarg;
        return 0;
    case OPT_OUT:
        c->out = optarg;
        return 0;
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_NO_COLOR:
        c->no_color = 1;
        return 0;
    case OPT_NUM_GPU:
        return cli_gen_option(c, "num_gpu", optarg, err);
    case OPT_NUM_CTX:
        return cli_gen_option(c, "num_ctx", optarg, err);
    case OPT_TEMPERATURE:
        return cli_gen_option(c, "temperature", optarg, err);
    case OPT_TOP_P:
        return cli_gen_option(c, "top_p", optarg, err);
    case OPT_TOP_K:
        return cli_gen_option(c, "top_k", optarg, err);
    case OPT_REPEAT_PENALTY:
        return cli_gen_option(c, "repeat_penalty", optarg, err);
    case OPT_SEED:
        return cli_gen_option(c, "seed", optarg, err);
    case OPT_RUNS: {
        char *end;
        long n = strtol(optarg, &end, 10);

        if (end == optarg || *end != '\0' || n < 1 || n > 1000) {
            err_set(err, 0, "--runs: expected a whole number from 1 to 1000, got '%s'", optarg);
            return -1;
        }
        c->runs = (int)n;
        return 0;
    }
    case OPT_PROFILE:
        c->profile = optarg;
        return 0;
    case OPT_STREAM:
        c->stream = 1;
        return 0;
    case ':':
        err_set(err, 0, "%s needs a value", argv[optind - 1]);
        return -1;
    default:
        err_set(err, 0, "unknown option '%s'", argv[optind - 1]);
        return -1;
    }
}

int cli_parse(struct cli *c, int argc, char **argv, struct err *err)
{
    int opt, first = 1;

    memset(c, 0, sizeof *c);
    c->command = CLI_TUI;
    /* the command word comes first when given */
    c->runs = 1;
    if (argc > 1 && strcmp(argv[1], "inventory") == 0) {
        c->command = CLI_INVENTORY;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "report") == 0) {
        c->command = CLI_REPORT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "compare") == 0) {
        c->command = CLI_COMPARE;
        first = 2;
    }
    optind = first;
    opterr = 0;
    /* GNU getopt permutes, so options may come before or after the folder */
    while ((opt = getopt_long(argc, argv, ":hV", cli_options, NULL)) != -1) {
        if (cli_option(c, opt, argv, err) < 0)
            return -1;
        if (c->command == CLI_HELP || c->command == CLI_VERSION)
            return 0;
    }
    if (optind < argc)
        c->root = argv[optind++];
    if (c->command == CLI_COMPARE) {
        if (c->root == NULL || optind >= argc) {
            err_set(err, 0, "compare needs two run folders: chimera compare RUN_A RUN_B");
            return -1;
        }
        c->compare_b = argv[optind++];
    }
    if (optind < argc) {
        err_set(err, 0, "unexpected argument '%s' (give one folder)", argv[optind]);
        return -1;
    }
    if (c->command != CLI_REPORT && (c->stream || c->runs != 1)) {
        err_set(err, 0, "--runs and --stream go with `chimera report`");
        return -1;
    }
    if (c->json && c->command != CLI_INVENTORY && c->command != CLI_COMPARE) {
        err_set(err, 0, "--json goes with `chimera inventory` and `chimera compare`");
        return -1;
    }
    if (c->root == NULL)
        c->root = ".";
    return 0;
}
