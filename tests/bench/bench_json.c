/* bench_json.c: throughput and memory of the JSON readers on one file.
 *
 * Usage: bench_json FILE [harvest|validate|cjson|jsondoc]
 *   harvest   jsonscan + the harvest rule over 1 MiB chunks read from the file: constant
 *             memory apart from the map itself (the default)
 *   validate  jsonscan alone over 1 MiB chunks
 *   cjson     plain cJSON_ParseWithLength of the whole file (the baseline)
 *   jsondoc   the tree of the metrics pane (jsondoc_parse of the whole file)
 * Prints one line: mode=... bytes=... seconds=... mb_per_s=... peak_rss_kb=... entries=...
 * (MB = 10^6 bytes; the time includes reading the file; entries = harvested keys, values
 * scanned, top-level members or nodes). Exit status 1 when the file is unreadable or
 * invalid. */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "harvest.h"
#include "jsondoc.h"
#include "jsonscan.h"
#include "xmem.h"

#define BENCH_CHUNK ((size_t)1 << 20)

static void bench_die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_json: %s: %s\n", what, detail);
    exit(1);
}

/* Stream the file through jsonscan; returns the entry count. */
static uint64_t bench_stream(int fd, const char *path, int harvest, uint64_t *bytes)
{
    char *chunk = xmalloc(BENCH_CHUNK);
    struct harvest h;
    struct jsonscan *s;
    struct err err;
    uint64_t entries;

    harvest_init(&h);
    s = jsonscan_new(harvest ? harvest_json_leaf : NULL, &h);
    for (;;) {
        ssize_t got = read(fd, chunk, BENCH_CHUNK);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            bench_die(path, strerror(errno));
        }
        if (got == 0)
            break;
        *bytes += (uint64_t)got;
        if (jsonscan_feed(s, chunk, (size_t)got, &err) < 0)
            bench_die(path, err.msg);
    }
    if (jsonscan_finish(s, &err) < 0)
        bench_die(path, err.msg);
    entries = harvest ? h.n : jsonscan_stats(s)->values;
    jsonscan_free(s);
    harvest_fini(&h);
    free(chunk);
    return entries;
}

static char *bench_slurp(int fd, const char *path, uint64_t *bytes)
{
    struct stat st;
    char *data;
    size_t n = 0;

    if (fstat(fd, &st) < 0)
        bench_die(path, strerror(errno));
    data = xmalloc((size_t)st.st_size + 1);
    while (n < (size_t)st.st_size) {
        ssize_t got = read(fd, data + n, (size_t)st.st_size - n);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            bench_die(path, got < 0 ? strerror(errno) : "file shrank while reading");
        n += (size_t)got;
    }
    data[n] = '\0';
    *bytes = n;
    return data;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[2] : "harvest";
    uint64_t bytes = 0, entries = 0;
    int64_t t0;
    double secs;
    struct rusage ru;
    int fd;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_json FILE [harvest|validate|cjson|jsondoc]\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY);
    if (fd < 0)
        bench_die(argv[1], strerror(errno));
    t0 = clock_now_ns();
    if (strcmp(mode, "harvest") == 0 || strcmp(mode, "validate") == 0) {
        entries = bench_stream(fd, argv[1], strcmp(mode, "harvest") == 0, &bytes);
    } else if (strcmp(mode, "cjson") == 0) {
        char *data = bench_slurp(fd, argv[1], &bytes);
        cJSON *root = cJSON_ParseWithLength(data, (size_t)bytes);

        if (root == NULL)
            bench_die(argv[1], "cJSON cannot parse it");
        entries = (uint64_t)cJSON_GetArraySize(root);
        cJSON_Delete(root);
        free(data);
    } else if (strcmp(mode, "jsondoc") == 0) {
        char *data = bench_slurp(fd, argv[1], &bytes);
        struct err err;
        struct jsondoc *d = jsondoc_parse(data, (size_t)bytes, &err);

        if (d == NULL)
            bench_die(argv[1], err.msg);
        entries = jsondoc_nodes(d);
        jsondoc_free(d);
        free(data);
    } else {
        fprintf(stderr, "bench_json: unknown mode %s\n", mode);
        return 2;
    }
    secs = (double)(clock_now_ns() - t0) / 1e9;
    close(fd);
    getrusage(RUSAGE_SELF, &ru);
    printf("mode=%s bytes=%llu seconds=%.3f mb_per_s=%.1f peak_rss_kb=%ld entries=%llu\n", mode,
           (unsigned long long)bytes, secs, secs > 0 ? (double)bytes / 1e6 / secs : 0.0,
           ru.ru_maxrss, (unsigned long long)entries);
    return 0;
}
