/* config.c: built-in defaults, profiles and personas, and the config file (inih).
 *
 * The file is read into memory and handed to inih through ini_parse_stream with our own
 * line reader, for three reasons: inih's handler gets no line number (the reader knows
 * it), inih silently cuts lines longer than its fixed line buffer (the reader refuses
 * them instead), and the reader sees indentation and blank lines, which tells a
 * continuation of a multi-line prompt from a repeated key and keeps paragraph breaks.
 * A load works on a copy of the settings and replaces them only when the whole file is
 * valid, so a bad file never leaves half of its values applied. Generation options
 * and sort keys are parsed by genopts.c. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "genopts.h"
#include "host.h"
#include "llm.h"
#include "xmem.h"

#define CONFIG_MAX_FILE (1u << 20)    /* a settings file, not a data file */
#define CONFIG_MAX_PROMPT (64u << 10) /* longer than any sensible persona prompt */
#define CONFIG_NAME_MAX 40            /* inih cuts section names at 49 bytes */
#define CONFIG_DEFAULT_HOST "http://127.0.0.1:11434"

/* ---- text helpers ------------------------------------------------------------------- */

static int cfg_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int cfg_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- built-in settings ---------------------------------------------------------------- */

struct builtin_persona {
    const char *name;
    const char *label;
    const char *prompt;
};

/* Written for chimera; they ask for what the original agents' personas asked for. */
static const struct builtin_persona builtin_personas[] = {
    {"collector", "Chimera Agent A",
     "You are DataCollector-9000, a systems analyst who takes stock of benchmark\n"
     "artifacts before anyone interprets them. Write a concise data inventory as bullet\n"
     "points:\n"
     "- directory coverage: which folders hold results and which expected ones are\n"
     "  empty or missing;\n"
     "- file counts for each type (CSV, JSON, Markdown) with the latest modification\n"
     "  timestamp of each type;\n"
     "- gaps or missing telemetry, such as runs without TTFT or throughput figures.\n"
     "Quote concrete numbers wherever the data gives them, stay under 250 words, and\n"
     "write it so that a second agent can plan its analysis from your inventory alone."},
    {"insight", "Chimera Agent B",
     "You are InsightAgent, an optimisation analyst who turns benchmark results into\n"
     "decisions. Write:\n"
     "1. an executive summary of what the data shows about throughput, latency and\n"
     "   resource use;\n"
     "2. three optimisation recommendations, each tied to a figure from the data and\n"
     "   the gain you expect from it;\n"
     "3. a table of the main risks, with a mitigation for each.\n"
     "Keep it between 300 and 400 words, prefer measured numbers to general advice,\n"
     "and say plainly where the data is too thin to support a conclusion."},
};

static void cfg_add_persona(struct config *c, const char *name, const char *label,
                            const char *prompt)
{
    struct persona *p;

    c->personas = xrealloc(c->personas, (c->npersonas + 1) * sizeof *c->personas);
    p = &c->personas[c->npersonas++];
    p->name = xstrdup(name);
    p->label = xstrdup(label);
    p->prompt = xstrdup(prompt);
}

static struct profile *cfg_add_profile(struct config *c, const char *name, const char *persona)
{
    struct profile *p;

    c->profiles = xrealloc(c->profiles, (c->nprofiles + 1) * sizeof *c->profiles);
    p = &c->profiles[c->nprofiles++];
    memset(p, 0, sizeof *p);
    p->name = xstrdup(name);
    p->persona = xstrdup(persona);
    return p;
}

/* OLLAMA_HOST when it holds anything but spaces and quotes (Ollama reads such a value
 * as unset), else NULL. */
static const char *cfg_env_host(void)
{
    const char *v = getenv("OLLAMA_HOST");
    const char *p;

    if (v == NULL)
        return NULL;
    for (p = v; *p != '\0'; p++)
        if (!cfg_is_space(*p) && *p != '"' && *p != '\'')
            return v;
    return NULL;
}

void config_init(struct config *c)
{
    const char *env = cfg_env_host();
    struct profile *p;
    size_t i;

    memset(c, 0, sizeof *c);
    c->host = xstrdup(env != NULL ? env : CONFIG_DEFAULT_HOST);
    c->model = xstrdup("gemma3:latest");
    c->api = xstrdup("ollama");
    c->theme = xstrdup("dark");
    c->out = NULL;
    c->profile = xstrdup("chimera");
    c->stall_timeout_s = 300;
    c->sort = SORT_NAME;
    for (i = 0; i < sizeof builtin_personas / sizeof builtin_personas[0]; i++)
        cfg_add_persona(c, builtin_personas[i].name, builtin_personas[i].label,
                        builtin_personas[i].prompt);
    cfg_add_profile(c, "baseline", "collector");
    p = cfg_add_profile(c, "chimera", "collector");
    p->opts.has_num_gpu = p->opts.has_num_ctx = p->opts.has_temperature = 1;
    p->opts.num_gpu = 80;
    p->opts.num_ctx = 512;
    p->opts.temperature = 1.0;
}

void config_fini(struct config *c)
{
    size_t i;

    if (c == NULL)
        return;
    free(c->host);
    free(c->model);
    free(c->api);
    free(c->theme);
    free(c->out);
    free(c->profile);
    free(c->source);
    for (i = 0; i < c->nprofiles; i++) {
        free(c->profiles[i].name);
        free(c->profiles[i].persona);
    }
    free(c->profiles);
    for (i = 0; i < c->npersonas; i++) {
        free(c->personas[i].name);
        free(c->personas[i].label);
        free(c->personas[i].prompt);
    }
    free(c->personas);
    memset(c, 0, sizeof *c);
}

static char *cfg_dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

static void cfg_copy(struct config *dst, const struct config *src)
{
    size_t i;

    *dst = *src;
    dst->host = cfg_dup_or_null(src->host);
    dst->model = cfg_dup_or_null(src->model);
    dst->api = cfg_dup_or_null(src->api);
    dst->theme = cfg_dup_or_null(src->theme);
    dst->out = cfg_dup_or_null(src->out);
    dst->profile = cfg_dup_or_null(src->profile);
    dst->source = cfg_dup_or_null(src->source);
    dst->profiles = xcalloc(src->nprofiles, sizeof *dst->profiles);
    for (i = 0; i < src->nprofiles; i++) {
        dst->profiles[i] = src->profiles[i];
        dst->profiles[i].name = cfg_dup_or_null(src->profiles[i].name);
        dst->profiles[i].persona = cfg_dup_or_null(src->profiles[i].persona);
    }
    dst->personas = xcalloc(src->npersonas, sizeof *dst->personas);
    for (i = 0; i < src->npersonas; i++) {
        dst->personas[i].name = cfg_dup_or_null(src->personas[i].name);
        dst->personas[i].label = cfg_dup_or_null(src->personas[i].label);
        dst->personas[i].prompt = cfg_dup_or_null(src->personas[i].prompt);
    }
}

/* Index of the named profile or persona, or SIZE_MAX: the loader needs to change what
 * it finds, the public lookups only read it. */
static size_t cfg_profile_index(const struct config *c, const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < c->nprofiles; i++)
        if (strcmp(c->profiles[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static size_t cfg_persona_index(const struct config *c, const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < c->npersonas; i++)
        if (strcmp(c->personas[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

const struct profile *config_profile(const struct config *c, const char *name)
{
    size_t i = cfg_profile_index(c, name);

    return i != SIZE_MAX ? &c->profiles[i] : NULL;
}

const struct persona *config_persona(const struct config *c, const char *name)
{
    size_t i = cfg_persona_index(c, name);

    return i != SIZE_MAX ? &c->personas[i] : NULL;
}

const char *config_default_path(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;

    /* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/chimera/config", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(buf, cap, "%s/.config/chimera/config", home);
    else
        return NULL;
    if (n < 0 || (size_t)n >= cap)
        return NULL;
    return buf;
}

/* ---- the config file ------------------------------------------------------------------ */

enum cfg_section { SEC_TOP, SEC_PROFILE, SEC_PERSONA };

/* A reference checked once the whole file is read, since a profile may name a persona
 * defined further down. */
struct cfg_check {
    enum cfg_section kind; /* SEC_TOP: the default profile; SEC_PROFILE: its persona;
                              SEC_PERSONA: the persona has a prompt */
    char *name;
    size_t line;
};

struct cfg_seen {
    char *section_key; /* "section\nkey" */
    size_t line;
};

struct cfg_ctx {
    struct config *c; /* the working copy */
    const char *path;
    const char *data;
    size_t len, pos;
    size_t line;       /* the line inih is processing */
    int line_indented; /* it starts with white space */
    size_t blank_run;  /* blank lines since the previous handler call */
    char prev_section[64], prev_key[64];
    int failed;
    size_t err_line;
    struct err *err;
    struct cfg_seen *seen;
    size_t nseen, seen_cap;
    struct cfg_check *checks;
    size_t nchecks, checks_cap;
};

static void cfg_fail(struct cfg_ctx *x, size_t line, const char *fmt, ...) ATTR_FORMAT(3, 4);

static void cfg_fail(struct cfg_ctx *x, size_t line, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;

    if (x->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(x->err, EINVAL, "%s:%zu: %s", x->path, line, msg);
    x->failed = 1;
    x->err_line = line;
}

/* fgets for inih over the file in memory: one line per call, so the count is exact. */
static char *cfg_reader(char *str, int num, void *stream)
{
    struct cfg_ctx *x = stream;
    const char *start, *nl;
    size_t n, i;

    if (x->failed || x->pos >= x->len || num < 4)
        return NULL;
    start = x->data + x->pos;
    nl = memchr(start, '\n', x->len - x->pos);
    n = nl != NULL ? (size_t)(nl - start) : x->len - x->pos;
    x->pos += nl != NULL ? n + 1 : n;
    x->line++;
    if (n > 0 && start[n - 1] == '\r')
        n--;
    /* inih needs room for "\r\n\0"; longer lines would be cut without a word. */
    if (n > (size_t)num - 3) {
        cfg_fail(x, x->line,
                 "line is longer than %d characters (continue a long prompt "
                 "on indented lines)",
                 num - 3);
        return NULL;
    }
    memcpy(str, start, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    x->line_indented = n > 0 && (start[0] == ' ' || start[0] == '\t');
    for (i = 0; i < n && cfg_is_space(start[i]); i++)
        ;
    if (i == n)
        x->blank_run++;
    else if (start[i] == '[')
        x->prev_key[0] = '\0'; /* inih ends multi-line values at a section line */
    return str;
}

static int cfg_name_ok(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        char ch = s[n];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || cfg_is_digit(ch) ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return n > 0 && n <= CONFIG_NAME_MAX;
}

/* "[profile fast]" -> SEC_PROFILE, "fast". -1 with the error reported. */
static int cfg_parse_section(struct cfg_ctx *x, const char *section, enum cfg_section *kind,
                             char *name, size_t cap)
{
    char text[64], *sp, *nm;
    size_t len;

    if (section[0] == '\0') {
        *kind = SEC_TOP;
        name[0] = '\0';
        return 0;
    }
    /* inih stores at most 49 bytes of a section name and drops the rest. */
    if (strlen(section) >= 49 || genopts_trim_copy(section, text, sizeof text) < 0) {
        cfg_fail(x, x->line, "section name '[%s...]' is too long", section);
        return -1;
    }
    sp = text;
    while (*sp != '\0' && !cfg_is_space(*sp))
        sp++;
    nm = sp;
    while (cfg_is_space(*nm))
        nm++;
    *sp = '\0';
    if (strcmp(text, "profile") == 0) {
        *kind = SEC_PROFILE;
    } else if (strcmp(text, "persona") == 0) {
        *kind = SEC_PERSONA;
    } else {
        cfg_fail(x, x->line,
                 "unknown section '[%s]' (expected [profile NAME] or "
                 "[persona NAME])",
                 section);
        return -1;
    }
    len = strlen(nm);
    if (!cfg_name_ok(nm) || len >= cap) {
        cfg_fail(x, x->line, "[%s]: expected a name of 1 to %d letters, digits, '.', '_' or '-'",
                 section, CONFIG_NAME_MAX);
        return -1;
    }
    memcpy(name, nm, len + 1);
    return 0;
}

static void cfg_add_check(struct cfg_ctx *x, enum cfg_section kind, const char *name)
{
    size_t i;

    /* The latest line wins: the check is about the value in force. */
    for (i = 0; i < x->nchecks; i++) {
        if (x->checks[i].kind == kind && strcmp(x->checks[i].name, name) == 0) {
            x->checks[i].line = x->line;
            return;
        }
    }
    x->checks = xgrow(x->checks, &x->checks_cap, x->nchecks + 1, sizeof *x->checks);
    x->checks[x->nchecks].kind = kind;
    x->checks[x->nchecks].name = xstrdup(name);
    x->checks[x->nchecks].line = x->line;
    x->nchecks++;
}

/* 0 the first time a key is set in a section, -1 (reported) on a repeat. */
static int cfg_mark_seen(struct cfg_ctx *x, const char *section, const char *key)
{
    char *sk = xasprintf("%s\n%s", section, key);
    size_t i;

    for (i = 0; i < x->nseen; i++) {
        if (strcmp(x->seen[i].section_key, sk) == 0) {
            cfg_fail(x, x->line, "'%s' is already set on line %zu", key, x->seen[i].line);
            free(sk);
            return -1;
        }
    }
    x->seen = xgrow(x->seen, &x->seen_cap, x->nseen + 1, sizeof *x->seen);
    x->seen[x->nseen].section_key = sk;
    x->seen[x->nseen].line = x->line;
    x->nseen++;
    return 0;
}

static void cfg_replace(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
}

static int cfg_require_value(struct cfg_ctx *x, const char *key, const char *value)
{
    if (value[0] != '\0')
        return 0;
    cfg_fail(x, x->line, "%s: expected a value", key);
    return -1;
}

/* "# comment" after a value: inih only knows ';' inline comments, and the documented
 * file form uses '#'. Free text (label, prompt) keeps its '#'. */
static void cfg_strip_hash_comment(char *v)
{
    size_t i, n;

    for (i = 0; v[i] != '\0'; i++) {
        if (v[i] == '#' && (i == 0 || cfg_is_space(v[i - 1]))) {
            v[i] = '\0';
            break;
        }
    }
    n = strlen(v);
    while (n > 0 && cfg_is_space(v[n - 1]))
        v[--n] = '\0';
}

static void cfg_top_key(struct cfg_ctx *x, const char *key, const char *value)
{
    struct config *c = x->c;
    struct host h;
    struct err e;
    long long n;
    int k;

    if (strcmp(key, "host") == 0) {
        if (cfg_require_value(x, key, value) < 0)
            return;
        if (host_resolve(value, &h, &e) < 0) {
            cfg_fail(x, x->line, "host: %s", e.msg);
            return;
        }
        cfg_replace(&c->host, value);
    } else if (strcmp(key, "model") == 0) {
        if (cfg_require_value(x, key, value) == 0)
            cfg_replace(&c->model, value);
    } else if (strcmp(key, "api") == 0) {
        struct llm_target t;

        if (llm_api_parse(value, &t) < 0)
            cfg_fail(x, x->line, "api: expected " LLM_API_NAMES ", got '%.40s'", value);
        else
            cfg_replace(&c->api, value);
    } else if (strcmp(key, "theme") == 0) {
        if (cfg_require_value(x, key, value) == 0)
            cfg_replace(&c->theme, value);
    } else if (strcmp(key, "out") == 0) {
        const char *home = getenv("HOME");

        if (cfg_require_value(x, key, value) < 0)
            return;
        free(c->out);
        if (value[0] == '~' && (value[1] == '/' || value[1] == '\0') && home != NULL &&
            home[0] != '\0')
            c->out = xasprintf("%s%s", home, value + 1);
        else
            c->out = xstrdup(value);
    } else if (strcmp(key, "stall_timeout") == 0) {
        if (genopts_parse_int(value, &n) < 0 || n < 1 || n > 86400)
            cfg_fail(x, x->line,
                     "stall_timeout: expected a whole number of seconds from 1 "
                     "to 86400, got '%.40s'",
                     value);
        else
            c->stall_timeout_s = (int)n;
    } else if (strcmp(key, "profile") == 0) {
        if (!cfg_name_ok(value)) {
            cfg_fail(x, x->line, "profile: expected a profile name, got '%.40s'", value);
            return;
        }
        cfg_replace(&c->profile, value);
        cfg_add_check(x, SEC_TOP, value);
    } else if (strcmp(key, "follow") == 0) {
        if (strcmp(value, "page") == 0 || strcmp(value, "line") == 0)
            c->follow_lines = strcmp(value, "line") == 0;
        else
            cfg_fail(x, x->line, "follow: expected page or line, got '%.40s'", value);
    } else if (strcmp(key, "sort") == 0) {
        k = sort_key_parse(value);
        if (k < 0)
            cfg_fail(x, x->line, "sort: expected name, mtime or size, got '%.40s'", value);
        else
            c->sort = (enum sort_key)k;
    } else {
        cfg_fail(x, x->line, "unknown key '%s'", key);
    }
}

static void cfg_profile_key(struct cfg_ctx *x, const char *name, const char *key, const char *value)
{
    size_t i = cfg_profile_index(x->c, name);
    struct profile *p;
    struct err e;

    if (i != SIZE_MAX)
        p = &x->c->profiles[i];
    else
        p = cfg_add_profile(x->c, name, "collector");
    if (strcmp(key, "persona") == 0) {
        if (!cfg_name_ok(value)) {
            cfg_fail(x, x->line, "persona: expected a persona name, got '%.40s'", value);
            return;
        }
        cfg_replace(&p->persona, value);
        cfg_add_check(x, SEC_PROFILE, name);
    } else if (genopts_is_option(key)) {
        if (gen_options_set(&p->opts, key, value, &e) < 0)
            cfg_fail(x, x->line, "%s", e.msg);
    } else {
        cfg_fail(x, x->line, "unknown key '%s' in [profile %s]", key, name);
    }
}

static void cfg_persona_key(struct cfg_ctx *x, const char *name, const char *key, const char *value)
{
    size_t i = cfg_persona_index(x->c, name);
    struct persona *p;

    if (i == SIZE_MAX) {
        /* A new persona is labelled with its name until the file says otherwise. */
        cfg_add_persona(x->c, name, name, "");
        i = x->c->npersonas - 1;
        cfg_add_check(x, SEC_PERSONA, name);
    }
    p = &x->c->personas[i];
    if (strcmp(key, "label") == 0) {
        if (cfg_require_value(x, key, value) == 0)
            cfg_replace(&p->label, value);
    } else if (strcmp(key, "prompt") == 0) {
        cfg_replace(&p->prompt, value);
        cfg_add_check(x, SEC_PERSONA, name);
    } else {
        cfg_fail(x, x->line, "unknown key '%s' in [persona %s]", key, name);
    }
}

/* An indented line after `prompt = ...` adds a line to the prompt; the blank lines
 * before it are kept as paragraph breaks. */
static void cfg_continue_prompt(struct cfg_ctx *x, const char *name, const char *value)
{
    size_t i = cfg_persona_index(x->c, name);
    struct persona *p;
    struct buf b;
    int ok = 0;

    if (i == SIZE_MAX)
        return;
    p = &x->c->personas[i];
    buf_init(&b, CONFIG_MAX_PROMPT);
    if (buf_puts(&b, p->prompt) == 0) {
        ok = 1;
        if (p->prompt[0] != '\0')
            for (i = 0; i <= x->blank_run && ok; i++)
                ok = buf_putc(&b, '\n') == 0;
        ok = ok && buf_puts(&b, value) == 0;
    }
    if (!ok) {
        cfg_fail(x, x->line, "prompt of [persona %s] is longer than %u bytes", name,
                 CONFIG_MAX_PROMPT);
        buf_fini(&b);
        return;
    }
    free(p->prompt);
    p->prompt = buf_steal(&b);
    buf_fini(&b);
}

static int cfg_handler(void *user, const char *section, const char *key, const char *raw)
{
    struct cfg_ctx *x = user;
    enum cfg_section kind;
    char name[CONFIG_NAME_MAX + 1], value[512];
    int continuation;

    if (x->failed)
        return 1;
    continuation =
        x->line_indented && strcmp(section, x->prev_section) == 0 && strcmp(key, x->prev_key) == 0;
    if (cfg_parse_section(x, section, &kind, name, sizeof name) < 0)
        return 0;
    snprintf(value, sizeof value, "%s", raw);
    if (!(kind == SEC_PERSONA && (strcmp(key, "prompt") == 0 || strcmp(key, "label") == 0)))
        cfg_strip_hash_comment(value);

    if (continuation) {
        if (kind == SEC_PERSONA && strcmp(key, "prompt") == 0)
            cfg_continue_prompt(x, name, value);
        else
            cfg_fail(x, x->line,
                     "'%s' takes a single line (an indented line continues the "
                     "value above it)",
                     key);
        x->blank_run = 0;
        return !x->failed;
    }
    x->blank_run = 0;
    snprintf(x->prev_section, sizeof x->prev_section, "%s", section);
    snprintf(x->prev_key, sizeof x->prev_key, "%s", key);

    if (strcmp(key, "api_key") == 0 || strcmp(key, "api-key") == 0) {
        cfg_fail(x, x->line,
                 "an API key is never read from a file: set CHIMERA_API_KEY in "
                 "the environment and remove '%s'",
                 key);
        return 0;
    }
    if (cfg_mark_seen(x, section, key) < 0)
        return 0;
    switch (kind) {
    case SEC_TOP:
        cfg_top_key(x, key, value);
        break;
    case SEC_PROFILE:
        cfg_profile_key(x, name, key, value);
        break;
    case SEC_PERSONA:
        cfg_persona_key(x, name, key, value);
        break;
    }
    return !x->failed;
}

/* The references that can only be judged once the whole file is read. */
static void cfg_final_checks(struct cfg_ctx *x)
{
    size_t i;

    for (i = 0; i < x->nchecks && !x->failed; i++) {
        const struct cfg_check *k = &x->checks[i];
        const struct profile *p;
        const struct persona *q;

        switch (k->kind) {
        case SEC_TOP:
            if (config_profile(x->c, k->name) == NULL)
                cfg_fail(x, k->line, "profile: no profile named '%s'", k->name);
            break;
        case SEC_PROFILE:
            p = config_profile(x->c, k->name);
            if (p != NULL && config_persona(x->c, p->persona) == NULL)
                cfg_fail(x, k->line, "[profile %s]: no persona named '%s'", k->name, p->persona);
            break;
        case SEC_PERSONA:
            q = config_persona(x->c, k->name);
            if (q != NULL && q->prompt[0] == '\0')
                cfg_fail(x, k->line, "[persona %s] has no prompt", k->name);
            break;
        }
    }
}

/* The whole file in memory, NUL-terminated; NULL with errno set. */
static char *cfg_read_file(const char *path, size_t *len, int *too_big)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t n;

    *too_big = 0;
    if (f == NULL)
        return NULL;
    data = xmalloc(CONFIG_MAX_FILE + 2);
    n = fread(data, 1, CONFIG_MAX_FILE + 1, f);
    if (ferror(f)) {
        int saved = errno != 0 ? errno : EIO;
        fclose(f);
        free(data);
        errno = saved;
        return NULL;
    }
    fclose(f);
    if (n > CONFIG_MAX_FILE) {
        free(data);
        *too_big = 1;
        errno = EFBIG;
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

int config_load(struct config *c, const char *path, int optional, struct err *err)
{
    struct cfg_ctx x;
    struct config work;
    const char *env;
    char *data;
    size_t len = 0, i;
    int too_big, r;

    data = cfg_read_file(path, &len, &too_big);
    if (data == NULL) {
        if (optional && errno == ENOENT)
            return 0;
        if (too_big)
            err_set(err, EFBIG, "%s: a config file is at most %u bytes", path, CONFIG_MAX_FILE);
        else
            err_set(err, errno, "cannot read config %s: %s", path, strerror(errno));
        return -1;
    }
    if (memchr(data, '\0', len) != NULL) {
        err_set(err, EINVAL, "%s: not a text file (it contains NUL bytes)", path);
        free(data);
        return -1;
    }

    memset(&x, 0, sizeof x);
    cfg_copy(&work, c);
    x.c = &work;
    x.path = path;
    x.data = data;
    x.len = len;
    x.err = err;
    r = ini_parse_stream(cfg_reader, &x, cfg_handler, &x);
    /* inih reports the first line it could not parse; ours may come later or earlier. */
    if (r > 0 && (!x.failed || (size_t)r < x.err_line)) {
        x.failed = 0;
        cfg_fail(&x, (size_t)r,
                 "expected 'key = value', '[profile NAME]' or "
                 "'[persona NAME]'");
    } else if (r < 0 && !x.failed) {
        cfg_fail(&x, x.line, "cannot parse the file");
    }
    if (!x.failed)
        cfg_final_checks(&x);

    for (i = 0; i < x.nseen; i++)
        free(x.seen[i].section_key);
    free(x.seen);
    for (i = 0; i < x.nchecks; i++)
        free(x.checks[i].name);
    free(x.checks);
    free(data);

    if (x.failed) {
        config_fini(&work);
        return -1;
    }
    /* The environment outranks the file. */
    env = cfg_env_host();
    if (env != NULL)
        cfg_replace(&work.host, env);
    cfg_replace(&work.source, path);
    config_fini(c);
    *c = work;
    return 0;
}
