/* bench_scan.c: time and memory of the artifact tree's full scan (ftree).
 *
 * Usage: bench_scan DIR [scan|watch|events]
 *   scan    ftree_open(DIR) with no watch, ftree_scan_all, ftree_step until idle: what the
 *           TUI does in the background, without live updates (the default)
 *   watch   the same with a struct watch, so every folder read also gets an inotify
 *           watch: the cost of live updates during the scan
 *   events  watch, then create BENCH_EVENT_FILES files in the first folder that holds
 *           files, drain the inotify events through ftree_apply_event, delete them and
 *           drain again: the cost of following changes (reported per event)
 * Prints one line of key=value pairs:
 *   mode files dirs unreadable watches seconds (open + scan, CLOCK_MONOTONIC)
 *   cpu_seconds peak_rss_kb (VmHWM) rss_kb (VmRSS growth from before ftree_open to after
 *   the scan) rss_per_file_b (that growth / files) heap_per_file_b (malloc'd bytes held by
 *   the tree / files, from mallinfo2: the model's own footprint without page rounding)
 *   and for events: events seconds_events us_per_event.
 * `files` counts every entry read (files, folders, links), as ftree_progress does.
 * Exit status 1 when DIR cannot be opened or a watch cannot be created. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "ftree.h"
#include "watch.h"

#define BENCH_EVENT_FILES 1000
/* How long to wait for more inotify events before deciding the queue is drained. */
#define BENCH_DRAIN_IDLE_MS 50

struct bench_mem {
    long rss_kb;
    long hwm_kb;
};

/* VmRSS and VmHWM of this process, in kB (-1 when /proc is not there). */
static void bench_mem_read(struct bench_mem *m)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];

    m->rss_kb = m->hwm_kb = -1;
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            m->rss_kb = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            m->hwm_kb = strtol(line + 6, NULL, 10);
    }
    fclose(f);
}

/* Bytes handed out by malloc and not yet freed. */
static size_t bench_heap_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

static double bench_cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

struct bench_events {
    struct ftree *tree;
    unsigned long long n;
};

static void bench_on_event(const struct watch_event *ev, void *arg)
{
    struct bench_events *b = arg;

    ftree_apply_event(b->tree, ev);
    b->n++;
}

/* Apply events until none arrives for BENCH_DRAIN_IDLE_MS; returns the time spent
 * inside watch_read (and so ftree_apply_event), not the idle wait. */
static double bench_drain(struct watch *w, struct bench_events *b)
{
    struct pollfd pfd = {.fd = watch_fd(w), .events = POLLIN, .revents = 0};
    int64_t busy = 0;

    while (poll(&pfd, 1, BENCH_DRAIN_IDLE_MS) > 0) {
        int64_t t0 = clock_now_ns();

        if (watch_read(w, bench_on_event, b) < 0)
            break;
        ftree_step(b->tree, 0); /* folders re-read after an overflow */
        busy += clock_now_ns() - t0;
    }
    return (double)busy / 1e9;
}

/* A folder of the tree that holds regular files (so it is watched and read): the first
 * found depth-first, or the root. */
static const struct fnode *bench_file_dir(const struct fnode *dir)
{
    for (const struct fnode *c = dir->child; c != NULL; c = c->next)
        if (c->type == FNODE_FILE)
            return dir;
    for (const struct fnode *c = dir->child; c != NULL; c = c->next) {
        const struct fnode *d = c->type == FNODE_DIR ? bench_file_dir(c) : NULL;

        if (d != NULL)
            return d;
    }
    return NULL;
}

/* Create then delete BENCH_EVENT_FILES files in a watched folder, applying the events.
 * Returns 0, or -1 when the files cannot be created. */
static int bench_events(struct ftree *t, struct watch *w, unsigned long long *nev, double *secs)
{
    const struct fnode *dir = bench_file_dir(ftree_root(t));
    struct bench_events b = {t, 0};
    char *path;
    char name[4096];
    int rc = 0;

    if (dir == NULL)
        dir = ftree_root(t);
    path = ftree_path(t, dir);
    *secs = 0;
    for (int i = 0; i < BENCH_EVENT_FILES; i++) {
        int fd;

        snprintf(name, sizeof name, "%s/bench_event_%04d.csv", path, i);
        fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            fprintf(stderr, "bench_scan: cannot create %s: %s\n", name, strerror(errno));
            rc = -1;
            break;
        }
        if (write(fd, "a,b\n1,2\n", 8) != 8)
            rc = -1;
        close(fd);
    }
    *secs += bench_drain(w, &b);
    for (int i = 0; i < BENCH_EVENT_FILES; i++) {
        snprintf(name, sizeof name, "%s/bench_event_%04d.csv", path, i);
        unlink(name);
    }
    *secs += bench_drain(w, &b);
    free(path);
    *nev = b.n;
    return rc;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[2] : "scan";
    int use_watch, do_events;
    struct bench_mem before, after;
    struct ftree_progress pr;
    struct watch *w = NULL;
    struct ftree *t;
    struct err err;
    size_t heap0, heap1;
    int64_t t0, t1;
    unsigned long long nev = 0;
    double secs_ev = 0, secs;

    if (argc < 2 || argc > 3 ||
        (strcmp(mode, "scan") != 0 && strcmp(mode, "watch") != 0 &&
         strcmp(mode, "events") != 0)) {
        fprintf(stderr, "usage: bench_scan DIR [scan|watch|events]\n");
        return 2;
    }
    use_watch = strcmp(mode, "scan") != 0;
    do_events = strcmp(mode, "events") == 0;
    bench_mem_read(&before);
    heap0 = bench_heap_bytes();
    t0 = clock_now_ns();
    if (use_watch) {
        w = watch_new(&err);
        if (w == NULL) {
            fprintf(stderr, "bench_scan: %s\n", err.msg);
            return 1;
        }
    }
    t = ftree_open(argv[1], w, NULL, &err);
    if (t == NULL) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        watch_free(w);
        return 1;
    }
    ftree_scan_all(t);
    while (ftree_step(t, 0))
        ;
    t1 = clock_now_ns();
    bench_mem_read(&after);
    heap1 = bench_heap_bytes();
    ftree_progress(t, &pr);
    secs = (double)(t1 - t0) / 1e9;
    if (pr.watch_failed)
        fprintf(stderr, "bench_scan: some folders are not watched: %s\n", pr.watch_msg);
    if (do_events && bench_events(t, w, &nev, &secs_ev) < 0) {
        ftree_free(t);
        watch_free(w);
        return 1;
    }
    {
        unsigned long long files = pr.files ? pr.files : 1;
        long rss_kb = after.rss_kb - before.rss_kb;

        printf("mode=%s files=%llu dirs=%llu unreadable=%llu watches=%d seconds=%.4f "
               "cpu_seconds=%.3f peak_rss_kb=%ld rss_kb=%ld rss_per_file_b=%.1f "
               "heap_per_file_b=%.1f",
               mode, (unsigned long long)pr.files, (unsigned long long)pr.dirs,
               (unsigned long long)pr.unreadable, w ? watch_count(w) : 0, secs,
               bench_cpu_seconds(), after.hwm_kb, rss_kb, (double)rss_kb * 1024.0 / (double)files,
               heap1 > heap0 ? (double)(heap1 - heap0) / (double)files : 0.0);
        if (do_events)
            printf(" events=%llu seconds_events=%.4f us_per_event=%.1f", nev, secs_ev,
                   nev ? secs_ev * 1e6 / (double)nev : 0.0);
        putchar('\n');
    }
    ftree_free(t);
    watch_free(w);
    return 0;
}
