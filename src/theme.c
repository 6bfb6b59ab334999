/* theme.c: theme files (read with inih) into a role -> style table.
 *
 * inih reads the text through theme_reader(), which feeds it one line at a time. That
 * gives us the line number of every key (the Debian build has no lineno handler), lets
 * us reject over-long lines and NUL bytes instead of having inih split them silently,
 * and strips leading blanks so an indented line is a normal line, not a multi-line
 * continuation of the previous key. Limits: a line holds at most ini_max_line - 3
 * characters (197 with the default build); a theme file at most THEME_MAX_BYTES. */
#include "theme.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "xmem.h"

#define THEME_MAX_BYTES ((size_t)64 * 1024)
#define THEME_EXT ".theme"

static const char *const theme_role_names[ROLE_COUNT] = {
    [ROLE_DEFAULT] = "default",
    [ROLE_BORDER] = "border",
    [ROLE_BORDER_FOCUS] = "border.focus",
    [ROLE_TITLE] = "title",
    [ROLE_TITLE_FOCUS] = "title.focus",
    [ROLE_TREE] = "tree",
    [ROLE_TREE_DIR] = "tree.dir",
    [ROLE_TREE_CSV] = "tree.csv",
    [ROLE_TREE_JSON] = "tree.json",
    [ROLE_TREE_MD] = "tree.md",
    [ROLE_TREE_OTHER] = "tree.other",
    [ROLE_TREE_LINK] = "tree.link",
    [ROLE_TREE_ERROR] = "tree.error",
    [ROLE_TREE_MARK] = "tree.mark",
    [ROLE_TREE_COUNT] = "tree.count",
    [ROLE_TREE_SIZE] = "tree.size",
    [ROLE_TREE_CURSOR] = "tree.cursor",
    [ROLE_TREE_CURSOR_BLUR] = "tree.cursor-blur",
    [ROLE_TREE_MATCH] = "tree.match",
    [ROLE_METRICS] = "metrics",
    [ROLE_METRICS_LABEL] = "metrics.label",
    [ROLE_METRICS_VALUE] = "metrics.value",
    [ROLE_METRICS_NUMBER] = "metrics.number",
    [ROLE_METRICS_HEADER] = "metrics.header",
    [ROLE_METRICS_DIM] = "metrics.dim",
    [ROLE_METRICS_WARN] = "metrics.warn",
    [ROLE_METRICS_CURSOR] = "metrics.cursor",
    [ROLE_SPARK] = "spark",
    [ROLE_TABLE_HEADER] = "table.header",
    [ROLE_TABLE_CELL] = "table.cell",
    [ROLE_TABLE_ALT] = "table.alt",
    [ROLE_REPORT] = "report",
    [ROLE_REPORT_HEADING] = "report.heading",
    [ROLE_REPORT_BULLET] = "report.bullet",
    [ROLE_REPORT_BOLD] = "report.bold",
    [ROLE_REPORT_CODE] = "report.code",
    [ROLE_REPORT_THINKING] = "report.thinking",
    [ROLE_STATUS] = "status",
    [ROLE_STATUS_STATE] = "status.state",
    [ROLE_STATUS_KEY] = "status.key",
    [ROLE_STATUS_ERROR] = "status.error",
    [ROLE_STATUS_OK] = "status.ok",
    [ROLE_OVERLAY] = "overlay",
    [ROLE_OVERLAY_TITLE] = "overlay.title",
    [ROLE_OVERLAY_KEY] = "overlay.key",
    [ROLE_PROMPT] = "prompt",
    [ROLE_PROGRESS] = "progress",
};

/* Every parent comes earlier in the enum, so resolving in enum order sees parents
 * first; theme_resolve() does not rely on it anyway. The table and the metrics pane
 * share a look (tables live in that pane), and the prompt and progress bar sit in the
 * status line. Kept one role per line, which clang-format would pack into columns. */
/* clang-format off */
static const enum theme_role theme_role_parents[ROLE_COUNT] = {
    [ROLE_DEFAULT] = ROLE_DEFAULT,
    [ROLE_BORDER] = ROLE_DEFAULT,
    [ROLE_BORDER_FOCUS] = ROLE_BORDER,
    [ROLE_TITLE] = ROLE_DEFAULT,
    [ROLE_TITLE_FOCUS] = ROLE_TITLE,
    [ROLE_TREE] = ROLE_DEFAULT,
    [ROLE_TREE_DIR] = ROLE_TREE,
    [ROLE_TREE_CSV] = ROLE_TREE,
    [ROLE_TREE_JSON] = ROLE_TREE,
    [ROLE_TREE_MD] = ROLE_TREE,
    [ROLE_TREE_OTHER] = ROLE_TREE,
    [ROLE_TREE_LINK] = ROLE_TREE,
    [ROLE_TREE_ERROR] = ROLE_TREE,
    [ROLE_TREE_MARK] = ROLE_TREE,
    [ROLE_TREE_COUNT] = ROLE_TREE,
    [ROLE_TREE_SIZE] = ROLE_TREE,
    [ROLE_TREE_CURSOR] = ROLE_TREE,
    [ROLE_TREE_CURSOR_BLUR] = ROLE_TREE,
    [ROLE_TREE_MATCH] = ROLE_TREE,
    [ROLE_METRICS] = ROLE_DEFAULT,
    [ROLE_METRICS_LABEL] = ROLE_METRICS,
    [ROLE_METRICS_VALUE] = ROLE_METRICS,
    [ROLE_METRICS_NUMBER] = ROLE_METRICS,
    [ROLE_METRICS_HEADER] = ROLE_METRICS,
    [ROLE_METRICS_DIM] = ROLE_METRICS,
    [ROLE_METRICS_WARN] = ROLE_METRICS,
    [ROLE_METRICS_CURSOR] = ROLE_METRICS,
    [ROLE_SPARK] = ROLE_METRICS,
    [ROLE_TABLE_HEADER] = ROLE_METRICS,
    [ROLE_TABLE_CELL] = ROLE_METRICS,
    [ROLE_TABLE_ALT] = ROLE_METRICS,
    [ROLE_REPORT] = ROLE_DEFAULT,
    [ROLE_REPORT_HEADING] = ROLE_REPORT,
    [ROLE_REPORT_BULLET] = ROLE_REPORT,
    [ROLE_REPORT_BOLD] = ROLE_REPORT,
    [ROLE_REPORT_CODE] = ROLE_REPORT,
    [ROLE_REPORT_THINKING] = ROLE_REPORT,
    [ROLE_STATUS] = ROLE_DEFAULT,
    [ROLE_STATUS_STATE] = ROLE_STATUS,
    [ROLE_STATUS_KEY] = ROLE_STATUS,
    [ROLE_STATUS_ERROR] = ROLE_STATUS,
    [ROLE_STATUS_OK] = ROLE_STATUS,
    [ROLE_OVERLAY] = ROLE_DEFAULT,
    [ROLE_OVERLAY_TITLE] = ROLE_OVERLAY,
    [ROLE_OVERLAY_KEY] = ROLE_OVERLAY,
    [ROLE_PROMPT] = ROLE_STATUS,
    [ROLE_PROGRESS] = ROLE_STATUS,
};
/* clang-format on */

/* The NO_COLOR look: every distinction a colour theme makes must survive as an
 * attribute, or the cursor and the focused pane would be invisible. Keep
 * themes/mono.theme in step (a unit test compares them). */
static const uint16_t theme_builtin_attrs[ROLE_COUNT] = {
    [ROLE_BORDER_FOCUS] = THEME_ATTR_BOLD,
    [ROLE_TITLE_FOCUS] = THEME_ATTR_BOLD,
    [ROLE_TREE_DIR] = THEME_ATTR_BOLD,
    [ROLE_TREE_LINK] = THEME_ATTR_ITALIC,
    [ROLE_TREE_ERROR] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
    [ROLE_TREE_MARK] = THEME_ATTR_BOLD,
    [ROLE_TREE_COUNT] = THEME_ATTR_DIM,
    [ROLE_TREE_SIZE] = THEME_ATTR_DIM,
    [ROLE_TREE_CURSOR] = THEME_ATTR_REVERSE,
    [ROLE_TREE_CURSOR_BLUR] = THEME_ATTR_UNDERLINE,
    [ROLE_TREE_MATCH] = THEME_ATTR_UNDERLINE,
    [ROLE_METRICS_NUMBER] = THEME_ATTR_BOLD,
    [ROLE_METRICS_HEADER] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
    [ROLE_METRICS_DIM] = THEME_ATTR_DIM,
    [ROLE_METRICS_WARN] = THEME_ATTR_BOLD,
    [ROLE_METRICS_CURSOR] = THEME_ATTR_REVERSE,
    [ROLE_TABLE_HEADER] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
    [ROLE_REPORT_HEADING] = THEME_ATTR_BOLD,
    [ROLE_REPORT_BULLET] = THEME_ATTR_BOLD,
    [ROLE_REPORT_BOLD] = THEME_ATTR_BOLD,
    [ROLE_REPORT_CODE] = THEME_ATTR_ITALIC,
    [ROLE_REPORT_THINKING] = THEME_ATTR_DIM,
    [ROLE_STATUS] = THEME_ATTR_REVERSE,
    [ROLE_STATUS_STATE] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
    [ROLE_STATUS_KEY] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
    [ROLE_STATUS_ERROR] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
    [ROLE_STATUS_OK] = THEME_ATTR_REVERSE,
    [ROLE_OVERLAY_TITLE] = THEME_ATTR_BOLD,
    [ROLE_OVERLAY_KEY] = THEME_ATTR_BOLD,
    [ROLE_PROMPT] = THEME_ATTR_REVERSE,
    [ROLE_PROGRESS] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
};

struct theme_name_value {
    const char *name;
    int value;
};

static const struct theme_name_value theme_color_names[] = {
    {"default", THEME_COLOR_DEFAULT},
    {"black", 0},
    {"red", 1},
    {"green", 2},
    {"yellow", 3},
    {"blue", 4},
    {"magenta", 5},
    {"cyan", 6},
    {"white", 7},
    {"gray", 8},
    {"grey", 8},
    {"bright-black", 8},
    {"bright-red", 9},
    {"bright-green", 10},
    {"bright-yellow", 11},
    {"bright-blue", 12},
    {"bright-magenta", 13},
    {"bright-cyan", 14},
    {"bright-white", 15},
};

static const struct theme_name_value theme_attr_names[] = {
    {"bold", THEME_ATTR_BOLD},
    {"dim", THEME_ATTR_DIM},
    {"underline", THEME_ATTR_UNDERLINE},
    {"reverse", THEME_ATTR_REVERSE},
    {"italic", THEME_ATTR_ITALIC},
    {"standout", THEME_ATTR_STANDOUT},
    {"none", 0},
};

#define THEME_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* xterm's default palette for 0..15: terminals differ here, but it is the reference
 * most palettes stay close to, and reduction only needs "nearest". */
static const uint8_t theme_ansi_rgb[16][3] = {
    {0x00, 0x00, 0x00}, {0xcd, 0x00, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0xcd, 0x00},
    {0x00, 0x00, 0xee}, {0xcd, 0x00, 0xcd}, {0x00, 0xcd, 0xcd}, {0xe5, 0xe5, 0xe5},
    {0x7f, 0x7f, 0x7f}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
    {0x5c, 0x5c, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
};

/* Channel levels of the 6x6x6 cube (16..231) of the 256-colour palette. */
static const uint8_t theme_cube6[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};
/* xterm's 88-colour palette: a 4x4x4 cube (16..79) and 8 greys (80..87). */
static const uint8_t theme_cube4[4] = {0x00, 0x8b, 0xcd, 0xff};
static const uint8_t theme_grey8[8] = {0x2e, 0x5c, 0x73, 0x8b, 0xa2, 0xb9, 0xd0, 0xe7};

/* --- roles ------------------------------------------------------------------------ */

const char *theme_role_name(enum theme_role r)
{
    if ((int)r < 0 || r >= ROLE_COUNT)
        return NULL;
    return theme_role_names[r];
}

int theme_role_from_name(const char *name)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (strcmp(theme_role_names[r], name) == 0)
            return r;
    return -1;
}

enum theme_role theme_role_parent(enum theme_role r)
{
    if ((int)r < 0 || r >= ROLE_COUNT)
        return ROLE_DEFAULT;
    return theme_role_parents[r];
}

void theme_builtin(struct theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "builtin");
    snprintf(t->description, sizeof t->description,
             "No colours, attributes only (NO_COLOR and missing theme files)");
    for (int r = 0; r < ROLE_COUNT; r++) {
        t->roles[r].fg = THEME_COLOR_DEFAULT;
        t->roles[r].bg = THEME_COLOR_DEFAULT;
        t->roles[r].attrs = theme_builtin_attrs[r];
    }
}

/* --- colours ---------------------------------------------------------------------- */

/* RGB of colour `c` in the 256-colour palette (or the 88-colour one when `pal88`). */
static void theme_rgb_of(int c, bool pal88, int rgb[3])
{
    if (c < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = theme_ansi_rgb[c][i];
    } else if (pal88 && c < 80) {
        c -= 16;
        rgb[0] = theme_cube4[c / 16];
        rgb[1] = theme_cube4[c / 4 % 4];
        rgb[2] = theme_cube4[c % 4];
    } else if (pal88) {
        rgb[0] = rgb[1] = rgb[2] = theme_grey8[c - 80];
    } else if (c < 232) {
        c -= 16;
        rgb[0] = theme_cube6[c / 36];
        rgb[1] = theme_cube6[c / 6 % 6];
        rgb[2] = theme_cube6[c % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

static long theme_dist2(const int a[3], const int b[3])
{
    long d = 0;

    for (int i = 0; i < 3; i++)
        d += (long)(a[i] - b[i]) * (a[i] - b[i]);
    return d;
}

static bool theme_is_grey(const int rgb[3])
{
    return rgb[0] == rgb[1] && rgb[1] == rgb[2];
}

/* The colour in [lo, hi) of the given palette nearest to `rgb`; ties keep the lower.
 * A grey only goes to a grey: by plain distance 242 (#6c6c6c) is nearer to yellow
 * (#cdcd00) than to black or white, and grey text turning yellow reads as a warning. */
static int theme_nearest(const int rgb[3], int lo, int hi, bool pal88)
{
    bool grey = theme_is_grey(rgb);
    long best_d = -1;
    int best = lo;

    for (int c = lo; c < hi; c++) {
        int p[3];
        long d;

        theme_rgb_of(c, pal88, p);
        if (grey && !theme_is_grey(p))
            continue;
        d = theme_dist2(rgb, p);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

int theme_color_reduce(int color, int ncolors)
{
    int rgb[3];

    if (color < 0 || color > 255)
        return THEME_COLOR_DEFAULT;
    if (ncolors >= 256)
        return color;
    if (ncolors < 8)
        return THEME_COLOR_DEFAULT;
    if (ncolors < 16) {
        /* bright-X is the bold variant of X on such terminals: keep the hue */
        if (color < 16)
            return color & 7;
        theme_rgb_of(color, false, rgb);
        return theme_nearest(rgb, 0, 8, false);
    }
    if (color < 16)
        return color;
    theme_rgb_of(color, false, rgb);
    if (ncolors < 88)
        return theme_nearest(rgb, 0, 16, false);
    return theme_nearest(rgb, 0, 88, true);
}

/* #rrggbb to the nearest cube or grey-ramp entry. 0..15 are left out on purpose:
 * users recolour those, so an exact RGB value would not stay exact there. */
static int theme_rgb_to_256(int r, int g, int b)
{
    int rgb[3] = {r, g, b};
    int idx[3], cube[3], grgb[3], grey;

    for (int i = 0; i < 3; i++) {
        idx[i] = 0;
        for (int k = 1; k < 6; k++)
            if (abs(rgb[i] - theme_cube6[k]) < abs(rgb[i] - theme_cube6[idx[i]]))
                idx[i] = k;
        cube[i] = theme_cube6[idx[i]];
    }
    grey = theme_nearest(rgb, 232, 256, false);
    theme_rgb_of(grey, false, grgb);
    if (theme_dist2(rgb, grgb) < theme_dist2(rgb, cube))
        return grey;
    return 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

static int theme_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 0 and *out set, or -1 for an unknown colour. */
static int theme_parse_color(const char *s, int *out)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < THEME_NELEM(theme_color_names); i++) {
        if (strcasecmp(s, theme_color_names[i].name) == 0) {
            *out = theme_color_names[i].value;
            return 0;
        }
    }
    if (n >= 1 && n <= 3 && strspn(s, "0123456789") == n) {
        long v = strtol(s, NULL, 10);

        if (v > 255)
            return -1;
        *out = (int)v;
        return 0;
    }
    if (n == 7 && s[0] == '#') {
        int v[6];

        for (int i = 0; i < 6; i++) {
            v[i] = theme_hexval(s[1 + i]);
            if (v[i] < 0)
                return -1;
        }
        *out = theme_rgb_to_256(v[0] * 16 + v[1], v[2] * 16 + v[3], v[4] * 16 + v[5]);
        return 0;
    }
    return -1;
}

static int theme_parse_attr(const char *s, int *out)
{
    for (size_t i = 0; i < THEME_NELEM(theme_attr_names); i++) {
        if (strcasecmp(s, theme_attr_names[i].name) == 0) {
            *out = theme_attr_names[i].value;
            return 0;
        }
    }
    return -1;
}

/* --- parsing ---------------------------------------------------------------------- */

/* What a file says about one role; fields it leaves empty inherit from the parent. */
struct theme_spec {
    int line; /* 0: the role is not in the file */
    bool has_fg, has_bg, has_attrs;
    struct theme_style style;
};

struct theme_ctx {
    const char *text;
    size_t n, pos;
    int line; /* lines handed to inih so far = the line inih is working on */
    const char *source;
    struct theme t; /* copied to the caller only on success */
    struct theme_spec spec[ROLE_COUNT];
    bool resolved[ROLE_COUNT];
    int err_line; /* first error we found ourselves (0: none) */
    char err_msg[ERR_MSG_MAX];
};

static void theme_fail(struct theme_ctx *c, const char *fmt, ...) ATTR_FORMAT(2, 3);

/* Keep the first error: later ones are often consequences of it. */
static void theme_fail(struct theme_ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err_line != 0)
        return;
    c->err_line = c->line;
    va_start(ap, fmt);
    vsnprintf(c->err_msg, sizeof c->err_msg, fmt, ap);
    va_end(ap);
}

static bool theme_is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Trim blanks in place; returns the start. */
static char *theme_trim(char *s)
{
    char *e;

    while (theme_is_blank(*s))
        s++;
    e = s + strlen(s);
    while (e > s && theme_is_blank(e[-1]))
        *--e = '\0';
    return s;
}

/* A section header names one of ours; checked here because inih reports sections
 * only through their keys, and an empty unknown section should still be caught. */
static void theme_check_section(struct theme_ctx *c, const char *line, size_t len)
{
    const char *end = memchr(line, ']', len);
    char name[64], *s;
    size_t n;

    if (end == NULL)
        return; /* inih reports the syntax error */
    n = (size_t)(end - line - 1);
    if (n >= sizeof name) {
        theme_fail(c, "unknown section (expected [theme] or [roles])");
        return;
    }
    memcpy(name, line + 1, n);
    name[n] = '\0';
    s = theme_trim(name);
    if (strcmp(s, "theme") != 0 && strcmp(s, "roles") != 0)
        theme_fail(c, "unknown section [%s] (expected [theme] or [roles])", s);
}

/* inih's fgets: one line per call, always '\n'-terminated. */
static char *theme_reader(char *str, int num, void *stream)
{
    struct theme_ctx *c = stream;
    const char *line, *nl;
    size_t len;

    if (c->pos >= c->n || num < 2)
        return NULL;
    line = c->text + c->pos;
    nl = memchr(line, '\n', c->n - c->pos);
    len = nl != NULL ? (size_t)(nl - line) : c->n - c->pos;
    c->pos += len + (nl != NULL);
    c->line++;
    if (memchr(line, '\0', len) != NULL) {
        theme_fail(c, "NUL byte in line");
        len = 0;
    }
    while (len > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    /* inih's own rule: its buffer must hold the line plus "\r\n\0" */
    if (len + 3 > (size_t)num) {
        theme_fail(c, "line too long (at most %d characters)", num - 3);
        len = 0;
    }
    if (len > 0 && *line == '[')
        theme_check_section(c, line, len);
    memcpy(str, line, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static void theme_parse_style(struct theme_ctx *c, int role, const char *value)
{
    const char *rname = theme_role_names[role];
    struct theme_spec *sp = &c->spec[role];
    char copy[256], *fields[3], *p;
    int nf = 0, v;

    if (snprintf(copy, sizeof copy, "%s", value) >= (int)sizeof copy) {
        theme_fail(c, "style of '%s' too long", rname);
        return;
    }
    p = copy;
    for (;;) {
        char *comma = strchr(p, ',');

        if (nf == 3) {
            theme_fail(c, "too many fields for '%s' (expected fg[, bg[, attributes]])", rname);
            return;
        }
        if (comma != NULL)
            *comma = '\0';
        fields[nf++] = theme_trim(p);
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (nf == 1 && fields[0][0] == '\0') {
        theme_fail(c, "empty style for '%s'", rname);
        return;
    }
    for (int i = 0; i < nf && i < 2; i++) {
        if (fields[i][0] == '\0')
            continue;
        if (theme_parse_color(fields[i], &v) < 0) {
            int dummy;
            bool is_attr = theme_parse_attr(fields[i], &dummy) == 0;

            theme_fail(c, "unknown colour '%s' for '%s'%s", fields[i], rname,
                       is_attr ? " (attributes go in the third field)" : "");
            return;
        }
        if (i == 0) {
            sp->has_fg = true;
            sp->style.fg = (int16_t)v;
        } else {
            sp->has_bg = true;
            sp->style.bg = (int16_t)v;
        }
    }
    if (nf == 3 && fields[2][0] != '\0') {
        char *save = NULL;

        sp->has_attrs = true;
        sp->style.attrs = 0;
        for (char *w = strtok_r(fields[2], " \t", &save); w != NULL;
             w = strtok_r(NULL, " \t", &save)) {
            if (theme_parse_attr(w, &v) < 0) {
                theme_fail(c, "unknown attribute '%s' for '%s'", w, rname);
                return;
            }
            sp->style.attrs |= (uint16_t)v;
        }
    }
}

static void theme_set_text(struct theme_ctx *c, char *dst, size_t size, const char *key,
                           const char *value)
{
    if (strlen(value) >= size) {
        theme_fail(c, "%s too long (at most %zu characters)", key, size - 1);
        return;
    }
    snprintf(dst, size, "%s", value);
}

static int theme_handler(void *user, const char *section, const char *name, const char *value)
{
    struct theme_ctx *c = user;
    int role;

    if (strcmp(section, "theme") == 0) {
        if (strcmp(name, "name") == 0)
            theme_set_text(c, c->t.name, sizeof c->t.name, name, value);
        else if (strcmp(name, "description") == 0)
            theme_set_text(c, c->t.description, sizeof c->t.description, name, value);
        else
            theme_fail(c, "unknown key '%s' in [theme] (expected name or description)", name);
    } else if (strcmp(section, "roles") == 0) {
        role = theme_role_from_name(name);
        if (role < 0) {
            theme_fail(c, "unknown role '%s'", name);
        } else if (c->spec[role].line != 0) {
            theme_fail(c, "role '%s' given twice (first on line %d)", name, c->spec[role].line);
        } else {
            c->spec[role].line = c->line;
            theme_parse_style(c, role, value);
        }
    } else if (section[0] == '\0') {
        theme_fail(c, "'%s' is outside a section ([theme] or [roles])", name);
    } else {
        theme_fail(c, "unknown section [%s] (expected [theme] or [roles])", section);
    }
    return c->err_line == 0;
}

/* Fill c->t.roles[r] from its spec over its parent's resolved style. */
static void theme_resolve(struct theme_ctx *c, int r)
{
    struct theme_style base = {THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
    const struct theme_spec *sp = &c->spec[r];

    if (c->resolved[r])
        return;
    if (r != ROLE_DEFAULT) {
        int p = theme_role_parents[r];

        theme_resolve(c, p);
        base = c->t.roles[p];
    }
    if (sp->has_fg)
        base.fg = sp->style.fg;
    if (sp->has_bg)
        base.bg = sp->style.bg;
    if (sp->has_attrs)
        base.attrs = sp->style.attrs;
    c->t.roles[r] = base;
    c->resolved[r] = true;
}

/* "dir/dark.theme" -> "dark": a theme without a name still gets one. */
static void theme_name_from_source(char *dst, size_t size, const char *source)
{
    const char *base = strrchr(source, '/');
    size_t n, ext = strlen(THEME_EXT);

    base = base != NULL ? base + 1 : source;
    n = strlen(base);
    if (n > ext && strcmp(base + n - ext, THEME_EXT) == 0)
        n -= ext;
    if (n >= size)
        n = size - 1;
    memcpy(dst, base, n);
    dst[n] = '\0';
}

int theme_parse(struct theme *t, const char *text, size_t n, const char *source, struct err *err)
{
    struct theme_ctx *c = xcalloc(1, sizeof *c);
    int rc;

    if (source == NULL)
        source = "theme";
    c->text = text;
    c->n = n;
    c->source = source;
    rc = ini_parse_stream(theme_reader, c, theme_handler, c);
    if (rc > 0 && (c->err_line == 0 || rc < c->err_line)) {
        err_set(err, EINVAL, "%s:%d: syntax error (expected [section] or role = style)", source,
                rc);
        free(c);
        return -1;
    }
    if (c->err_line != 0 || rc != 0) {
        if (c->err_line != 0)
            err_set(err, EINVAL, "%s:%d: %s", source, c->err_line, c->err_msg);
        else
            err_set(err, EINVAL, "%s: cannot parse (inih error %d)", source, rc);
        free(c);
        return -1;
    }
    if (c->t.name[0] == '\0')
        theme_name_from_source(c->t.name, sizeof c->t.name, source);
    for (int r = 0; r < ROLE_COUNT; r++)
        theme_resolve(c, r);
    *t = c->t;
    free(c);
    return 0;
}

int theme_load(struct theme *t, const char *path, struct err *err)
{
    struct buf b;
    char chunk[4096];
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        err_set(err, e, "cannot open theme %s: %s", path, strerror(e));
        return -1;
    }
    buf_init(&b, THEME_MAX_BYTES);
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;

            err_set(err, e, "cannot read theme %s: %s", path, strerror(e));
            break;
        }
        if (got == 0) {
            close(fd);
            rc = theme_parse(t, buf_cstr(&b), b.len, path, err);
            buf_fini(&b);
            return rc;
        }
        if (buf_append(&b, chunk, (size_t)got) < 0) {
            err_set(err, EFBIG, "theme %s is larger than %zu KiB", path, THEME_MAX_BYTES / 1024);
            break;
        }
    }
    close(fd);
    buf_fini(&b);
    return -1;
}

/* --- listing ---------------------------------------------------------------------- */

struct theme_entry {
    char *name, *path;
};

static int theme_entry_cmp(const void *a, const void *b)
{
    const struct theme_entry *x = a, *y = b;

    return strcmp(x->name, y->name);
}

static bool theme_list_has(const struct theme_entry *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            return true;
    return false;
}

size_t theme_list(const char *const *dirs, size_t ndirs, char ***names, char ***paths)
{
    struct theme_entry *e = NULL;
    size_t n = 0, cap = 0, ext = strlen(THEME_EXT);

    for (size_t d = 0; d < ndirs; d++) {
        DIR *dir = dirs[d] != NULL ? opendir(dirs[d]) : NULL;
        struct dirent *de;

        if (dir == NULL)
            continue; /* a missing theme directory is normal (no user themes) */
        while ((de = readdir(dir)) != NULL) {
            size_t len = strlen(de->d_name);
            struct stat st;
            char *name, *path;

            if (de->d_name[0] == '.' || len <= ext ||
                strcmp(de->d_name + len - ext, THEME_EXT) != 0)
                continue;
            name = xstrndup(de->d_name, len - ext);
            if (theme_list_has(e, n, name)) {
                free(name);
                continue;
            }
            path = xasprintf("%s/%s", dirs[d], de->d_name);
            /* stat, not lstat: a symbolic link to a theme file is a theme file */
            if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                free(name);
                free(path);
                continue;
            }
            e = xgrow(e, &cap, n + 1, sizeof *e);
            e[n].name = name;
            e[n].path = path;
            n++;
        }
        closedir(dir);
    }
    *names = NULL;
    *paths = NULL;
    if (n == 0)
        return 0;
    qsort(e, n, sizeof *e, theme_entry_cmp);
    *names = xcalloc(n, sizeof **names);
    *paths = xcalloc(n, sizeof **paths);
    for (size_t i = 0; i < n; i++) {
        (*names)[i] = e[i].name;
        (*paths)[i] = e[i].path;
    }
    free(e);
    return n;
}

void theme_list_free(char **names, char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (names != NULL)
            free(names[i]);
        if (paths != NULL)
            free(paths[i]);
    }
    free(names);
    free(paths);
}
