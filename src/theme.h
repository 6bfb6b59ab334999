/* theme.h: theme files (themes/NAME.theme, read with inih) as a role -> style table.
 *
 * Drawing code asks only for a role (htop's ColorElements); colours are data. File form:
 *
 *     # comment
 *     [theme]
 *     name = Dark
 *     description = Default dark theme for 256-colour terminals
 *     [roles]
 *     tree.dir = bright-blue, default, bold
 *     status   = 252, 236
 *
 * A style is "fg[, bg[, attr attr ...]]". Colours: default, black, red, green, yellow,
 * blue, magenta, cyan, white, bright-<name> (8..15), gray/grey (= bright-black),
 * 0..255, or #rrggbb (mapped to the nearest of the 256-colour cube and grey ramp).
 * Attributes: bold, dim, underline, reverse, italic, standout, none (none = no
 * attributes). Colour and attribute names are case-insensitive; role names are not.
 * A role the file leaves out inherits from its parent role (tree.csv -> tree -> default);
 * so does a field a style leaves out or leaves empty ("status.key = 81" keeps the status
 * bar's background and attributes; ", , bold" changes only the attributes). `default`
 * is the terminal's own colour, not "inherit". Comments are whole lines starting with
 * '#' or ';', or " ;" inside a line ('#' inside a line is a colour). Keys go in [theme]
 * (name, description) or [roles]; anything else, a role given twice or a line longer
 * than 197 characters is an error. Lines may be indented.
 * On 8- or 16-colour terminals colours are reduced to the nearest available one. */
#ifndef SRC_THEME_H
#define SRC_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

enum theme_role {
    ROLE_DEFAULT,
    ROLE_BORDER,
    ROLE_BORDER_FOCUS,
    ROLE_TITLE,
    ROLE_TITLE_FOCUS,
    ROLE_TREE,
    ROLE_TREE_DIR,
    ROLE_TREE_CSV,
    ROLE_TREE_JSON,
    ROLE_TREE_MD,
    ROLE_TREE_OTHER,
    ROLE_TREE_LINK,
    ROLE_TREE_ERROR,
    ROLE_TREE_MARK,
    ROLE_TREE_COUNT,
    ROLE_TREE_SIZE,
    ROLE_TREE_CURSOR,
    ROLE_TREE_CURSOR_BLUR,
    ROLE_TREE_MATCH,
    ROLE_METRICS,
    ROLE_METRICS_LABEL,
    ROLE_METRICS_VALUE,
    ROLE_METRICS_NUMBER,
    ROLE_METRICS_HEADER,
    ROLE_METRICS_DIM,
    ROLE_METRICS_WARN,
    ROLE_METRICS_CURSOR,
    ROLE_SPARK,
    ROLE_TABLE_HEADER,
    ROLE_TABLE_CELL,
    ROLE_TABLE_ALT,
    ROLE_REPORT,
    ROLE_REPORT_HEADING,
    ROLE_REPORT_BULLET,
    ROLE_REPORT_BOLD,
    ROLE_REPORT_CODE,
    ROLE_REPORT_THINKING,
    ROLE_STATUS,
    ROLE_STATUS_STATE,
    ROLE_STATUS_KEY,
    ROLE_STATUS_ERROR,
    ROLE_STATUS_OK,
    ROLE_OVERLAY,
    ROLE_OVERLAY_TITLE,
    ROLE_OVERLAY_KEY,
    ROLE_PROMPT,
    ROLE_PROGRESS,
    ROLE_COUNT
};

#define THEME_COLOR_DEFAULT (-1)

enum {
    THEME_ATTR_BOLD = 1 << 0,
    THEME_ATTR_DIM = 1 << 1,
    THEME_ATTR_UNDERLINE = 1 << 2,
    THEME_ATTR_REVERSE = 1 << 3,
    THEME_ATTR_ITALIC = 1 << 4,
    THEME_ATTR_STANDOUT = 1 << 5
};

struct theme_style {
    int16_t fg, bg;  /* THEME_COLOR_DEFAULT or 0..255 */
    uint16_t attrs;
};

struct theme {
    char name[64];
    char description[128];
    struct theme_style roles[ROLE_COUNT];
};

/* "tree.csv" etc.; NULL for an out-of-range role. */
const char *theme_role_name(enum theme_role r);
/* The role for a name, or -1. */
int theme_role_from_name(const char *name);
/* The role a role inherits from when a theme leaves it out (ROLE_DEFAULT for top-level
 * roles; ROLE_DEFAULT inherits from nothing and returns itself). */
enum theme_role theme_role_parent(enum theme_role r);

/* The built-in fallback: no colours, attributes only (used under NO_COLOR and when no
 * theme file can be found). */
void theme_builtin(struct theme *t);
/* Parse theme text (n bytes, need not be NUL-terminated); `source` names it in errors
 * ("dark.theme:12: unknown role 'x'") and, without a `name` key, gives the theme its
 * name ("dir/dark.theme" -> "dark"). An unknown role, colour or attribute is an error
 * (a typo should not pass silently). On error `t` is left untouched. */
int theme_parse(struct theme *t, const char *text, size_t n, const char *source,
                struct err *err) ATTR_WUR;
/* Read and parse a theme file (at most 64 KiB); errors name `path`. */
int theme_load(struct theme *t, const char *path, struct err *err) ATTR_WUR;
/* Nearest colour on a terminal with `ncolors` colours, by RGB distance in xterm's
 * default palette: 256 and more: unchanged; 88..255: xterm's 88-colour palette;
 * 16..87: 0..15; 8..15: 0..7, where bright-X (8..15) becomes X; fewer than 8:
 * THEME_COLOR_DEFAULT. A grey is only mapped to a grey (black, white, bright-black,
 * bright-white, the 88-colour greys). THEME_COLOR_DEFAULT (and anything outside 0..255)
 * gives THEME_COLOR_DEFAULT. */
int theme_color_reduce(int color, int ncolors);

/* Theme files found in `dirs` (in order; a name found twice keeps the first), sorted by
 * file name. Fills arrays of names (file name without ".theme") and full paths; returns
 * the count. Free with theme_list_free. */
size_t theme_list(const char *const *dirs, size_t ndirs, char ***names, char ***paths);
void theme_list_free(char **names, char **paths, size_t n);

#endif
