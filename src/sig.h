/* sig.h: signals as a readable descriptor (a self-pipe), so they are handled as loop
 * events and nothing but a write(2) happens in signal context (tmux's proc_set_signals).
 *
 * The pipe's descriptors are the one piece of global state the style guide allows. */
#ifndef SRC_SIG_H
#define SRC_SIG_H

#include "attrs.h"
#include "err.h"

enum {
    SIG_WINCH = 1 << 0,
    SIG_TERM = 1 << 1,
    SIG_INT = 1 << 2,
    SIG_HUP = 1 << 3,
    SIG_CHLD = 1 << 4,
    SIG_CONT = 1 << 5
};

/* Install handlers for SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGCHLD and SIGCONT and ignore
 * SIGPIPE. Returns the read end of the pipe (non-blocking, close-on-exec) or -1. */
int sig_init(struct err *err);
/* Drain the pipe: the SIG_* bits of the signals received since the last call. */
unsigned sig_read(void);
/* Restore default dispositions and close the pipe. */
void sig_fini(void);

#endif
