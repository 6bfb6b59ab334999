/* testutil.h: helpers shared by the cmocka unit tests (temporary trees, files with
 * fixed times, reading files back). Everything aborts the test run on failure. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh empty directory under $TMPDIR (or /tmp); free() the returned path. */
char *tu_mkdtemp(void);
/* Remove a tree (never follows symbolic links). */
void tu_rmtree(const char *path);
/* Create `dir/rel` with `data` (len bytes; (size_t)-1 = strlen), parents as needed,
 * and set its modification time to `mtime` (seconds since the epoch, UTC) unless 0. */
void tu_write(const char *dir, const char *rel, const char *data, size_t len, int64_t mtime);
/* mkdir -p dir/rel */
void tu_mkdir(const char *dir, const char *rel);
/* Set the mtime of dir/rel. */
void tu_touch(const char *dir, const char *rel, int64_t mtime);
/* Read a whole file; free() it. *len may be NULL. NULL if it cannot be read. */
char *tu_read(const char *path, size_t *len);
/* dir + "/" + rel; free() it. */
char *tu_join(const char *dir, const char *rel);
/* Seconds since the epoch for a UTC date-time. */
int64_t tu_utc(int year, int mon, int day, int hour, int min, int sec);
/* Save and unset the proxy variables (http_proxy, HTTPS_PROXY, ALL_PROXY, no_proxy and
 * their other spellings); tu_proxy_env_restore puts them back. For a test's set-up and
 * tear-down, so that a failing test leaves no proxy behind for the next ones. */
void tu_proxy_env_clear(void);
void tu_proxy_env_restore(void);

#endif
