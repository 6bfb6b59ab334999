/* keys.c: the key map. */
#include "keys.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)

/* Short texts: the help shows two columns of them on an 80-column-plus terminal. */
static const struct key_binding key_table[] = {
    {SCOPE_GLOBAL, ACT_HELP, "?  F1", "this help"},
    {SCOPE_GLOBAL, ACT_QUIT, "q", "quit (asks during a run)"},
    {SCOPE_GLOBAL, ACT_NEXT_PANE, "Tab", "next pane"},
    {SCOPE_GLOBAL, ACT_PREV_PANE, "Shift-Tab", "previous pane"},
    {SCOPE_GLOBAL, ACT_UP, "k  Up", "move up"},
    {SCOPE_GLOBAL, ACT_DOWN, "j  Down", "move down"},
    {SCOPE_GLOBAL, ACT_PAGE_UP, "PgUp  Ctrl-B", "page up"},
    {SCOPE_GLOBAL, ACT_PAGE_DOWN, "PgDn  Ctrl-F", "page down"},
    {SCOPE_GLOBAL, ACT_TOP, "g  Home", "first line"},
    {SCOPE_GLOBAL, ACT_BOTTOM, "G  End", "last line"},
    {SCOPE_GLOBAL, ACT_ANALYSE, "a", "analyse marked files / folder"},
    {SCOPE_GLOBAL, ACT_ANALYSE_ALL, "A", "analyse the whole root"},
    {SCOPE_GLOBAL, ACT_RERUN, "r", "run the last analysis again"},
    {SCOPE_GLOBAL, ACT_MODELS, "m", "choose the model"},
    {SCOPE_GLOBAL, ACT_PROFILE, "p", "profile, persona, options"},
    {SCOPE_GLOBAL, ACT_HISTORY, "H", "run history and compare"},
    {SCOPE_GLOBAL, ACT_CANCEL, "Esc", "stop the run, scan or load"},
    {SCOPE_GLOBAL, ACT_THEME, "T", "next theme"},
    {SCOPE_GLOBAL, ACT_REDRAW, "Ctrl-L", "redraw the screen"},
    {SCOPE_TREE, ACT_ENTER, "Enter", "open a folder / file"},
    {SCOPE_TREE, ACT_RIGHT, "l  Right", "open a folder"},
    {SCOPE_TREE, ACT_LEFT, "h  Left", "close, or go to the parent"},
    {SCOPE_TREE, ACT_MARK, "Space", "mark (a folder: its files)"},
    {SCOPE_TREE, ACT_UNMARK_ALL, "u", "unmark everything"},
    {SCOPE_TREE, ACT_FILTER, "/", "filter names (* ? [] glob)"},
    {SCOPE_TREE, ACT_NEXT_MATCH, "n", "next match"},
    {SCOPE_TREE, ACT_PREV_MATCH, "N", "previous match"},
    {SCOPE_TREE, ACT_SORT, "s", "sort: name, time, size"},
    {SCOPE_TREE, ACT_RESCAN, "R", "read the tree again"},
    {SCOPE_TREE, ACT_EXPAND_ALL, "*", "open all folders below"},
    {SCOPE_TREE, ACT_COLLAPSE_ALL, "-", "close every folder"},
    {SCOPE_METRICS, ACT_VIEW, "t", "CSV table / JSON section"},
    {SCOPE_METRICS, ACT_COL_PREV, "[", "previous sparkline column"},
    {SCOPE_METRICS, ACT_COL_NEXT, "]", "next sparkline column"},
    {SCOPE_METRICS, ACT_LEFT, "h  Left", "table: scroll left"},
    {SCOPE_METRICS, ACT_RIGHT, "l  Right", "table: scroll right"},
    {SCOPE_METRICS, ACT_ENTER, "Enter", "JSON: open or close a node"},
    {SCOPE_METRICS, ACT_EXPAND_ALL, "*", "JSON: open every node"},
    {SCOPE_METRICS, ACT_COLLAPSE_ALL, "-", "JSON: close every node"},
    {SCOPE_REPORT, ACT_BOTTOM, "G  End", "follow the stream again"},
    {SCOPE_REPORT, ACT_THINKING, "z", "fold or show the thinking"},
};

const struct key_binding *keys_table(size_t *n)
{
    *n = sizeof key_table / sizeof key_table[0];
    return key_table;
}

const char *keys_scope_name(enum key_scope s)
{
    switch (s) {
    case SCOPE_GLOBAL:
        return "Everywhere";
    case SCOPE_TREE:
        return "Artifacts tree";
    case SCOPE_METRICS:
        return "Metrics pane";
    case SCOPE_REPORT:
        return "Report pane";
    }
    return "";
}

enum action keys_action(int is_key, wint_t ch)
{
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            return ACT_UP;
        case KEY_DOWN:
            return ACT_DOWN;
        case KEY_LEFT:
            return ACT_LEFT;
        case KEY_RIGHT:
            return ACT_RIGHT;
        case KEY_PPAGE:
            return ACT_PAGE_UP;
        case KEY_NPAGE:
            return ACT_PAGE_DOWN;
        case KEY_HOME:
            return ACT_TOP;
        case KEY_END:
            return ACT_BOTTOM;
        case KEY_BTAB:
            return ACT_PREV_PANE;
        case KEY_ENTER:
            return ACT_ENTER;
        case KEY_F(1):
            return ACT_HELP;
        }
        return ACT_NONE;
    }
    switch (ch) {
    case 'k':
        return ACT_UP;
    case 'j':
        return ACT_DOWN;
    case 'h':
        return ACT_LEFT;
    case 'l':
        return ACT_RIGHT;
    case CTRL('b'):
        return ACT_PAGE_UP;
    case CTRL('f'):
        return ACT_PAGE_DOWN;
    case 'g':
        return ACT_TOP;
    case 'G':
        return ACT_BOTTOM;
    case '\t':
        return ACT_NEXT_PANE;
    case '\r':
    case '\n':
        return ACT_ENTER;
    case ' ':
        return ACT_MARK;
    case 'u':
        return ACT_UNMARK_ALL;
    case '/':
        return ACT_FILTER;
    case 'n':
        return ACT_NEXT_MATCH;
    case 'N':
        return ACT_PREV_MATCH;
    case 's':
        return ACT_SORT;
    case 'T':
        return ACT_THEME;
    case '?':
        return ACT_HELP;
    case 'q':
        return ACT_QUIT;
    case 27:
        return ACT_CANCEL;
    case CTRL('l'):
        return ACT_REDRAW;
    case 'R':
        return ACT_RESCAN;
    case 't':
        return ACT_VIEW;
    case '[':
        return ACT_COL_PREV;
    case ']':
        return ACT_COL_NEXT;
    case '*':
        return ACT_EXPAND_ALL;
    case '-':
        return ACT_COLLAPSE_ALL;
    case 'a':
        return ACT_ANALYSE;
    case 'A':
        return ACT_ANALYSE_ALL;
    case 'r':
        return ACT_RERUN;
    case 'm':
        return ACT_MODELS;
    case 'p':
        return ACT_PROFILE;
    case 'H':
        return ACT_HISTORY;
    case 'z':
        return ACT_THINKING;
    }
    return ACT_NONE;
}
