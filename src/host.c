/* host.c: OLLAMA_HOST / --host resolution, following Ollama's envconfig.Host and
 * ConnectableHost so that chimera and the `ollama` CLI agree on the server.
 *
 * The steps mirror Ollama's: trim spaces and quotes, split off "scheme://", split off
 * the path, split host from port the way Go's net.SplitHostPort does, fall back to the
 * scheme's default port when the port is missing or invalid, then replace the
 * unspecified bind addresses with loopback ones. We are stricter than Ollama in one
 * place: a value that could never name a host (ftp://..., control characters, a user
 * name) is an error here instead of a URL that fails later. */
#include "host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define HOST_DEFAULT_PORT 11434
#define HOST_MAX_INPUT 1024

/* A byte range of the input; the input itself is never modified. */
struct span {
    const char *p;
    size_t n;
};

static int host_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static struct span host_trim_spaces(struct span s)
{
    while (s.n > 0 && host_is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && host_is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Strip every leading and trailing byte found in `set` (Go's strings.Trim). */
static struct span host_trim_set(struct span s, const char *set)
{
    while (s.n > 0 && strchr(set, s.p[0]) != NULL) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && strchr(set, s.p[s.n - 1]) != NULL)
        s.n--;
    return s;
}

static int host_span_eq(struct span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static int host_span_eq_nocase(struct span s, const char *lit)
{
    size_t i;

    if (s.n != strlen(lit))
        return 0;
    for (i = 0; i < s.n; i++) {
        char c = s.p[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return 1;
}

static const char *host_span_chr(struct span s, char c)
{
    return s.n > 0 ? memchr(s.p, c, s.n) : NULL;
}

/* Go's net.SplitHostPort: "h:p", "[v6]:p" and ":p" split; "h", "[v6]" and "a:b:c" do
 * not (0 is returned and the caller falls back to the default port). */
static int host_split_host_port(struct span hp, struct span *host, struct span *port)
{
    const char *last = NULL;
    size_t i, after_host, after_port_start;

    for (i = 0; i < hp.n; i++)
        if (hp.p[i] == ':')
            last = hp.p + i;
    if (last == NULL)
        return 0;
    if (hp.n > 0 && hp.p[0] == '[') {
        const char *end = host_span_chr(hp, ']');

        if (end == NULL || end + 1 != last)
            return 0;
        host->p = hp.p + 1;
        host->n = (size_t)(end - hp.p) - 1;
        after_host = 1;
        after_port_start = (size_t)(end - hp.p) + 1;
    } else {
        host->p = hp.p;
        host->n = (size_t)(last - hp.p);
        if (host_span_chr(*host, ':') != NULL)
            return 0;
        after_host = 0;
        after_port_start = 0;
    }
    /* Stray brackets anywhere else make the whole value unsplittable, as in Go. */
    if (memchr(hp.p + after_host, '[', hp.n - after_host) != NULL)
        return 0;
    if (memchr(hp.p + after_port_start, ']', hp.n - after_port_start) != NULL)
        return 0;
    port->p = last + 1;
    port->n = hp.n - (size_t)(last + 1 - hp.p);
    return 1;
}

/* strconv.ParseInt(port, 10, 32) followed by Ollama's 0..65535 check; port 0 cannot be
 * connected to, so it counts as invalid too. Returns the port or -1. */
static int host_parse_port(struct span s)
{
    size_t i = 0;
    long v = 0;
    int neg = 0;

    if (s.n > 0 && (s.p[0] == '+' || s.p[0] == '-')) {
        neg = s.p[0] == '-';
        i = 1;
    }
    if (i == s.n)
        return -1;
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
        if (v > 65535)
            return -1;
    }
    if (neg || v == 0)
        return -1;
    return (int)v;
}

/* If s is an IP address, write its canonical text (Go's net.IP.String: IPv4-mapped
 * addresses print as IPv4) and return 4 or 6; otherwise 0. */
static int host_canon_ip(struct span s, char *out, size_t cap)
{
    char tmp[64];
    struct in_addr a4;
    struct in6_addr a6;

    if (s.n == 0 || s.n >= sizeof tmp)
        return 0;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    if (inet_pton(AF_INET, tmp, &a4) == 1)
        return inet_ntop(AF_INET, &a4, out, (socklen_t)cap) != NULL ? 4 : 0;
    if (inet_pton(AF_INET6, tmp, &a6) != 1)
        return 0;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(&a4, &a6.s6_addr[12], 4);
        return inet_ntop(AF_INET, &a4, out, (socklen_t)cap) != NULL ? 4 : 0;
    }
    return inet_ntop(AF_INET6, &a6, out, (socklen_t)cap) != NULL ? 6 : 0;
}

/* ConnectableHost: 0.0.0.0 and :: are where a server listens, not where a client
 * connects, so point at the loopback address of the same family. */
static void host_make_connectable(char *name, size_t cap)
{
    char canon[64];
    struct span s = {name, strlen(name)};
    int fam = host_canon_ip(s, canon, sizeof canon);

    if (fam == 4 && strcmp(canon, "0.0.0.0") == 0)
        snprintf(name, cap, "127.0.0.1");
    else if (fam == 6 && strcmp(canon, "::") == 0)
        snprintf(name, cap, "::1");
}

/* A name we can put in a URL: no brackets (only IPv6 literals get those, and they are
 * added by us), no user info, and colons only in an IPv6 literal. */
static int host_name_ok(const char *name)
{
    char canon[64];
    struct span s = {name, strlen(name)};

    if (strpbrk(name, "[]@") != NULL)
        return 0;
    if (strchr(name, ':') != NULL && host_canon_ip(s, canon, sizeof canon) != 6)
        return 0;
    return 1;
}

static int host_copy(char *dst, size_t cap, struct span s)
{
    if (s.n >= cap)
        return -1;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 0;
}

int host_resolve(const char *value, struct host *out, struct err *err)
{
    struct span v = {value != NULL ? value : "", value != NULL ? strlen(value) : 0};
    struct span scheme, hostport, path = {"", 0}, hs, ps;
    const char *sep, *slash;
    int default_port = HOST_DEFAULT_PORT, port = -1, n;
    size_t i;

    memset(out, 0, sizeof *out);
    /* Ollama trims spaces, then quotes (envconfig.Var), then spaces again (Host). */
    v = host_trim_spaces(host_trim_set(host_trim_spaces(v), "\"'"));
    if (v.n > HOST_MAX_INPUT) {
        err_set(err, EINVAL, "host value is too long (%zu bytes)", v.n);
        return -1;
    }
    for (i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];

        if (c <= 0x20 || c == 0x7f) {
            err_set(err, EINVAL, "host '%.*s' contains spaces or control characters", (int)v.n,
                    v.p);
            return -1;
        }
    }

    snprintf(out->scheme, sizeof out->scheme, "http");
    sep = v.n >= 3 ? memmem(v.p, v.n, "://", 3) : NULL;
    if (sep == NULL) {
        hostport = v;
        if (host_span_eq(v, "ollama.com")) {
            snprintf(out->scheme, sizeof out->scheme, "https");
            default_port = 443;
        }
    } else {
        scheme.p = v.p;
        scheme.n = (size_t)(sep - v.p);
        hostport.p = sep + 3;
        hostport.n = v.n - scheme.n - 3;
        /* Schemes are case-insensitive (RFC 3986), so "HTTPS://" gets port 443 too. */
        if (host_span_eq_nocase(scheme, "http")) {
            default_port = 80;
        } else if (host_span_eq_nocase(scheme, "https")) {
            snprintf(out->scheme, sizeof out->scheme, "https");
            default_port = 443;
        } else {
            err_set(err, EINVAL,
                    "unsupported scheme '%.*s' in host '%.*s' (use http:// or https://)",
                    (int)scheme.n, scheme.p, (int)v.n, v.p);
            return -1;
        }
    }

    slash = host_span_chr(hostport, '/');
    if (slash != NULL) {
        path.p = slash + 1;
        path.n = hostport.n - (size_t)(slash + 1 - hostport.p);
        hostport.n = (size_t)(slash - hostport.p);
    }

    if (host_split_host_port(hostport, &hs, &ps)) {
        port = host_parse_port(ps);
        if (hs.n == 0) {
            hs.p = "127.0.0.1";
            hs.n = strlen(hs.p);
        }
        if (host_copy(out->name, sizeof out->name, hs) < 0)
            goto too_long;
    } else {
        struct span bare = host_trim_set(hostport, "[]");

        if (host_canon_ip(bare, out->name, sizeof out->name) == 0) {
            if (hostport.n == 0) {
                hostport.p = "127.0.0.1";
                hostport.n = strlen(hostport.p);
            }
            if (host_copy(out->name, sizeof out->name, hostport) < 0)
                goto too_long;
        }
    }
    out->port = port > 0 ? port : default_port;
    host_make_connectable(out->name, sizeof out->name);
    if (!host_name_ok(out->name)) {
        err_set(err, EINVAL,
                "host '%.*s' does not name a host (expected host, host:port or "
                "http(s)://host:port)",
                (int)v.n, v.p);
        return -1;
    }

    /* A base path for reverse proxies: "/prefix", never a trailing slash. */
    while (path.n > 0 && path.p[path.n - 1] == '/')
        path.n--;
    if (path.n > 0) {
        if (path.n + 1 >= sizeof out->base)
            goto too_long;
        out->base[0] = '/';
        memcpy(out->base + 1, path.p, path.n);
        out->base[path.n + 1] = '\0';
    }

    if (strchr(out->name, ':') != NULL)
        n = snprintf(out->url, sizeof out->url, "%s://[%s]:%d%s", out->scheme, out->name, out->port,
                     out->base);
    else
        n = snprintf(out->url, sizeof out->url, "%s://%s:%d%s", out->scheme, out->name, out->port,
                     out->base);
    if (n < 0 || (size_t)n >= sizeof out->url)
        goto too_long;
    return 0;

too_long:
    err_set(err, EINVAL, "host '%.*s' is too long", (int)(v.n > 80 ? 80 : v.n), v.p);
    memset(out, 0, sizeof *out);
    return -1;
}
