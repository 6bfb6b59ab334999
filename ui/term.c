/* term.c: curses start-up and terminal restoration. */
#include "term.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "xmem.h"

/* What the crash handler writes: saved at start-up, since a signal handler may only call
 * async-signal-safe functions (write, tcsetattr), never curses. These statics are set
 * once before the handlers are installed and only read afterwards. */
static struct termios saved_tio;
static int saved_tio_ok;
static char reset_seq[256];
static size_t reset_len;
static int curses_up;

static void term_append_cap(const char *cap)
{
    const char *s = tigetstr(cap);
    size_t n;

    if (s == NULL || s == (char *)-1)
        return;
    n = strlen(s);
    if (reset_len + n < sizeof reset_seq) {
        memcpy(reset_seq + reset_len, s, n);
        reset_len += n;
    }
}

static void term_crash_handler(int sig)
{
    if (curses_up) {
        /* mouse reporting off, normal screen, visible cursor, attributes reset */
        static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1006l";
        /* nothing can be done about a failed write here: the results are ignored */
        if (write(STDOUT_FILENO, mouse_off, sizeof mouse_off - 1) < 0 ||
            write(STDOUT_FILENO, reset_seq, reset_len) < 0) {
        }
        if (saved_tio_ok)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void term_install_crash_handlers(void)
{
#if !defined(__SANITIZE_ADDRESS__)
    /* under AddressSanitizer its own reports matter more than a clean screen */
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = term_crash_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
#endif
}

void term_stop(void)
{
    if (!curses_up)
        return;
    curses_up = 0;
    mousemask(0, NULL);
    curs_set(1);
    endwin();
    fflush(stdout);
}

static void term_stop_atexit(void)
{
    term_stop();
}

int term_start(struct tty *t, int no_color, struct err *err)
{
    const char *termname = getenv("TERM");
    int setup_err = 0;
    static int atexit_done;

    memset(t, 0, sizeof *t);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        err_set(err, ENOTTY, "the TUI needs a terminal; for text output use `chimera "
                             "inventory DIR` (or --json)");
        return -1;
    }
    if (termname == NULL || *termname == '\0') {
        err_set(err, EINVAL, "TERM is not set; set it to your terminal (e.g. "
                             "TERM=xterm-256color) or use `chimera inventory DIR`");
        return -1;
    }
    if (setupterm(NULL, STDOUT_FILENO, &setup_err) != OK) {
        err_set(err, EINVAL, "unknown terminal type TERM=%s; set TERM to one your system "
                             "knows (e.g. xterm-256color)", termname);
        return -1;
    }
    {
        const char *cup = tigetstr("cup");

        if (cup == NULL || cup == (char *)-1) {
            err_set(err, EINVAL, "terminal TERM=%s cannot move the cursor, so a full-screen "
                                 "view is impossible; use `chimera inventory DIR` for text "
                                 "output or set TERM=xterm-256color", termname);
            del_curterm(cur_term);
            return -1;
        }
    }
    del_curterm(cur_term);
    if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
        saved_tio_ok = 1;
    t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    set_escdelay(25); /* Esc must feel instant; 25 ms still joins escape sequences */
    if (initscr() == NULL) {
        err_set(err, EINVAL, "cannot start curses on TERM=%s", termname);
        return -1;
    }
    curses_up = 1;
    reset_len = 0;
    term_append_cap("sgr0");
    term_append_cap("cnorm");
    term_append_cap("rmkx");
    term_append_cap("rmcup");
    if (!atexit_done) {
        atexit(term_stop_atexit);
        atexit_done = 1;
    }
    xmem_set_fatal_hook(term_stop);
    term_install_crash_handlers();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (!no_color && has_colors()) {
        start_color();
        use_default_colors();
        t->ncolors = COLORS;
    }
    mouseinterval(0); /* report presses at once; double clicks are timed by the app */
    t->mouse = mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED |
                             BUTTON5_PRESSED | BUTTON3_PRESSED,
                         NULL) != 0;
    t->rows = LINES;
    t->cols = COLS;
    t->active = 1;
    /* keys are read through stdscr, and a read refreshes a modified window: flush it once
     * now so that it never paints over the panes later */
    refresh();
    return 0;
}

void term_resize(struct tty *t)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    t->rows = LINES;
    t->cols = COLS;
}

void term_suspend(void)
{
    if (curses_up)
        endwin();
}

void term_resume(void)
{
    if (curses_up) {
        refresh();
        clearok(curscr, TRUE);
    }
}
