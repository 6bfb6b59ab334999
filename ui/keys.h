/* keys.h: the key map. One table says which key does what and where; the panes act on
 * actions, and the help overlay is printed from the same table, so the help can never
 * disagree with what the keys do. */
#ifndef UI_KEYS_H
#define UI_KEYS_H

#include <stddef.h>
#include <wchar.h>

enum action {
    ACT_NONE,
    ACT_UP,
    ACT_DOWN,
    ACT_LEFT,
    ACT_RIGHT,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_TOP,
    ACT_BOTTOM,
    ACT_NEXT_PANE,
    ACT_PREV_PANE,
    ACT_ENTER,
    ACT_MARK,
    ACT_UNMARK_ALL,
    ACT_FILTER,
    ACT_NEXT_MATCH,
    ACT_PREV_MATCH,
    ACT_SORT,
    ACT_THEME,
    ACT_HELP,
    ACT_QUIT,
    ACT_CANCEL,
    ACT_REDRAW,
    ACT_RESCAN,
    ACT_VIEW,
    ACT_COL_PREV,
    ACT_COL_NEXT,
    ACT_EXPAND_ALL,
    ACT_COLLAPSE_ALL,
    ACT_ANALYSE,
    ACT_ANALYSE_ALL,
    ACT_RERUN,
    ACT_MODELS,
    ACT_PROFILE,
    ACT_HISTORY,
    ACT_THINKING
};

/* Where a binding applies, for the help overlay's grouping. */
enum key_scope {
    SCOPE_GLOBAL,
    SCOPE_TREE,
    SCOPE_METRICS,
    SCOPE_REPORT
};

struct key_binding {
    enum key_scope scope;
    enum action action;
    const char *keys;   /* as shown in the help: "j  Down" */
    const char *help;
};

/* The action for a key from wget_wch (`is_key` set for KEY_* codes). */
enum action keys_action(int is_key, wint_t ch);
/* Every binding, for the help overlay. */
const struct key_binding *keys_table(size_t *n);
const char *keys_scope_name(enum key_scope s);

#endif
