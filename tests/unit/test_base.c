/* test_base.c: the small base modules: buf, err, xmem, clock and artifact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "testutil.h"
#include "buf.h"
#include "clock.h"
#include "rootdir.h"
#include "err.h"
#include "xmem.h"

static void test_buf_bounded(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 10);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_puts(&b, "hello"), 0);
    assert_int_equal(buf_putc(&b, ' '), 0);
    assert_int_equal(buf_printf(&b, "%d", 123), 0);
    assert_string_equal(buf_cstr(&b), "hello 123");
    /* past the maximum: refused, contents unchanged */
    assert_int_equal(buf_puts(&b, "xy"), -1);
    assert_string_equal(buf_cstr(&b), "hello 123");
    assert_int_equal(buf_printf(&b, "%s", "too long"), -1);
    assert_int_equal(b.len, 9);
    assert_int_equal(buf_putc(&b, '!'), 0); /* exactly the maximum */
    assert_int_equal(b.len, 10);
    buf_consume(&b, 6);
    assert_string_equal(buf_cstr(&b), "123!");
    buf_consume(&b, 100);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 3);
    buf_fini(&b);
}

static void test_buf_steal(void **state)
{
    struct buf b;
    char *s;

    (void)state;
    buf_init(&b, 1 << 20);
    s = buf_steal(&b);
    assert_string_equal(s, "");
    free(s);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_puts(&b, "0123456789"), 0);
    assert_int_equal(b.len, 10000);
    s = buf_steal(&b);
    assert_int_equal(strlen(s), 10000);
    assert_null(b.data);
    free(s);
    buf_fini(&b);
}

static void test_err(void **state)
{
    struct err err;
    char big[600];

    (void)state;
    err_set(&err, ENOENT, "cannot open %s: %s", "x.csv", strerror(ENOENT));
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.msg, "cannot open x.csv: No such file or directory");
    err_prefix(&err, "inventory of %s", "reports");
    assert_string_equal(err.msg, "inventory of reports: cannot open x.csv: No such file or "
                                 "directory");
    assert_int_equal(err.code, ENOENT);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&err, 1, "%s", big);
    assert_int_equal(strlen(err.msg), ERR_MSG_MAX - 1);
    err_prefix(&err, "p");
    assert_int_equal(strlen(err.msg), ERR_MSG_MAX - 1);
    assert_memory_equal(err.msg, "p: aaa", 6);
    err_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    err_set(NULL, 1, "ignored");
    err_prefix(NULL, "ignored");
}

static void test_xmem(void **state)
{
    size_t cap = 0;
    int *arr = NULL;
    char *s;
    char long_arg[1000];

    (void)state;
    arr = xgrow(arr, &cap, 3, sizeof *arr);
    assert_true(cap >= 3);
    arr = xgrow(arr, &cap, 100, sizeof *arr);
    assert_true(cap >= 100);
    arr[99] = 7;
    free(arr);
    s = xasprintf("%s-%d", "run", 42);
    assert_string_equal(s, "run-42");
    free(s);
    memset(long_arg, 'z', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = '\0';
    s = xasprintf("<%s>", long_arg); /* longer than the small first try */
    assert_int_equal(strlen(s), sizeof long_arg + 1);
    free(s);
    s = xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
}

static void test_clock(void **state)
{
    int64_t a = clock_now_ns(), b = clock_now_ns();

    (void)state;
    assert_true(b >= a);
    assert_false(clock_past(0));
    assert_true(clock_past(1));
    assert_false(clock_past(a + 3600 * CLOCK_NS_PER_S));
}

static void test_artifact(void **state)
{
    (void)state;
    assert_int_equal(artifact_kind_of("a.csv"), ART_CSV);
    assert_int_equal(artifact_kind_of("A.CSV"), ART_CSV);
    assert_int_equal(artifact_kind_of("x.tar.Json"), ART_JSON);
    assert_int_equal(artifact_kind_of("README.md"), ART_MARKDOWN);
    assert_int_equal(artifact_kind_of("notes.markdown"), ART_NONE);
    assert_int_equal(artifact_kind_of("data.csv.bak"), ART_NONE);
    assert_int_equal(artifact_kind_of(".json"), ART_NONE); /* a hidden file, no extension */
    assert_int_equal(artifact_kind_of("csv"), ART_NONE);
    assert_int_equal(artifact_kind_of("x."), ART_NONE);
    assert_string_equal(artifact_label(ART_MARKDOWN), "markdown");
    assert_string_equal(artifact_label(ART_NONE), "other");
    assert_string_equal(artifact_tag(ART_MARKDOWN), "md");
}

static void test_rootdir(void **state)
{
    char *dir = tu_mkdtemp(), *withslash, *file, *got;
    struct err err;

    (void)state;
    withslash = tu_join(dir, "sub//");
    tu_mkdir(dir, "sub");
    got = rootdir_check(withslash, &err);
    assert_non_null(got);
    assert_int_equal(strlen(got), strlen(withslash) - 2); /* trailing slashes dropped */
    free(got);
    got = rootdir_check("", &err);
    assert_string_equal(got, ".");
    free(got);
    got = rootdir_check("/", &err);
    assert_string_equal(got, "/");
    free(got);
    tu_write(dir, "f.csv", "a\n", (size_t)-1, 0);
    file = tu_join(dir, "f.csv");
    assert_null(rootdir_check(file, &err));
    assert_int_equal(err.code, ENOTDIR);
    assert_non_null(strstr(err.msg, "not a folder"));
    assert_null(rootdir_check("/nonexistent/x", &err));
    assert_int_equal(err.code, ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/x"));
    free(file);
    free(withslash);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_bounded), cmocka_unit_test(test_buf_steal),
        cmocka_unit_test(test_err),         cmocka_unit_test(test_xmem),
        cmocka_unit_test(test_clock),       cmocka_unit_test(test_artifact),
        cmocka_unit_test(test_rootdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
