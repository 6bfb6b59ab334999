/* test_genopts.c: generation options (parsing, ranges, description) and sort keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "genopts.h"

static void set_ok(struct gen_options *o, const char *k, const char *v)
{
    struct err e;

    if (gen_options_set(o, k, v, &e) != 0)
        fail_msg("%s=%s: %s", k, v, e.msg);
}

static void expect_describe(const struct gen_options *o, const char *expected)
{
    char out[256];

    gen_options_describe(o, out, sizeof out);
    assert_string_equal(out, expected);
}

static void test_gen_options(void **state)
{
    struct gen_options o, before;
    struct err e;
    char small[12];

    (void)state;
    memset(&o, 0, sizeof o);
    expect_describe(&o, "Ollama defaults");
    set_ok(&o, "num_gpu", "80");
    set_ok(&o, "num_ctx", "512");
    set_ok(&o, "temperature", "1");
    expect_describe(&o, "num_gpu=80, num_ctx=512, temp=1, top_p=default, top_k=default, "
                        "repeat_penalty=default");
    set_ok(&o, "seed", "-7");
    expect_describe(&o, "num_gpu=80, num_ctx=512, temp=1, top_p=default, top_k=default, "
                        "repeat_penalty=default, seed=-7");

    memset(&o, 0, sizeof o);
    set_ok(&o, "temperature", "0.8");
    set_ok(&o, "top_p", " 0.9 ");
    set_ok(&o, "top-k", "40");
    set_ok(&o, "repeat_penalty", "1.1");
    expect_describe(&o, "num_gpu=default, num_ctx=default, temp=0.8, top_p=0.9, top_k=40, "
                        "repeat_penalty=1.1");
    /* Rust Display: shortest round trip, no trailing ".0", never an exponent. */
    set_ok(&o, "temperature", "1.0");
    set_ok(&o, "top_p", "1e-7");
    set_ok(&o, "repeat_penalty", "0.30000000000000004");
    expect_describe(&o, "num_gpu=default, num_ctx=default, temp=1, top_p=0.0000001, top_k=40, "
                        "repeat_penalty=0.30000000000000004");
    set_ok(&o, "temperature", "-0");
    set_ok(&o, "top_p", "2.5e-1");
    set_ok(&o, "repeat_penalty", "5");
    set_ok(&o, "num_gpu", "-1");
    expect_describe(&o, "num_gpu=-1, num_ctx=default, temp=0, top_p=0.25, top_k=40, "
                        "repeat_penalty=5");

    /* "default" unsets; a failed set changes nothing. */
    set_ok(&o, "top_k", "default");
    set_ok(&o, "num_gpu", "default");
    expect_describe(&o, "num_gpu=default, num_ctx=default, temp=0, top_p=0.25, top_k=default, "
                        "repeat_penalty=5");
    before = o;
    assert_int_equal(gen_options_set(&o, "temperature", "inf", &e), -1);
    assert_int_equal(gen_options_set(&o, "temperature", "nan", &e), -1);
    assert_int_equal(gen_options_set(&o, "temperature", "0x1p1", &e), -1);
    assert_int_equal(gen_options_set(&o, "temperature", "1e", &e), -1);
    assert_int_equal(gen_options_set(&o, "temperature", "", &e), -1);
    assert_int_equal(gen_options_set(&o, "num_ctx", "0", &e), -1);
    assert_int_equal(gen_options_set(&o, "num_ctx", "12abc", &e), -1);
    assert_int_equal(gen_options_set(&o, "num_ctx", "99999999999999999999", &e), -1);
    assert_int_equal(gen_options_set(&o, "seed", "1.5", &e), -1);
    assert_int_equal(gen_options_set(&o, "mirostat", "1", &e), -1);
    assert_non_null(strstr(e.msg, "unknown option 'mirostat'"));
    assert_memory_equal(&o, &before, sizeof o);
    set_ok(&o, "num_ctx", "16777216");
    set_ok(&o, "seed", "9007199254740991");
    set_ok(&o, "seed", "-9007199254740991");

    /* Truncation keeps a valid string. */
    gen_options_describe(&o, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    gen_options_describe(&o, small, 0);
}

/* Numbers are read and written the same in a locale with a decimal comma. */
static void test_locale_independent(void **state)
{
    static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    struct gen_options o;
    size_t i;
    const char *got = NULL;

    (void)state;
    for (i = 0; i < sizeof locales / sizeof locales[0] && got == NULL; i++)
        got = setlocale(LC_ALL, locales[i]);
    if (got == NULL)
        skip(); /* no decimal-comma locale installed */
    memset(&o, 0, sizeof o);
    set_ok(&o, "temperature", "0.8");
    set_ok(&o, "repeat_penalty", "1.1");
    assert_int_equal(gen_options_set(&o, "top_p", "0,5", NULL), -1);
    expect_describe(&o, "num_gpu=default, num_ctx=default, temp=0.8, top_p=default, "
                        "top_k=default, repeat_penalty=1.1");
    setlocale(LC_ALL, "C");
}

static void test_sort_keys(void **state)
{
    (void)state;
    assert_int_equal(sort_key_parse("name"), SORT_NAME);
    assert_int_equal(sort_key_parse("mtime"), SORT_MTIME);
    assert_int_equal(sort_key_parse("size"), SORT_SIZE);
    assert_int_equal(sort_key_parse("date"), -1);
    assert_int_equal(sort_key_parse(NULL), -1);
    assert_string_equal(sort_key_name(SORT_NAME), "name");
    assert_string_equal(sort_key_name(SORT_MTIME), "mtime");
    assert_string_equal(sort_key_name(SORT_SIZE), "size");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_options),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_sort_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
