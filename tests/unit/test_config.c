/* test_config.c: defaults, the config file, profiles and personas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

/* Each test starts from a known environment. */
static int setup_env(void **state)
{
    (void)state;
    unsetenv("OLLAMA_HOST");
    unsetenv("XDG_CONFIG_HOME");
    return 0;
}

/* Write `text` to a fresh file and load it over the defaults: the load's result. */
static int load_text(struct config *c, const char *text, char **dir_out, char **path_out,
                     struct err *e)
{
    char *dir = tu_mkdtemp();
    char *path = tu_join(dir, "config");
    int r;

    tu_write(dir, "config", text, (size_t)-1, 0);
    config_init(c);
    err_clear(e);
    r = config_load(c, path, 0, e);
    *dir_out = dir;
    *path_out = path;
    return r;
}

static void drop_dir(char *dir, char *path)
{
    tu_rmtree(dir);
    free(dir);
    free(path);
}

static void describe_profile(const struct config *c, const char *name, const char *expected)
{
    const struct profile *p = config_profile(c, name);
    char out[256];

    if (p == NULL)
        fail_msg("no profile '%s'", name);
    gen_options_describe(&p->opts, out, sizeof out);
    assert_string_equal(out, expected);
}

static void test_defaults(void **state)
{
    struct config c;
    const struct persona *a, *b;

    (void)state;
    config_init(&c);
    assert_string_equal(c.host, "http://127.0.0.1:11434");
    assert_string_equal(c.model, "gemma3:latest");
    assert_string_equal(c.api, "ollama");
    assert_string_equal(c.theme, "dark");
    assert_null(c.out);
    assert_string_equal(c.profile, "chimera");
    assert_int_equal(c.stall_timeout_s, 300);
    assert_int_equal(c.sort, SORT_NAME);
    assert_int_equal(c.follow_lines, 0); /* by pages */
    assert_null(c.source);
    assert_int_equal(c.nprofiles, 2);
    assert_int_equal(c.npersonas, 2);

    describe_profile(&c, "baseline", "Ollama defaults");
    describe_profile(&c, "chimera",
                     "num_gpu=80, num_ctx=512, temp=1, top_p=default, "
                     "top_k=default, repeat_penalty=default");
    assert_string_equal(config_profile(&c, "baseline")->persona, "collector");
    assert_string_equal(config_profile(&c, "chimera")->persona, "collector");
    assert_null(config_profile(&c, "nope"));
    assert_null(config_profile(&c, NULL));

    a = config_persona(&c, "collector");
    b = config_persona(&c, "insight");
    assert_non_null(a);
    assert_non_null(b);
    assert_null(config_persona(&c, "nope"));
    assert_string_equal(a->label, "Chimera Agent A");
    assert_string_equal(b->label, "Chimera Agent B");
    assert_non_null(strstr(a->prompt, "DataCollector-9000"));
    assert_non_null(strstr(a->prompt, "250 words"));
    assert_non_null(strstr(b->prompt, "InsightAgent"));
    assert_non_null(strstr(b->prompt, "three optimisation recommendations"));
    assert_non_null(strstr(b->prompt, "between 300 and 400 words"));
    config_fini(&c);
    config_fini(&c); /* finished twice is harmless */

    setenv("OLLAMA_HOST", "0.0.0.0:9999", 1);
    config_init(&c);
    assert_string_equal(c.host, "0.0.0.0:9999");
    config_fini(&c);
    /* Ollama reads a value of spaces and quotes as unset. */
    setenv("OLLAMA_HOST", " \"\" ", 1);
    config_init(&c);
    assert_string_equal(c.host, "http://127.0.0.1:11434");
    config_fini(&c);
    unsetenv("OLLAMA_HOST");
}

static const char full_file[] = "# chimera settings\n"
                                "host = http://gpu-box:11434   # where Ollama runs\n"
                                "model = llama3.1:8b\n"
                                "api = openai\n"
                                "theme = light ; a semicolon comment\n"
                                "out = ~/runs\n"
                                "stall_timeout = 600\n"
                                "profile = fast\n"
                                "sort = mtime\n"
                                "follow = line\n"
                                "\n"
                                "[profile fast]\n"
                                "persona = terse\n"
                                "num-gpu = 40\n"
                                "num_ctx = 1024\n"
                                "temperature = 0.4\n"
                                "seed = 42\n"
                                "\n"
                                "[profile chimera]\n"
                                "num_ctx = 2048\n"
                                "\n"
                                "[ persona   terse ]\n"
                                "label = Terse Agent #1\n"
                                "prompt = You are terse.\n"
                                "  Answer in bullet points; keep it short.\n"
                                "  # an indented comment is skipped\n"
                                "\n"
                                "\tA second paragraph.\n"
                                "\n"
                                "[persona insight]\n"
                                "label = Agent B prime\n";

static void test_file_overrides(void **state)
{
    struct config c;
    struct err e;
    char *dir, *path, *home;
    const struct persona *p;

    (void)state;
    home = tu_mkdtemp();
    setenv("HOME", home, 1);
    if (load_text(&c, full_file, &dir, &path, &e) != 0)
        fail_msg("load failed: %s", e.msg);
    assert_string_equal(c.host, "http://gpu-box:11434");
    assert_string_equal(c.model, "llama3.1:8b");
    assert_string_equal(c.api, "openai");
    assert_string_equal(c.theme, "light");
    assert_non_null(c.out);
    assert_true(strncmp(c.out, home, strlen(home)) == 0);
    assert_string_equal(c.out + strlen(home), "/runs");
    assert_int_equal(c.stall_timeout_s, 600);
    assert_string_equal(c.profile, "fast");
    assert_int_equal(c.sort, SORT_MTIME);
    assert_int_equal(c.follow_lines, 1);
    assert_string_equal(c.source, path);

    assert_int_equal(c.nprofiles, 3);
    assert_string_equal(config_profile(&c, "fast")->persona, "terse");
    describe_profile(&c, "fast",
                     "num_gpu=40, num_ctx=1024, temp=0.4, top_p=default, "
                     "top_k=default, repeat_penalty=default, seed=42");
    /* A built-in section keeps the keys the file does not give. */
    describe_profile(&c, "chimera",
                     "num_gpu=80, num_ctx=2048, temp=1, top_p=default, "
                     "top_k=default, repeat_penalty=default");
    describe_profile(&c, "baseline", "Ollama defaults");

    assert_int_equal(c.npersonas, 3);
    p = config_persona(&c, "terse");
    assert_non_null(p);
    assert_string_equal(p->label, "Terse Agent #1");
    assert_string_equal(p->prompt, "You are terse.\n"
                                   "Answer in bullet points; keep it short.\n"
                                   "\n"
                                   "A second paragraph.");
    p = config_persona(&c, "insight");
    assert_string_equal(p->label, "Agent B prime");
    assert_non_null(strstr(p->prompt, "InsightAgent"));
    config_fini(&c);
    drop_dir(dir, path);
    tu_rmtree(home);
    free(home);
}

static void test_env_beats_file(void **state)
{
    struct config c;
    struct err e;
    char *dir, *path;

    (void)state;
    setenv("OLLAMA_HOST", "envhost:1234", 1);
    assert_int_equal(load_text(&c, "host = filehost:1\nmodel = m\n", &dir, &path, &e), 0);
    assert_string_equal(c.host, "envhost:1234");
    assert_string_equal(c.model, "m");
    config_fini(&c);
    drop_dir(dir, path);
    unsetenv("OLLAMA_HOST");
}

static void test_new_persona_and_profile_defaults(void **state)
{
    struct config c;
    struct err e;
    char *dir, *path;
    const struct persona *p;

    (void)state;
    assert_int_equal(load_text(&c,
                               "[persona plain]\n"
                               "prompt =\n"
                               "  First line.\n"
                               "  Second line.\n"
                               "[profile bare]\n"
                               "top_p = 0.9\n",
                               &dir, &path, &e),
                     0);
    p = config_persona(&c, "plain");
    assert_string_equal(p->label, "plain");
    assert_string_equal(p->prompt, "First line.\nSecond line.");
    assert_string_equal(config_profile(&c, "bare")->persona, "collector");
    describe_profile(&c, "bare",
                     "num_gpu=default, num_ctx=default, temp=default, top_p=0.9, "
                     "top_k=default, repeat_penalty=default");
    config_fini(&c);
    drop_dir(dir, path);
}

struct bad_case {
    const char *text;
    const char *expect; /* after "<path>:" */
};

static void test_errors(void **state)
{
    static const struct bad_case cases[] = {
        {"model = x\n\nmodle = y\n", "3: unknown key 'modle'"},
        {"[profile p]\nnum_gpus = 3\n", "2: unknown key 'num_gpus' in [profile p]"},
        {"[persona q]\ncolour = red\n", "2: unknown key 'colour' in [persona q]"},
        {"[profile p]\nnum_ctx = abc\n",
         "2: num_ctx: expected a whole number from 1 to 16777216, got 'abc'"},
        {"[profile p]\nnum_ctx = 16777217\n",
         "2: num_ctx: expected a whole number from 1 to 16777216, got '16777217'"},
        {"[profile p]\nnum_gpu = -2\n",
         "2: num_gpu: expected a whole number from -1 to 65535, got '-2'"},
        {"[profile p]\nnum_gpu = 8.5\n",
         "2: num_gpu: expected a whole number from -1 to 65535, got '8.5'"},
        {"[profile p]\ntemperature = 7\n",
         "2: temperature: expected a number from 0 to 5, got '7'"},
        {"[profile p]\ntemperature = hot\n",
         "2: temperature: expected a number from 0 to 5, got 'hot'"},
        {"[profile p]\ntop_p = 1.5\n", "2: top_p: expected a number from 0 to 1, got '1.5'"},
        {"[profile p]\ntop_k = -1\n",
         "2: top_k: expected a whole number from 0 to 1000000, got '-1'"},
        {"[profile p]\nrepeat_penalty = 0\n",
         "2: repeat_penalty: expected a number above 0 and at most 5, got '0'"},
        {"[profile p]\nseed = 9007199254740992\n",
         "2: seed: expected a whole number from -9007199254740991 to 9007199254740991, "
         "got '9007199254740992'"},
        {"stall_timeout = 0\n",
         "1: stall_timeout: expected a whole number of seconds from 1 to 86400, got '0'"},
        {"stall_timeout = 86401\n",
         "1: stall_timeout: expected a whole number of seconds from 1 to 86400, got '86401'"},
        {"api = grpc\n", "1: api: expected ollama, ollama-chat or openai, got 'grpc'"},
        {"sort = date\n", "1: sort: expected name, mtime or size, got 'date'"},
        {"follow = smooth\n", "1: follow: expected page or line, got 'smooth'"},
        {"model =\n", "1: model: expected a value"},
        {"host = ftp://x\n", "1: host: unsupported scheme 'ftp'"},
        {"api_key = sk-123\n", "1: an API key is never read from a file: set CHIMERA_API_KEY"},
        {"[profile p]\napi_key = sk-123\n", "2: an API key is never read from a file"},
        {"model = x\nthis is not valid\n", "2: expected 'key = value'"},
        {"[profile p\nmodel = x\n", "1: expected 'key = value'"},
        {"[theme dark]\nx = 1\n", "2: unknown section '[theme dark]'"},
        {"[profile]\nnum_gpu = 1\n", "2: [profile]: expected a name"},
        {"[profile a/b]\nnum_gpu = 1\n", "2: [profile a/b]: expected a name"},
        {"model = a\nmodel = b\n", "2: 'model' is already set on line 1"},
        {"model = a\n  more\n", "2: 'model' takes a single line"},
        {"profile = nope\n", "1: profile: no profile named 'nope'"},
        {"[profile p]\npersona = ghost\n", "2: [profile p]: no persona named 'ghost'"},
        {"[persona q]\nlabel = Q\n", "2: [persona q] has no prompt"},
        {"[persona collector]\nprompt =\n", "2: [persona collector] has no prompt"},
        /* The first error by line wins, whoever found it. */
        {"model = a\nbad line\nmodle = b\n", "2: expected 'key = value'"},
        {"modle = a\nbad line\n", "1: unknown key 'modle'"},
    };
    struct config c;
    struct err e;
    char *dir, *path, expect[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = load_text(&c, cases[i].text, &dir, &path, &e);

        snprintf(expect, sizeof expect, "%s:%s", path, cases[i].expect);
        if (r != -1)
            fail_msg("case %zu loaded without error", i);
        if (strncmp(e.msg, expect, strlen(expect)) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s...\"", i, e.msg, expect);
        /* Nothing of a bad file is applied. */
        assert_string_equal(c.model, "gemma3:latest");
        assert_int_equal(c.nprofiles, 2);
        assert_null(c.source);
        config_fini(&c);
        drop_dir(dir, path);
    }
}

static void test_long_lines(void **state)
{
    struct config c;
    struct err e;
    char *dir, *path, text[400];

    (void)state;
    /* 197 characters fit inih's line buffer; one more is refused, never cut. */
    snprintf(text, sizeof text, "model = %0189d\n", 0);
    assert_int_equal(strlen(text), 198);
    assert_int_equal(load_text(&c, text, &dir, &path, &e), 0);
    assert_int_equal(strlen(c.model), 189);
    config_fini(&c);
    drop_dir(dir, path);

    snprintf(text, sizeof text, "model = %0190d\n", 0);
    assert_int_equal(load_text(&c, text, &dir, &path, &e), -1);
    assert_non_null(strstr(e.msg, ":1: line is longer than 197 characters"));
    config_fini(&c);
    drop_dir(dir, path);
}

static void test_file_problems(void **state)
{
    struct config c;
    struct err e;
    char *dir = tu_mkdtemp();
    char *missing = tu_join(dir, "nope/config");
    char *nul = tu_join(dir, "nul");

    (void)state;
    config_init(&c);
    err_clear(&e);
    assert_int_equal(config_load(&c, missing, 1, &e), 0);
    assert_null(c.source);
    assert_int_equal(config_load(&c, missing, 0, &e), -1);
    assert_non_null(strstr(e.msg, "cannot read config"));
    assert_int_equal(config_load(&c, dir, 1, &e), -1); /* a directory */
    tu_write(dir, "nul", "model = a\0b\n", 12, 0);
    assert_int_equal(config_load(&c, nul, 0, &e), -1);
    assert_non_null(strstr(e.msg, "not a text file"));
    tu_write(dir, "empty", "", 0, 0);
    free(nul);
    nul = tu_join(dir, "empty");
    assert_int_equal(config_load(&c, nul, 0, &e), 0);
    assert_string_equal(c.source, nul);
    /* CRLF and a UTF-8 byte-order mark are fine. */
    tu_write(dir, "crlf", "\xEF\xBB\xBFmodel = m\r\n[persona x]\r\nprompt = a\r\n  b\r\n",
             (size_t)-1, 0);
    free(nul);
    nul = tu_join(dir, "crlf");
    if (config_load(&c, nul, 0, &e) != 0)
        fail_msg("crlf: %s", e.msg);
    assert_string_equal(c.model, "m");
    assert_string_equal(config_persona(&c, "x")->prompt, "a\nb");
    config_fini(&c);
    tu_rmtree(dir);
    free(dir);
    free(missing);
    free(nul);
}

static void test_default_path(void **state)
{
    char buf[256], tiny[8];

    (void)state;
    setenv("XDG_CONFIG_HOME", "/x/y", 1);
    setenv("HOME", "/home/u", 1);
    assert_string_equal(config_default_path(buf, sizeof buf), "/x/y/chimera/config");
    setenv("XDG_CONFIG_HOME", "relative", 1);
    assert_string_equal(config_default_path(buf, sizeof buf), "/home/u/.config/chimera/config");
    unsetenv("XDG_CONFIG_HOME");
    assert_string_equal(config_default_path(buf, sizeof buf), "/home/u/.config/chimera/config");
    assert_null(config_default_path(tiny, sizeof tiny));
    unsetenv("HOME");
    assert_null(config_default_path(buf, sizeof buf));
    setenv("XDG_CONFIG_HOME", "/x", 1);
    assert_string_equal(config_default_path(buf, sizeof buf), "/x/chimera/config");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/tmp", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup_env),
        cmocka_unit_test_setup(test_file_overrides, setup_env),
        cmocka_unit_test_setup(test_env_beats_file, setup_env),
        cmocka_unit_test_setup(test_new_persona_and_profile_defaults, setup_env),
        cmocka_unit_test_setup(test_errors, setup_env),
        cmocka_unit_test_setup(test_long_lines, setup_env),
        cmocka_unit_test_setup(test_file_problems, setup_env),
        cmocka_unit_test_setup(test_default_path, setup_env),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
