/* err.h: the error buffer every fallible call fills (tmux's `cause`, as a struct).
 *
 * A function that can fail returns -1 (or NULL) and, when `err` is not NULL, writes a
 * message that names what failed and, where it helps, what to do. src/ never prints. */
#ifndef SRC_ERR_H
#define SRC_ERR_H

#include "attrs.h"

#define ERR_MSG_MAX 256

struct err {
    int code; /* an errno value or a module-specific code; 0 when unset */
    char msg[ERR_MSG_MAX];
};

/* Fill `err` (NULL is allowed and ignored); the message is truncated to fit. */
void err_set(struct err *err, int code, const char *fmt, ...) ATTR_FORMAT(3, 4);

/* Reset to "no error". */
void err_clear(struct err *err);

/* Prefix the current message with "<prefix>: ", keeping the code. */
void err_prefix(struct err *err, const char *fmt, ...) ATTR_FORMAT(2, 3);

#endif
