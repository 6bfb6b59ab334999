/* host.h: OLLAMA_HOST and --host resolved the way Ollama's own client does
 * (envconfig.Host), so chimera and the `ollama` CLI talk to the same server.
 *
 *   unset/empty          -> http://127.0.0.1:11434
 *   host, [::1], ::1     -> http://host:11434
 *   host:1234, :1234     -> given port; an empty host is 127.0.0.1
 *   http://host          -> port 80;  https://host -> port 443
 *   http://h:4321/prefix -> the path is kept as a base path
 *   ollama.com           -> https://ollama.com:443
 *   quotes and spaces around the value are stripped; a missing, invalid, out-of-range
 *   (or 0) port gives the default port: 11434, or 80 / 443 after http:// / https://
 *   0.0.0.0 and :: are bind addresses: connect to 127.0.0.1 / [::1] instead.
 * A bare IP address is written in canonical form ("0:0::1" -> "::1"), as Go does; the
 * scheme is case-insensitive ("HTTPS://h" -> port 443). */
#ifndef SRC_HOST_H
#define SRC_HOST_H

#include <stddef.h>

#include "attrs.h"
#include "err.h"

struct host {
    char scheme[8];  /* "http" or "https" */
    char name[256];  /* host name or address; IPv6 without brackets */
    int port;
    char base[256];  /* "" or "/prefix" without a trailing slash */
    char url[600];   /* scheme://name:port/base, IPv6 in brackets: what to show and use */
};

/* Resolve `value` (NULL or "" for the default). -1 with `err` set only for values that
 * cannot name a host at all: an unsupported scheme such as ftp://, white space or
 * control characters inside, user info ("user@host"), stray brackets or colons in a
 * name that is no IPv6 address, or parts too long for the fields below. */
int host_resolve(const char *value, struct host *out, struct err *err) ATTR_WUR;

#endif
