/* test_jsonw.c: the JSON writer: layout, escaping, numbers, invalid UTF-8, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static void test_layout(void **state)
{
    struct buf b;
    struct jsonw w;

    (void)state;
    buf_init(&b, 1 << 20);
    jsonw_init(&w, &b);
    jsonw_object_begin(&w);
    jsonw_key(&w, "name");
    jsonw_string(&w, "chimera");
    jsonw_key(&w, "list");
    jsonw_array_begin(&w);
    jsonw_int(&w, 1);
    jsonw_double(&w, 0.1);
    jsonw_bool(&w, 1);
    jsonw_null(&w);
    jsonw_array_end(&w);
    jsonw_key(&w, "empty");
    jsonw_object_begin(&w);
    jsonw_object_end(&w);
    jsonw_key(&w, "nested");
    jsonw_raw_block(&w, "{\n  \"a\": 1\n}");
    jsonw_object_end(&w);
    assert_int_equal(jsonw_finish(&w), 0);
    assert_string_equal(buf_cstr(&b), "{\n"
                                      "  \"name\": \"chimera\",\n"
                                      "  \"list\": [\n"
                                      "    1,\n"
                                      "    0.1,\n"
                                      "    true,\n"
                                      "    null\n"
                                      "  ],\n"
                                      "  \"empty\": {},\n"
                                      "  \"nested\": {\n"
                                      "    \"a\": 1\n"
                                      "  }\n"
                                      "}");
    buf_fini(&b);
}

static void test_escapes(void **state)
{
    struct buf b;
    struct jsonw w;

    (void)state;
    buf_init(&b, 1 << 20);
    jsonw_init(&w, &b);
    jsonw_string_n(&w, "q\"b\\n\n\t\x01\x1b\xc3\xa9\xff", 12);
    assert_string_equal(buf_cstr(&b), "\"q\\\"b\\\\n\\n\\t\\u0001\\u001b\xc3\xa9\xef\xbf\xbd\"");
    buf_fini(&b);
}

static void test_numbers(void **state)
{
    char out[64];
    const double vals[] = {0.1, 41.09, 1e20, -3.5, 1.0 / 3.0, 652.118, 5e-324, 0};

    (void)state;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        jsonw_format_double(out, sizeof out, vals[i]);
        assert_true(strtod(out, NULL) == vals[i]);
    }
    jsonw_format_double(out, sizeof out, 41.09);
    assert_string_equal(out, "41.09");
    /* ordinary magnitudes never take an exponent */
    jsonw_format_double(out, sizeof out, 200);
    assert_string_equal(out, "200");
    jsonw_format_double(out, sizeof out, 10);
    assert_string_equal(out, "10");
    jsonw_format_double(out, sizeof out, 0.0001);
    assert_string_equal(out, "0.0001");
    jsonw_format_double(out, sizeof out, 1e20);
    assert_string_equal(out, "1e+20");
    {
        struct buf b;
        struct jsonw w;

        buf_init(&b, 100);
        jsonw_init(&w, &b);
        jsonw_array_begin(&w);
        jsonw_double(&w, NAN);
        jsonw_double(&w, INFINITY);
        jsonw_array_end(&w);
        assert_string_equal(buf_cstr(&b), "[\n  null,\n  null\n]");
        buf_fini(&b);
    }
}

static void test_limit(void **state)
{
    struct buf b;
    struct jsonw w;

    (void)state;
    buf_init(&b, 16);
    jsonw_init(&w, &b);
    jsonw_string(&w, "this does not fit in sixteen bytes");
    assert_int_equal(jsonw_finish(&w), -1);
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
