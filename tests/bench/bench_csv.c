/* bench_csv.c: throughput and peak memory of the CSV reader.
 *
 * Usage: bench_csv FILE [full|harvest|parse|libcsv] [-v]
 *   full     csv_reader in CSV_MODE_FULL (statistics, table prefix, sparklines)
 *   harvest  csv_reader in CSV_MODE_HARVEST (shape, header, first10, validity)
 *   parse    the same 1 MiB reads fed to csvsrc with empty callbacks: the parser alone
 *   libcsv   the same with csvsrc's fast path off, so every byte goes through libcsv
 * Prints one line: mode=... bytes=... seconds=... mb_per_s=... peak_rss_kb=... cpu_seconds=...
 * plus the shape, and for full mode the memory the table prefix holds (table_kb: cell
 * bytes, NULs and index). mb_per_s counts MiB (2^20 bytes), like gen_csv.py's SIZE_MB;
 * cpu_seconds (user + system) is steadier than wall time on a shared machine. Steps run
 * with a 10 ms deadline, as the front-end would slice them. -v prints per-column
 * statistics on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "csvsrc.h"
#include "csvstats.h"
#include "err.h"

#define BENCH_CHUNK ((size_t)1 << 20)
#define BENCH_SLICE_NS (10 * CLOCK_NS_PER_MS)

struct bench_count {
    unsigned long long fields, rows;
};

static void bench_field(const char *data, size_t len, size_t col, void *arg)
{
    struct bench_count *c = arg;

    (void)data;
    (void)len;
    (void)col;
    c->fields++;
}

static void bench_row(size_t nfields, void *arg)
{
    struct bench_count *c = arg;

    (void)nfields;
    c->rows++;
}

/* User + system CPU seconds: steadier than wall time on a shared machine. */
static double bench_cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long bench_peak_rss_kb(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return ru.ru_maxrss; /* kilobytes on Linux */
}

static int bench_parse(const char *path, int fast, unsigned long long *bytes,
                       struct bench_count *count)
{
    int fd = open(path, O_RDONLY);
    char *chunk = malloc(BENCH_CHUNK);
    struct csvsrc *src = csvsrc_new(',', 64u << 20, bench_field, bench_row, count);
    struct err err;
    int rc = 0;

    csvsrc_set_fast(src, fast);
    if (fd < 0 || chunk == NULL) {
        fprintf(stderr, "bench_csv: cannot open %s: %s\n", path, strerror(errno));
        rc = -1;
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, BENCH_CHUNK);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        *bytes += (unsigned long long)n;
        if (csvsrc_feed(src, chunk, (size_t)n, &err) < 0) {
            fprintf(stderr, "bench_csv: %s\n", err.msg);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && csvsrc_finish(src, &err) < 0) {
        fprintf(stderr, "bench_csv: %s\n", err.msg);
        rc = -1;
    }
out:
    csvsrc_free(src);
    free(chunk);
    if (fd >= 0)
        close(fd);
    return rc;
}

static unsigned long long bench_table_bytes(const struct csv_reader *r, const struct csv_summary *s)
{
    unsigned long long total = (s->table_rows + 1) * sizeof(uint32_t);

    for (size_t row = 0; row < s->table_rows; row++) {
        for (size_t col = 0; col < s->ncols; col++) {
            size_t len;

            csv_reader_cell(r, row, col, &len);
            total += len + 1 + sizeof(uint32_t);
        }
    }
    return total;
}

static void bench_verbose(const struct csv_summary *s)
{
    for (size_t i = 0; i < s->ncols; i++) {
        const struct csv_column *c = &s->cols[i];

        fprintf(stderr,
                "%-18s %-6s n=%llu missing=%llu other=%llu min=%g mean=%g max=%g sd=%g "
                "p50=%g p95=%g%s distinct=%llu%s",
                c->name, csv_coltype_name(c->type), (unsigned long long)c->n,
                (unsigned long long)c->missing, (unsigned long long)c->other, c->min, c->mean,
                c->max, c->stddev, c->p50, c->p95, c->pct_exact ? "" : "~",
                (unsigned long long)c->distinct, c->top_exact ? "" : "+");
        for (int j = 0; j < c->ntop; j++)
            fprintf(stderr, " [%s]=%llu", c->top[j].value, (unsigned long long)c->top[j].count);
        fputc('\n', stderr);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[2] : "full";
    int verbose = argc > 3 && strcmp(argv[3], "-v") == 0;
    unsigned long long bytes = 0, rows = 0, table_kb = 0;
    size_t ncols = 0, table_rows = 0;
    struct bench_count count = {0, 0};
    int64_t t0, t1;
    double secs, cpu;

    if (argc < 2 || (strcmp(mode, "full") != 0 && strcmp(mode, "harvest") != 0 &&
                     strcmp(mode, "libcsv") != 0 && strcmp(mode, "parse") != 0)) {
        fprintf(stderr, "usage: bench_csv FILE [full|harvest|parse|libcsv] [-v]\n");
        return 2;
    }
    t0 = clock_now_ns();
    if (strcmp(mode, "libcsv") == 0 || strcmp(mode, "parse") == 0) {
        if (bench_parse(argv[1], strcmp(mode, "parse") == 0, &bytes, &count) < 0)
            return 1;
        rows = count.rows;
    } else {
        struct err err;
        struct csv_reader *r = csv_reader_open(
            argv[1], strcmp(mode, "full") == 0 ? CSV_MODE_FULL : CSV_MODE_HARVEST, &err);
        const struct csv_summary *s;
        int rc;

        if (r == NULL) {
            fprintf(stderr, "bench_csv: %s\n", err.msg);
            return 1;
        }
        do {
            rc = csv_reader_step(r, clock_now_ns() + BENCH_SLICE_NS, &err);
        } while (rc > 0);
        if (rc < 0) {
            fprintf(stderr, "bench_csv: %s\n", err.msg);
            csv_reader_free(r);
            return 1;
        }
        t1 = clock_now_ns();
        cpu = bench_cpu_seconds();
        s = csv_reader_summary(r);
        bytes = s->bytes_done;
        rows = s->rows;
        ncols = s->ncols;
        table_rows = s->table_rows;
        table_kb = bench_table_bytes(r, s) / 1024;
        if (verbose)
            bench_verbose(s);
        csv_reader_free(r);
        secs = (double)(t1 - t0) / 1e9;
        printf("mode=%s bytes=%llu seconds=%.3f mb_per_s=%.1f peak_rss_kb=%ld cpu_seconds=%.3f "
               "rows=%llu cols=%zu table_rows=%zu table_kb=%llu\n",
               mode, bytes, secs, (double)bytes / 1048576.0 / secs, bench_peak_rss_kb(), cpu, rows,
               ncols, table_rows, table_kb);
        return 0;
    }
    t1 = clock_now_ns();
    secs = (double)(t1 - t0) / 1e9;
    printf("mode=%s bytes=%llu seconds=%.3f mb_per_s=%.1f peak_rss_kb=%ld cpu_seconds=%.3f "
           "rows=%llu fields=%llu\n",
           mode, bytes, secs, (double)bytes / 1048576.0 / secs, bench_peak_rss_kb(),
           bench_cpu_seconds(), rows, count.fields);
    return 0;
}
