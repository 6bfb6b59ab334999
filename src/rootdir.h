/* rootdir.h: the folder a command or view is rooted at, checked once, the same way for
 * the tree and the inventory. */
#ifndef SRC_ROOTDIR_H
#define SRC_ROOTDIR_H

#include "attrs.h"
#include "err.h"

/* Check that `path` ("" means ".") is a folder (a link to one is followed) and return it
 * without trailing slashes ("/" stays "/"); free() it. NULL with `err` set, naming the
 * path, when it does not exist or is not a folder. */
char *rootdir_check(const char *path, struct err *err) ATTR_MALLOC;

#endif
