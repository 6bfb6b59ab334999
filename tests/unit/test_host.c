/* test_host.c: OLLAMA_HOST resolution, one case per row of ollama-protocol.md section 4
 * plus the edges around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "host.h"

struct host_case {
    const char *in;
    const char *scheme;
    const char *name;
    int port;
    const char *base;
    const char *url;
};

/* Compare field by field and name the input in the failure. */
static void check_case(const struct host_case *c)
{
    const char *in = c->in != NULL ? c->in : "(null)";
    struct host h;
    struct err e = {0, ""};

    if (host_resolve(c->in, &h, &e) != 0)
        fail_msg("'%s' failed: %s", in, e.msg);
    if (strcmp(h.scheme, c->scheme) != 0 || strcmp(h.name, c->name) != 0 || h.port != c->port ||
        strcmp(h.base, c->base) != 0 || strcmp(h.url, c->url) != 0)
        fail_msg("'%s' gave scheme=%s name=%s port=%d base=%s url=%s; expected %s", in, h.scheme,
                 h.name, h.port, h.base, h.url, c->url);
}

static void check_table(const struct host_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        check_case(&cases[i]);
}

static void test_default(void **state)
{
    static const struct host_case cases[] = {
        {NULL, "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        {"", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        {"   ", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        {"\"\"", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_bare_hosts(void **state)
{
    static const struct host_case cases[] = {
        {"1.2.3.4", "http", "1.2.3.4", 11434, "", "http://1.2.3.4:11434"},
        {"example.com", "http", "example.com", 11434, "", "http://example.com:11434"},
        {"[::1]", "http", "::1", 11434, "", "http://[::1]:11434"},
        {"::1", "http", "::1", 11434, "", "http://[::1]:11434"},
        /* A bare address is canonicalised, as Go's net.IP.String does. */
        {"0:0:0:0:0:0:0:1", "http", "::1", 11434, "", "http://[::1]:11434"},
        {"::ffff:10.0.0.1", "http", "10.0.0.1", 11434, "", "http://10.0.0.1:11434"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_ports(void **state)
{
    static const struct host_case cases[] = {
        {"host:1234", "http", "host", 1234, "", "http://host:1234"},
        {":1234", "http", "127.0.0.1", 1234, "", "http://127.0.0.1:1234"},
        {"[::1]:8080", "http", "::1", 8080, "", "http://[::1]:8080"},
        {"[2001:db8::7]:9000", "http", "2001:db8::7", 9000, "", "http://[2001:db8::7]:9000"},
        {"10.0.0.5:+80", "http", "10.0.0.5", 80, "", "http://10.0.0.5:80"},
        {"host:0080", "http", "host", 80, "", "http://host:80"},
        /* Out of range, negative, zero, empty or not a number: the default port. */
        {"host:99999", "http", "host", 11434, "", "http://host:11434"},
        {"host:65536", "http", "host", 11434, "", "http://host:11434"},
        {"host:65535", "http", "host", 65535, "", "http://host:65535"},
        {"host:-1", "http", "host", 11434, "", "http://host:11434"},
        {"host:0", "http", "host", 11434, "", "http://host:11434"},
        {"host:", "http", "host", 11434, "", "http://host:11434"},
        {"host:abc", "http", "host", 11434, "", "http://host:11434"},
        {"https://host:70000", "https", "host", 443, "", "https://host:443"},
        {"http://host:99999999999999999999", "http", "host", 80, "", "http://host:80"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_schemes_and_paths(void **state)
{
    static const struct host_case cases[] = {
        {"http://host", "http", "host", 80, "", "http://host:80"},
        {"https://host", "https", "host", 443, "", "https://host:443"},
        {"HTTPS://host", "https", "host", 443, "", "https://host:443"},
        {"http://host:4321", "http", "host", 4321, "", "http://host:4321"},
        {"http://host:4321/prefix", "http", "host", 4321, "/prefix", "http://host:4321/prefix"},
        {"https://h.example/a/b/", "https", "h.example", 443, "/a/b", "https://h.example:443/a/b"},
        {"http://host/", "http", "host", 80, "", "http://host:80"},
        {"host:4321/prefix", "http", "host", 4321, "/prefix", "http://host:4321/prefix"},
        {"http://", "http", "127.0.0.1", 80, "", "http://127.0.0.1:80"},
        {"http://:8080", "http", "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
        {"http://[::1]:8080/x", "http", "::1", 8080, "/x", "http://[::1]:8080/x"},
        {"ollama.com", "https", "ollama.com", 443, "", "https://ollama.com:443"},
        /* Only the exact value is special. */
        {"ollama.com:8080", "http", "ollama.com", 8080, "", "http://ollama.com:8080"},
        {"http://ollama.com", "http", "ollama.com", 80, "", "http://ollama.com:80"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_quotes_and_spaces(void **state)
{
    static const struct host_case cases[] = {
        {"  1.2.3.4  ", "http", "1.2.3.4", 11434, "", "http://1.2.3.4:11434"},
        {"\"1.2.3.4\"", "http", "1.2.3.4", 11434, "", "http://1.2.3.4:11434"},
        {"'host:5678'", "http", "host", 5678, "", "http://host:5678"},
        {" \" http://host:1 \" ", "http", "host", 1, "", "http://host:1"},
        {"\t'\"example.com\"'\n", "http", "example.com", 11434, "", "http://example.com:11434"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_bind_addresses(void **state)
{
    static const struct host_case cases[] = {
        {"0.0.0.0", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        {"0.0.0.0:8080", "http", "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
        {"http://0.0.0.0:11434", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        {"::", "http", "::1", 11434, "", "http://[::1]:11434"},
        {"[::]", "http", "::1", 11434, "", "http://[::1]:11434"},
        {"[::]:11434", "http", "::1", 11434, "", "http://[::1]:11434"},
    };

    (void)state;
    check_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_errors(void **state)
{
    static const char *const bad[] = {
        "ftp://host",    "://host",  "host name",    "user@host:80", "a:b:c",
        "[example.com]", "ws://x:1", "http://h\x01", "http://a@b/x",
    };
    struct host h;
    struct err e;
    size_t i;
    char big[2000];

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        if (host_resolve(bad[i], &h, &e) != -1)
            fail_msg("'%s' was accepted as %s", bad[i], h.url);
        assert_true(e.msg[0] != '\0');
    }
    err_clear(&e);
    assert_int_equal(host_resolve("ftp://x", &h, &e), -1);
    assert_non_null(strstr(e.msg, "unsupported scheme 'ftp'"));

    /* Too long for the fields: an error, never a truncated name. */
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(host_resolve(big, &h, &e), -1);
    memset(big, 'a', 300);
    big[300] = '\0';
    assert_int_equal(host_resolve(big, &h, &e), -1);
    assert_non_null(strstr(e.msg, "too long"));
    /* NULL err is allowed. */
    assert_int_equal(host_resolve("ftp://x", &h, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_bare_hosts),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_schemes_and_paths),
        cmocka_unit_test(test_quotes_and_spaces),
        cmocka_unit_test(test_bind_addresses),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
