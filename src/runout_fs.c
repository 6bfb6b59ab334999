/* runout_fs.c: the run folder and atomic writes (SPEC section 5 step 7).
 *
 * A run must never overwrite an earlier one and never leave a half-written file under a
 * final name: the folder is created with mkdir (not "mkdir -p") so an existing name is
 * detected by the kernel in the same step that claims a new one (no check-then-create
 * race between two chimeras started in the same second), and each file goes to a
 * temporary name in the same folder, is flushed to disk and renamed over its final name,
 * and the folder itself is flushed so the rename survives a crash. */
#include "runout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xmem.h"

/* -2 .. -RUNOUT_MAX_SUFFIX: more runs of one profile in one second than this is a loop
 * gone wrong, not a user. */
#define RUNOUT_MAX_SUFFIX 1000

/* mkdir -p: every missing component of `path`, with the umask's permissions. */
static int runout_mkdirs(const char *path, struct err *err)
{
    char *p = xstrdup(path);
    struct stat st;

    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            err_set(err, errno, "cannot create folder '%s': %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) < 0 && errno != EEXIST) {
        err_set(err, errno, "cannot create folder '%s': %s", p, strerror(errno));
        free(p);
        return -1;
    }
    /* an existing name must be a folder (or a link to one) */
    if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;

        if (stat(p, &st) == 0)
            e = ENOTDIR;
        err_set(err, e, "cannot use '%s' for runs: %s", p, strerror(e));
        free(p);
        return -1;
    }
    free(p);
    return 0;
}

/* The profile as a piece of a file name: profile names are already [A-Za-z0-9._-], but a
 * '/' or a leading '.' from elsewhere must not make a path or a hidden folder. */
static void runout_name_part(const char *profile, char *out, size_t cap)
{
    size_t o = 0;

    if (profile == NULL || profile[0] == '\0')
        profile = "run";
    for (const char *s = profile; *s != '\0' && o + 1 < cap; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && o > 0);

        if (!ok)
            c = '_';
        out[o++] = c;
    }
    out[o] = '\0';
}

char *runout_make_dir(const char *out, const char *profile, time_t when, struct err *err)
{
    char stamp[32], part[64];
    struct tm tm;

    if (out == NULL || out[0] == '\0') {
        err_set(err, EINVAL, "no folder for runs was given");
        return NULL;
    }
    if (runout_mkdirs(out, err) < 0)
        return NULL;
    if (localtime_r(&when, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0) {
        err_set(err, EINVAL, "cannot name a run folder for time %lld", (long long)when);
        return NULL;
    }
    runout_name_part(profile, part, sizeof part);
    for (int n = 1; n <= RUNOUT_MAX_SUFFIX; n++) {
        char *path = n == 1 ? xasprintf("%s/%s-%s", out, stamp, part)
                            : xasprintf("%s/%s-%s-%d", out, stamp, part, n);

        if (mkdir(path, 0777) == 0)
            return path;
        if (errno != EEXIST) {
            err_set(err, errno, "cannot create run folder '%s': %s", path, strerror(errno));
            free(path);
            return NULL;
        }
        free(path);
    }
    err_set(err, EEXIST, "cannot create a run folder in '%s': %d folders named %s-%s exist", out,
            RUNOUT_MAX_SUFFIX, stamp, part);
    return NULL;
}

/* write() all of data, through short writes and signals. */
static int runout_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The permissions a plain open(O_CREAT, 0666) would give: mkostemp makes 0600, but a
 * report is meant to be read like any other file the user creates. */
static mode_t runout_file_mode(void)
{
    mode_t mask = umask(022);

    umask(mask);
    return 0666 & ~mask;
}

int runout_write_atomic(const char *dir, const char *name, const char *data, size_t len,
                        struct err *err)
{
    char *tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, name);
    char *final = xasprintf("%s/%s", dir, name);
    const char *step;
    int fd, dfd, e;

    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        err_set(err, e, "cannot write '%s': %s", final, strerror(e));
        free(tmp);
        free(final);
        return -1;
    }
    step = "write";
    if (fchmod(fd, runout_file_mode()) < 0 || runout_write_all(fd, data, len) < 0)
        goto fail_open;
    step = "flush";
    if (fsync(fd) < 0)
        goto fail_open;
    /* close() can report a deferred write error (NFS, quotas): it counts */
    step = "close";
    if (close(fd) < 0) {
        fd = -1;
        goto fail_open;
    }
    fd = -1;
    step = "rename";
    if (rename(tmp, final) < 0)
        goto fail_open;
    free(tmp);
    tmp = NULL;
    /* make the rename itself durable; some file systems cannot sync a folder (EINVAL),
     * and there the rename is as durable as they make anything */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL)) {
        e = errno;
        if (dfd >= 0)
            close(dfd);
        err_set(err, e, "cannot write '%s': flushing the folder: %s", final, strerror(e));
        free(final);
        return -1;
    }
    close(dfd);
    free(final);
    return 0;

fail_open:
    e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    err_set(err, e, "cannot write '%s' (%s): %s", final, step, strerror(e));
    free(tmp);
    free(final);
    return -1;
}
