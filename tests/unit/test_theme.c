/* test_theme.c: theme roles, parsing, colour forms and reduction, the shipped theme
 * files (parse, readability) and theme_list. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "theme.h"

#define THEMES_DIR "themes"

/* Parse `text` as a whole string, expecting success. */
static void parse_ok(struct theme *t, const char *text)
{
    struct err err = {0};

    if (theme_parse(t, text, strlen(text), "test.theme", &err) != 0)
        fail_msg("unexpected error: %s", err.msg);
}

/* Parse `text`, expecting an error whose message starts with `prefix` and contains
 * `needle`. */
static void parse_err(const char *text, const char *prefix, const char *needle)
{
    struct theme t;
    struct err err = {0};

    assert_int_equal(theme_parse(&t, text, strlen(text), "bad.theme", &err), -1);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || strstr(err.msg, needle) == NULL)
        fail_msg("error '%s' lacks '%s' ... '%s'", err.msg, prefix, needle);
}

static int color_of(const char *spec)
{
    char text[256];
    struct theme t;

    snprintf(text, sizeof text, "[roles]\ndefault = %s\n", spec);
    parse_ok(&t, text);
    return t.roles[ROLE_DEFAULT].fg;
}

/* --- roles ---------------------------------------------------------------------- */

static void test_role_names(void **state)
{
    (void)state;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const char *name = theme_role_name((enum theme_role)r);

        assert_non_null(name);
        assert_int_equal(theme_role_from_name(name), r);
        for (int q = 0; q < r; q++)
            assert_string_not_equal(name, theme_role_name((enum theme_role)q));
    }
    assert_null(theme_role_name(ROLE_COUNT));
    assert_null(theme_role_name((enum theme_role) - 1));
    assert_int_equal(theme_role_from_name("tree.bogus"), -1);
    assert_int_equal(theme_role_from_name(""), -1);
    assert_int_equal(theme_role_from_name("TREE"), -1);
    assert_string_equal(theme_role_name(ROLE_TREE_CSV), "tree.csv");
    assert_string_equal(theme_role_name(ROLE_TREE_CURSOR_BLUR), "tree.cursor-blur");
}

static void test_role_parents(void **state)
{
    (void)state;
    assert_int_equal(theme_role_parent(ROLE_DEFAULT), ROLE_DEFAULT);
    assert_int_equal(theme_role_parent(ROLE_TREE_CSV), ROLE_TREE);
    assert_int_equal(theme_role_parent(ROLE_TREE), ROLE_DEFAULT);
    assert_int_equal(theme_role_parent(ROLE_TREE_CURSOR_BLUR), ROLE_TREE);
    assert_int_equal(theme_role_parent(ROLE_METRICS_WARN), ROLE_METRICS);
    assert_int_equal(theme_role_parent(ROLE_TABLE_HEADER), ROLE_METRICS);
    assert_int_equal(theme_role_parent(ROLE_TABLE_ALT), ROLE_METRICS);
    assert_int_equal(theme_role_parent(ROLE_SPARK), ROLE_METRICS);
    assert_int_equal(theme_role_parent(ROLE_REPORT_CODE), ROLE_REPORT);
    assert_int_equal(theme_role_parent(ROLE_STATUS_KEY), ROLE_STATUS);
    assert_int_equal(theme_role_parent(ROLE_PROMPT), ROLE_STATUS);
    assert_int_equal(theme_role_parent(ROLE_PROGRESS), ROLE_STATUS);
    assert_int_equal(theme_role_parent(ROLE_OVERLAY_KEY), ROLE_OVERLAY);
    assert_int_equal(theme_role_parent(ROLE_BORDER_FOCUS), ROLE_BORDER);
    assert_int_equal(theme_role_parent(ROLE_TITLE_FOCUS), ROLE_TITLE);
    assert_int_equal(theme_role_parent(ROLE_STATUS), ROLE_DEFAULT);
    /* every chain ends at default, quickly */
    for (int r = 0; r < ROLE_COUNT; r++) {
        enum theme_role p = (enum theme_role)r;
        int depth = 0;

        while (p != ROLE_DEFAULT && depth < 4) {
            p = theme_role_parent(p);
            depth++;
        }
        assert_int_equal(p, ROLE_DEFAULT);
    }
}

static void test_builtin(void **state)
{
    struct theme t;

    (void)state;
    theme_builtin(&t);
    assert_true(t.name[0] != '\0');
    for (int r = 0; r < ROLE_COUNT; r++) {
        assert_int_equal(t.roles[r].fg, THEME_COLOR_DEFAULT);
        assert_int_equal(t.roles[r].bg, THEME_COLOR_DEFAULT);
    }
    assert_int_equal(t.roles[ROLE_DEFAULT].attrs, 0);
    assert_int_equal(t.roles[ROLE_TREE_CURSOR].attrs, THEME_ATTR_REVERSE);
    assert_int_equal(t.roles[ROLE_METRICS_CURSOR].attrs, THEME_ATTR_REVERSE);
    assert_true(t.roles[ROLE_REPORT_HEADING].attrs & THEME_ATTR_BOLD);
    assert_true(t.roles[ROLE_TREE_COUNT].attrs & THEME_ATTR_DIM);
    assert_int_equal(t.roles[ROLE_TREE_ERROR].attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
    assert_true(t.roles[ROLE_STATUS].attrs & THEME_ATTR_REVERSE);
    assert_true(t.roles[ROLE_BORDER_FOCUS].attrs != t.roles[ROLE_BORDER].attrs);
    assert_true(t.roles[ROLE_TREE_CURSOR_BLUR].attrs != 0);
}

/* --- parsing ---------------------------------------------------------------------- */

static void test_inheritance(void **state)
{
    struct theme t;

    (void)state;
    parse_ok(&t, "[theme]\n"
                 "name = Test\n"
                 "[roles]\n"
                 "default = red, blue, bold\n"
                 "tree = green\n"
                 "status = 252, 236\n"
                 "status.key = 81\n"
                 "status.error = , , underline\n"
                 "prompt = default, default, none\n"
                 "metrics = , 17\n");
    assert_string_equal(t.name, "Test");
    /* whole roles left out */
    assert_int_equal(t.roles[ROLE_TREE_CSV].fg, 2);
    assert_int_equal(t.roles[ROLE_TREE_CSV].bg, 4);
    assert_int_equal(t.roles[ROLE_TREE_CSV].attrs, THEME_ATTR_BOLD);
    assert_int_equal(t.roles[ROLE_BORDER_FOCUS].fg, 1);
    assert_int_equal(t.roles[ROLE_REPORT_HEADING].bg, 4);
    /* fields left out */
    assert_int_equal(t.roles[ROLE_STATUS].fg, 252);
    assert_int_equal(t.roles[ROLE_STATUS].attrs, THEME_ATTR_BOLD);
    assert_int_equal(t.roles[ROLE_STATUS_KEY].fg, 81);
    assert_int_equal(t.roles[ROLE_STATUS_KEY].bg, 236);
    assert_int_equal(t.roles[ROLE_STATUS_ERROR].fg, 252);
    assert_int_equal(t.roles[ROLE_STATUS_ERROR].bg, 236);
    assert_int_equal(t.roles[ROLE_STATUS_ERROR].attrs, THEME_ATTR_UNDERLINE);
    assert_int_equal(t.roles[ROLE_PROGRESS].bg, 236);
    /* explicit default and none are values, not "inherit" */
    assert_int_equal(t.roles[ROLE_PROMPT].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.roles[ROLE_PROMPT].bg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.roles[ROLE_PROMPT].attrs, 0);
    /* table.* and spark follow metrics */
    assert_int_equal(t.roles[ROLE_TABLE_ALT].fg, 1);
    assert_int_equal(t.roles[ROLE_TABLE_ALT].bg, 17);
    assert_int_equal(t.roles[ROLE_SPARK].bg, 17);
}

static void test_empty_theme(void **state)
{
    struct theme t;
    struct err err = {0};

    (void)state;
    assert_int_equal(theme_parse(&t, "", 0, "dir/empty.theme", &err), 0);
    assert_string_equal(t.name, "empty"); /* from the source when [theme] has no name */
    for (int r = 0; r < ROLE_COUNT; r++) {
        assert_int_equal(t.roles[r].fg, THEME_COLOR_DEFAULT);
        assert_int_equal(t.roles[r].bg, THEME_COLOR_DEFAULT);
        assert_int_equal(t.roles[r].attrs, 0);
    }
}

static void test_color_forms(void **state)
{
    (void)state;
    assert_int_equal(color_of("default"), THEME_COLOR_DEFAULT);
    assert_int_equal(color_of("black"), 0);
    assert_int_equal(color_of("red"), 1);
    assert_int_equal(color_of("white"), 7);
    assert_int_equal(color_of("Blue"), 4);
    assert_int_equal(color_of("gray"), 8);
    assert_int_equal(color_of("grey"), 8);
    assert_int_equal(color_of("bright-black"), 8);
    assert_int_equal(color_of("bright-red"), 9);
    assert_int_equal(color_of("bright-white"), 15);
    assert_int_equal(color_of("0"), 0);
    assert_int_equal(color_of("42"), 42);
    assert_int_equal(color_of("255"), 255);
    /* #rrggbb: nearest of the cube (16..231) and grey ramp (232..255) */
    assert_int_equal(color_of("#000000"), 16);
    assert_int_equal(color_of("#ffffff"), 231);
    assert_int_equal(color_of("#ff0000"), 196);
    assert_int_equal(color_of("#FF0000"), 196);
    assert_int_equal(color_of("#5f87af"), 67);
    assert_int_equal(color_of("#87ff00"), 118);
    assert_int_equal(color_of("#fe0101"), 196);
    assert_int_equal(color_of("#808080"), 244);
    assert_int_equal(color_of("#121212"), 233);
    assert_int_equal(color_of("#1c1c1c"), 234);
    assert_int_equal(color_of("#7a7a7a"), 243);
    assert_int_equal(color_of("#5f5f5f"), 59); /* exact cube entry beats grey 241 */
    /* attributes, with the colours left out */
    {
        struct theme t;

        parse_ok(&t, "[roles]\ndefault = , , bold dim underline reverse italic standout\n"
                     "tree = , , BOLD\n");
        assert_int_equal(t.roles[ROLE_DEFAULT].attrs,
                         THEME_ATTR_BOLD | THEME_ATTR_DIM | THEME_ATTR_UNDERLINE |
                             THEME_ATTR_REVERSE | THEME_ATTR_ITALIC | THEME_ATTR_STANDOUT);
        assert_int_equal(t.roles[ROLE_TREE].attrs, THEME_ATTR_BOLD);
        assert_int_equal(t.roles[ROLE_TREE].fg, THEME_COLOR_DEFAULT);
    }
}

static void test_syntax_leniency(void **state)
{
    struct theme t;
    /* indentation, CRLF, both comment styles, an inline ';' comment, no final newline */
    static const char text[] = "; a comment\r\n"
                               "# another\r\n"
                               "  [theme]\r\n"
                               "    name = Spaced ; inline\r\n"
                               "\r\n"
                               "[roles]\r\n"
                               "\ttree.dir=bright-blue,default,bold\r\n"
                               "    tree.csv = #00ff00";

    (void)state;
    parse_ok(&t, text);
    assert_string_equal(t.name, "Spaced");
    assert_int_equal(t.roles[ROLE_TREE_DIR].fg, 12);
    assert_int_equal(t.roles[ROLE_TREE_DIR].attrs, THEME_ATTR_BOLD);
    assert_int_equal(t.roles[ROLE_TREE_CSV].fg, 46);
}

static void test_length_not_nul(void **state)
{
    static const char text[] = "[roles]\ntree = red\nthis is garbage";
    struct theme t;
    struct err err = {0};

    (void)state;
    /* only the first n bytes are read */
    assert_int_equal(theme_parse(&t, text, strlen("[roles]\ntree = red\n"), "x", &err), 0);
    assert_int_equal(t.roles[ROLE_TREE].fg, 1);
    assert_int_equal(theme_parse(&t, text, sizeof text - 1, "x", &err), -1);
    assert_string_equal(err.msg, "x:3: syntax error (expected [section] or role = style)");
}

static void test_errors(void **state)
{
    char longline[400];

    (void)state;
    parse_err("[roles]\ntree = red\ntree.bogus = red\n",
              "bad.theme:3: ", "unknown role 'tree.bogus'");
    parse_err("[roles]\n\ntree.dir = blu\n", "bad.theme:3: ", "unknown colour 'blu'");
    parse_err("[roles]\ntree.dir = red, bleu\n", "bad.theme:2: ", "unknown colour 'bleu'");
    parse_err("[roles]\ntree.dir = bold\n", "bad.theme:2: ", "attributes go in the third");
    parse_err("[roles]\ntree.dir = 256\n", "bad.theme:2: ", "unknown colour '256'");
    parse_err("[roles]\ntree.dir = -1\n", "bad.theme:2: ", "unknown colour '-1'");
    parse_err("[roles]\ntree.dir = #12345\n", "bad.theme:2: ", "unknown colour '#12345'");
    parse_err("[roles]\ntree.dir = #12345g\n", "bad.theme:2: ", "unknown colour");
    parse_err("[roles]\ntree.dir = bright-default\n", "bad.theme:2: ", "unknown colour");
    parse_err("[roles]\n# c\ntree.dir = red, default, bold blink\n",
              "bad.theme:3: ", "unknown attribute 'blink'");
    parse_err("[roles]\ntree.dir = red, blue, bold, dim\n", "bad.theme:2: ", "too many fields");
    parse_err("[roles]\ntree.dir =\n", "bad.theme:2: ", "empty style");
    parse_err("[roles]\ntree = red\n\ntree = blue\n",
              "bad.theme:4: ", "given twice (first on line 2)");
    parse_err("tree = red\n", "bad.theme:1: ", "outside a section");
    parse_err("[theme]\nname = x\n[colours]\n[roles]\n",
              "bad.theme:3: ", "unknown section [colours]");
    parse_err("[theme]\nauthor = me\n", "bad.theme:2: ", "unknown key 'author'");
    parse_err("[roles]\ntree red\n", "bad.theme:2: ", "syntax error");
    parse_err("[roles\ntree = red\n", "bad.theme:1: ", "syntax error");
    /* the first error wins, whoever found it */
    parse_err("[roles]\njunk\ntree = nocolour\n", "bad.theme:2: ", "syntax error");
    parse_err("[roles]\ntree = nocolour\njunk\n", "bad.theme:2: ", "unknown colour");

    memset(longline, 'x', sizeof longline);
    memcpy(longline, "[roles]\n# ", 10);
    longline[sizeof longline - 1] = '\0';
    parse_err(longline, "bad.theme:2: ", "line too long");
    parse_err("[theme]\nname = 0123456789012345678901234567890123456789012345678901234567890123\n",
              "bad.theme:2: ", "name too long");
    {
        static const char nul[] = "[roles]\ntree = red\0blue\n";

        struct theme t;
        struct err err = {0};

        assert_int_equal(theme_parse(&t, nul, sizeof nul - 1, "n.theme", &err), -1);
        assert_string_equal(err.msg, "n.theme:2: NUL byte in line");
    }
}

static void test_error_leaves_theme(void **state)
{
    static const char bad[] = "[roles]\ntree = red\ntree.csv = nope\n";
    struct theme t, before;
    struct err err = {0};

    (void)state;
    theme_builtin(&t);
    before = t;
    assert_int_equal(theme_parse(&t, bad, sizeof bad - 1, NULL, &err), -1);
    assert_memory_equal(&t, &before, sizeof t);
    assert_true(err.msg[0] != '\0');
    /* NULL err is allowed */
    assert_int_equal(theme_parse(&t, bad, sizeof bad - 1, "x", NULL), -1);
}

static void test_load_errors(void **state)
{
    char *dir = tu_mkdtemp();
    char *path = tu_join(dir, "missing.theme");
    char *big, *bigpath;
    struct theme t;
    struct err err = {0};
    size_t n = 70 * 1024;

    (void)state;
    assert_int_equal(theme_load(&t, path, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No such file"));

    big = malloc(n);
    assert_non_null(big);
    memset(big, '\n', n);
    tu_write(dir, "big.theme", big, n, 0);
    bigpath = tu_join(dir, "big.theme");
    assert_int_equal(theme_load(&t, bigpath, &err), -1);
    assert_non_null(strstr(err.msg, "larger than"));

    tu_write(dir, "ok.theme", "[roles]\ntree = red\nbogus = red\n", (size_t)-1, 0);
    free(path);
    path = tu_join(dir, "ok.theme");
    assert_int_equal(theme_load(&t, path, &err), -1);
    assert_non_null(strstr(err.msg, "ok.theme:3: unknown role 'bogus'"));

    free(big);
    free(bigpath);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

/* --- reduction -------------------------------------------------------------------- */

static void test_reduce(void **state)
{
    (void)state;
    /* the brief's example: pure red */
    assert_int_equal(theme_color_reduce(196, 256), 196);
    assert_int_equal(theme_color_reduce(196, 16), 9);
    assert_int_equal(theme_color_reduce(196, 8), 1);
    assert_int_equal(theme_color_reduce(theme_color_reduce(196, 16), 8), 1);
    /* 16 -> 8: bright-X is X */
    for (int c = 0; c < 8; c++) {
        assert_int_equal(theme_color_reduce(c, 8), c);
        assert_int_equal(theme_color_reduce(c + 8, 8), c);
    }
    /* 0..15 are kept where they exist */
    for (int c = 0; c < 16; c++) {
        assert_int_equal(theme_color_reduce(c, 16), c);
        assert_int_equal(theme_color_reduce(c, 88), c);
        assert_int_equal(theme_color_reduce(c, 256), c);
    }
    assert_int_equal(theme_color_reduce(16, 16), 0);   /* #000000 */
    assert_int_equal(theme_color_reduce(231, 16), 15); /* #ffffff */
    assert_int_equal(theme_color_reduce(231, 8), 7);
    assert_int_equal(theme_color_reduce(21, 16), 4);   /* #0000ff is nearer #0000ee */
    assert_int_equal(theme_color_reduce(46, 16), 10);  /* #00ff00 */
    assert_int_equal(theme_color_reduce(226, 16), 11); /* #ffff00 */
    assert_int_equal(theme_color_reduce(51, 16), 14);  /* #00ffff */
    assert_int_equal(theme_color_reduce(201, 16), 13); /* #ff00ff */
    assert_int_equal(theme_color_reduce(160, 16), 1);  /* #d70000 */
    assert_int_equal(theme_color_reduce(28, 16), 2);   /* #008700 */
    /* greys stay grey: #6c6c6c is nearer yellow by plain distance */
    assert_int_equal(theme_color_reduce(244, 16), 8);
    assert_int_equal(theme_color_reduce(244, 8), 7);
    assert_int_equal(theme_color_reduce(242, 8), 0);
    assert_int_equal(theme_color_reduce(236, 16), 0);
    assert_int_equal(theme_color_reduce(255, 16), 7); /* #eeeeee: nearer #e5e5e5 */
    assert_int_equal(theme_color_reduce(250, 16), 7);
    /* 88 colours: xterm's 4x4x4 cube and grey ramp, and 0..15 where they are exact */
    assert_int_equal(theme_color_reduce(202, 88), 68); /* #ff5f00 ~ cube (3,1,0) */
    assert_int_equal(theme_color_reduce(250, 88), 85); /* #bcbcbc ~ grey #b9b9b9 */
    assert_int_equal(theme_color_reduce(196, 88), 9);  /* #ff0000 */
    assert_int_equal(theme_color_reduce(231, 88), 15); /* #ffffff */
    assert_int_equal(theme_color_reduce(16, 88), 0);   /* #000000 */
    /* default and nonsense */
    assert_int_equal(theme_color_reduce(THEME_COLOR_DEFAULT, 8), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_reduce(THEME_COLOR_DEFAULT, 256), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_reduce(196, 2), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_reduce(300, 256), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_reduce(100, 1 << 24), 100);
    /* every colour reduces into range */
    for (int c = 0; c < 256; c++) {
        int r16 = theme_color_reduce(c, 16), r8 = theme_color_reduce(c, 8);
        int r88 = theme_color_reduce(c, 88);

        assert_true(r16 >= 0 && r16 < 16);
        assert_true(r8 >= 0 && r8 < 8);
        assert_true(r88 >= 0 && r88 < 88);
    }
}

/* --- the shipped themes ----------------------------------------------------------- */

static void load_shipped(const char *name, struct theme *t)
{
    char path[256];
    struct err err = {0};

    snprintf(path, sizeof path, "%s/%s.theme", THEMES_DIR, name);
    if (theme_load(t, path, &err) != 0)
        fail_msg("%s", err.msg);
}

static void test_shipped_parse(void **state)
{
    const char *dirs[] = {THEMES_DIR};
    char **names, **paths;
    size_t n = theme_list(dirs, 1, &names, &paths);
    int seen = 0;

    (void)state;
    assert_true(n >= 4);
    for (size_t i = 0; i < n; i++) {
        struct theme t;
        struct err err = {0};

        if (theme_load(&t, paths[i], &err) != 0)
            fail_msg("%s", err.msg);
        assert_true(t.name[0] != '\0');
        assert_true(t.description[0] != '\0');
        if (strcmp(names[i], "dark") == 0 || strcmp(names[i], "light") == 0 ||
            strcmp(names[i], "high-contrast") == 0 || strcmp(names[i], "mono") == 0)
            seen++;
    }
    assert_int_equal(seen, 4);
    theme_list_free(names, paths, n);
}

static void test_mono_is_builtin(void **state)
{
    struct theme mono, builtin;

    (void)state;
    load_shipped("mono", &mono);
    theme_builtin(&builtin);
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (mono.roles[r].fg != THEME_COLOR_DEFAULT || mono.roles[r].bg != THEME_COLOR_DEFAULT ||
            mono.roles[r].attrs != builtin.roles[r].attrs)
            fail_msg("mono and builtin differ for %s", theme_role_name((enum theme_role)r));
    }
}

/* RGB of a 256-colour index in xterm's default palette. */
static void xterm_rgb(int c, double rgb[3])
{
    static const int ansi[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
                                 0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
                                 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
    static const int cube[6] = {0, 0x5f, 0x87, 0xaf, 0xd7, 0xff};

    if (c < 16) {
        rgb[0] = ansi[c] >> 16;
        rgb[1] = (ansi[c] >> 8) & 0xff;
        rgb[2] = ansi[c] & 0xff;
    } else if (c < 232) {
        rgb[0] = cube[(c - 16) / 36];
        rgb[1] = cube[(c - 16) / 6 % 6];
        rgb[2] = cube[(c - 16) % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

static double luminance(int c)
{
    double rgb[3], lin[3];

    xterm_rgb(c, rgb);
    for (int i = 0; i < 3; i++) {
        double v = rgb[i] / 255.0;

        lin[i] = v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/* WCAG contrast ratio of the role as drawn, `default` standing for the terminal's
 * assumed colours (the theme file says which background it is for). */
static double role_contrast(const struct theme_style *s, int def_fg, int def_bg)
{
    int fg = s->fg == THEME_COLOR_DEFAULT ? def_fg : s->fg;
    int bg = s->bg == THEME_COLOR_DEFAULT ? def_bg : s->bg;
    double a = luminance(fg), b = luminance(bg);

    if (a < b) {
        double tmp = a;

        a = b;
        b = tmp;
    }
    return (a + 0.05) / (b + 0.05);
}

/* Every role readable: 4.5:1 for text (WCAG AA; 7:1 for high-contrast), 3:1 for borders
 * (WCAG's non-text contrast). */
static void check_readable(const char *name, int def_fg, int def_bg, double text_min)
{
    struct theme t;

    load_shipped(name, &t);
    for (int r = 0; r < ROLE_COUNT; r++) {
        double min = (r == ROLE_BORDER) ? 3.0 : text_min;
        double cr = role_contrast(&t.roles[r], def_fg, def_bg);

        if (cr < min)
            fail_msg("%s: %s has contrast %.2f < %.1f", name, theme_role_name((enum theme_role)r),
                     cr, min);
    }
}

static void test_shipped_readable(void **state)
{
    (void)state;
    /* dark terminals: #d0d0d0 on #1c1c1c, and on pure black */
    check_readable("dark", 252, 234, 4.5);
    check_readable("dark", 252, 16, 4.5);
    /* light terminals: black or dark grey on white */
    check_readable("light", 16, 231, 4.5);
    check_readable("light", 235, 231, 4.5);
    /* paints its own background: the terminal's must not matter */
    check_readable("high-contrast", 231, 231, 7.0);
    check_readable("high-contrast", 16, 16, 7.0);
}

/* The distinctions the UI relies on survive in every colour theme. */
static void test_shipped_distinct(void **state)
{
    static const char *const names[] = {"dark", "light", "high-contrast"};

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct theme t;
        const struct theme_style *ro = t.roles;
        const enum theme_role kinds[] = {ROLE_TREE_DIR, ROLE_TREE_CSV, ROLE_TREE_JSON,
                                         ROLE_TREE_MD};

        load_shipped(names[i], &t);
        for (size_t a = 0; a < 4; a++)
            for (size_t b = 0; b < a; b++)
                assert_int_not_equal(ro[kinds[a]].fg, ro[kinds[b]].fg);
        assert_true(ro[ROLE_TREE_CURSOR].bg != ro[ROLE_TREE].bg ||
                    (ro[ROLE_TREE_CURSOR].attrs & THEME_ATTR_REVERSE));
        assert_true(memcmp(&ro[ROLE_BORDER_FOCUS], &ro[ROLE_BORDER], sizeof ro[0]) != 0);
        assert_true(ro[ROLE_STATUS].bg != ro[ROLE_DEFAULT].bg);
        assert_true(ro[ROLE_STATUS_ERROR].fg != ro[ROLE_STATUS].fg ||
                    ro[ROLE_STATUS_ERROR].bg != ro[ROLE_STATUS].bg);
    }
}

/* --- theme_list ------------------------------------------------------------------- */

static void test_list(void **state)
{
    char *d1 = tu_mkdtemp(), *d2 = tu_mkdtemp();
    char *missing = tu_join(d1, "nope");
    const char *dirs[] = {d1, missing, d2};
    char **names, **paths;
    size_t n;
    char *want;

    (void)state;
    tu_write(d1, "zeta.theme", "", 0, 0);
    tu_write(d1, "alpha.theme", "", 0, 0);
    tu_write(d1, "notes.txt", "", 0, 0);
    tu_write(d1, ".hidden.theme", "", 0, 0);
    tu_write(d1, ".theme", "", 0, 0);
    tu_mkdir(d1, "dir.theme");
    tu_write(d2, "alpha.theme", "", 0, 0); /* shadowed by d1's */
    tu_write(d2, "beta.theme", "", 0, 0);
    tu_write(d2, "alpha.theme.bak", "", 0, 0);

    n = theme_list(dirs, 3, &names, &paths);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[1], "beta");
    assert_string_equal(names[2], "zeta");
    want = tu_join(d1, "alpha.theme");
    assert_string_equal(paths[0], want);
    free(want);
    want = tu_join(d2, "beta.theme");
    assert_string_equal(paths[1], want);
    free(want);
    want = tu_join(d1, "zeta.theme");
    assert_string_equal(paths[2], want);
    free(want);
    theme_list_free(names, paths, n);

    /* the order of dirs decides which copy wins */
    dirs[0] = d2;
    dirs[2] = d1;
    n = theme_list(dirs, 3, &names, &paths);
    assert_int_equal(n, 3);
    want = tu_join(d2, "alpha.theme");
    assert_string_equal(paths[0], want);
    free(want);
    theme_list_free(names, paths, n);

    /* nothing found */
    dirs[0] = missing;
    n = theme_list(dirs, 1, &names, &paths);
    assert_int_equal(n, 0);
    assert_null(names);
    assert_null(paths);
    theme_list_free(names, paths, n);

    free(missing);
    tu_rmtree(d1);
    tu_rmtree(d2);
    free(d1);
    free(d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_role_parents),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_empty_theme),
        cmocka_unit_test(test_color_forms),
        cmocka_unit_test(test_syntax_leniency),
        cmocka_unit_test(test_length_not_nul),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_leaves_theme),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_reduce),
        cmocka_unit_test(test_shipped_parse),
        cmocka_unit_test(test_mono_is_builtin),
        cmocka_unit_test(test_shipped_readable),
        cmocka_unit_test(test_shipped_distinct),
        cmocka_unit_test(test_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
