/* testutil.c: shared helpers for the unit tests. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void tu_die(const char *what, const char *path)
{
    fprintf(stderr, "testutil: %s %s: %s\n", what, path, strerror(errno));
    abort();
}

char *tu_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path;

    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    if (asprintf(&path, "%s/chimera-test-XXXXXX", tmp) < 0)
        abort();
    if (mkdtemp(path) == NULL)
        tu_die("mkdtemp", path);
    return path;
}

static int tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR) {
        chmod(path, 0700);
        rmdir(path);
    } else {
        unlink(path);
    }
    return 0;
}

void tu_rmtree(const char *path)
{
    char *cmd;

    /* make unreadable folders removable first */
    if (asprintf(&cmd, "chmod -R u+rwx '%s' 2>/dev/null", path) >= 0) {
        if (system(cmd) != 0) {
            /* ignored: nftw below still removes what it can */
        }
        free(cmd);
    }
    nftw(path, tu_rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

char *tu_join(const char *dir, const char *rel)
{
    char *p;

    if (asprintf(&p, "%s/%s", dir, rel) < 0)
        abort();
    return p;
}

void tu_mkdir(const char *dir, const char *rel)
{
    char *p = tu_join(dir, rel);

    for (char *s = p + strlen(dir) + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST)
                tu_die("mkdir", p);
            *s = '/';
        }
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        tu_die("mkdir", p);
    free(p);
}

void tu_touch(const char *dir, const char *rel, int64_t mtime)
{
    char *p = tu_join(dir, rel);
    struct timespec ts[2];

    ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    if (utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) < 0)
        tu_die("utimensat", p);
    free(p);
}

void tu_write(const char *dir, const char *rel, const char *data, size_t len, int64_t mtime)
{
    char *p = tu_join(dir, rel);
    const char *slash = strrchr(rel, '/');
    FILE *f;

    if (len == (size_t)-1)
        len = strlen(data);
    if (slash != NULL) {
        char *parent = strndup(rel, (size_t)(slash - rel));

        if (parent == NULL)
            abort();
        tu_mkdir(dir, parent);
        free(parent);
    }
    f = fopen(p, "wb");
    if (f == NULL)
        tu_die("fopen", p);
    if (len > 0 && fwrite(data, 1, len, f) != len)
        tu_die("fwrite", p);
    if (fclose(f) != 0)
        tu_die("fclose", p);
    free(p);
    if (mtime != 0)
        tu_touch(dir, rel, mtime);
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            data = realloc(data, cap + 1);
            if (data == NULL)
                abort();
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    data[n] = '\0';
    if (len != NULL)
        *len = n;
    return data;
}

int64_t tu_utc(int year, int mon, int day, int hour, int min, int sec)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm);
}

static const char *const tu_proxy_vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
                                            "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                            "no_proxy",   "NO_PROXY"};
#define TU_NPROXY (sizeof tu_proxy_vars / sizeof tu_proxy_vars[0])
static char *tu_proxy_saved[TU_NPROXY]; /* NULL: was unset */

void tu_proxy_env_clear(void)
{
    for (size_t i = 0; i < TU_NPROXY; i++) {
        const char *v = getenv(tu_proxy_vars[i]);

        free(tu_proxy_saved[i]);
        tu_proxy_saved[i] = v != NULL ? strdup(v) : NULL;
        unsetenv(tu_proxy_vars[i]);
    }
}

void tu_proxy_env_restore(void)
{
    for (size_t i = 0; i < TU_NPROXY; i++) {
        if (tu_proxy_saved[i] != NULL)
            setenv(tu_proxy_vars[i], tu_proxy_saved[i], 1);
        else
            unsetenv(tu_proxy_vars[i]);
        free(tu_proxy_saved[i]);
        tu_proxy_saved[i] = NULL;
    }
}
