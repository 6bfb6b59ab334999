/* term.h: the only module that starts and stops curses. It restores the terminal on
 * every way out: a normal exit, exit() from anywhere (atexit), fatal(), the signals the
 * loop turns into events (SIGTERM, SIGHUP, SIGINT) and crashes (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT: a handler writes the saved reset sequences and re-raises). */
#ifndef UI_TERM_H
#define UI_TERM_H

#include "err.h"

struct tty {
    int rows, cols;
    int ncolors;     /* 0 when colours are off (NO_COLOR, mono terminal) */
    int utf8;        /* the locale's codeset is UTF-8 */
    int mouse;       /* the terminal reports mouse events */
    int active;      /* curses is up */
};

/* Check that stdin/stdout are a terminal that can address the cursor, then start curses
 * (alternate screen, cbreak, no echo, keypad, non-blocking reads, mouse). -1 with `err`
 * set (not a terminal, TERM unknown or too dumb). `no_color` turns colours off. */
int term_start(struct tty *t, int no_color, struct err *err);
/* Leave curses and restore the terminal; safe to call more than once. */
void term_stop(void);
/* Re-read the window size after SIGWINCH and tell curses. */
void term_resize(struct tty *t);
/* Suspend for a child process or job control (endwin) and come back (refresh). */
void term_suspend(void);
void term_resume(void);

#endif
