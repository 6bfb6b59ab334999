/* rootdir.c: checking and normalising a root folder. */
#include "rootdir.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "xmem.h"

char *rootdir_check(const char *path, struct err *err)
{
    struct stat st;
    size_t len;

    if (*path == '\0')
        path = ".";
    if (stat(path, &st) < 0) {
        err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        err_set(err, ENOTDIR, "%s is not a folder: give chimera the folder that holds the "
                              "benchmark artifacts", path);
        return NULL;
    }
    len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    return xstrndup(path, len);
}
