/* inventory.c: the ingest walk and per-file parsing of SPEC section 5, steps 1 and 3.
 * The texts built from the result (data summary, gaps, JSON) are in inventory_text.c. */
#include "inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "csvstats.h"
#include "jsonscan.h"
#include "mdscan.h"
#include "rootdir.h"
#include "sanitize.h"
#include "xmem.h"

#define INV_CHUNK (1u << 20)   /* bytes read per slice of a file */
#define INV_CHECK_EVERY 128    /* folder entries between two looks at the clock */

/* Kinds a walked folder contributes, as a bit set of 1 << enum artifact_kind. */
#define KIND_BIT(k) (1u << (k))
#define KINDS_ALL (KIND_BIT(ART_CSV) | KIND_BIT(ART_JSON) | KIND_BIT(ART_MARKDOWN))

enum inv_phase { INV_WALK, INV_FILES, INV_DONE };

struct inv_dir {
    char *rel;        /* relative to the root; "" for the root itself */
    unsigned kinds;   /* KIND_BIT set */
};

struct inv_job {
    struct inventory *inv;
    enum inv_phase phase;
    size_t files_cap;

    /* walk */
    struct inv_dir *dirs;
    size_t ndirs, dirs_cap;
    DIR *d;
    struct inv_dir cur;

    /* the file being parsed: inv->files[next] */
    size_t next;
    int open;
    int fd;
    struct csv_reader *csv;
    struct jsonscan *json;
    struct harvest file_metrics; /* this file's harvest, merged only if it parses */
    uint32_t file_metric_fields;
    struct buf text;             /* markdown text */
    char *chunk;

    struct harvest content;      /* csv_ and json_ metrics of the included files */
    uint64_t headings;
    uint64_t json_docs;
    uint64_t bytes;
};

static char *inv_join(const char *root, const char *rel)
{
    if (*rel == '\0')
        return xstrdup(root);
    return xasprintf("%s/%s", root, rel);
}

static struct inv_file *inv_add_file(struct inv_job *j, const char *rel, enum artifact_kind k,
                                     int64_t size, int64_t mtime)
{
    struct inventory *inv = j->inv;
    struct inv_file *f;

    inv->files = xgrow(inv->files, &j->files_cap, inv->nfiles + 1, sizeof *inv->files);
    f = &inv->files[inv->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(rel);
    f->kind = k;
    f->size = size;
    f->mtime = mtime;
    return f;
}

static void inv_push_dir(struct inv_job *j, const char *rel, unsigned kinds)
{
    j->dirs = xgrow(j->dirs, &j->dirs_cap, j->ndirs + 1, sizeof *j->dirs);
    j->dirs[j->ndirs].rel = xstrdup(rel);
    j->dirs[j->ndirs].kinds = kinds;
    j->ndirs++;
}

static void inv_folder_error(struct inventory *inv, const char *rel, int e)
{
    size_t cap = inv->nfolder_errors;

    inv->folder_errors = xrealloc(inv->folder_errors, (cap + 1) * sizeof *inv->folder_errors);
    inv->folder_errors[inv->nfolder_errors++] =
        xasprintf("%s: %s", *rel ? rel : ".", strerror(e));
}

/* Is root/name a real folder (not a link to one)? */
static int inv_is_dir(const char *root, const char *name)
{
    char *p = inv_join(root, name);
    struct stat st;
    int r = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);

    free(p);
    return r;
}

/* --- walk ------------------------------------------------------------------------------- */

/* Read some entries of the current folder; 1 when it is exhausted. */
static int inv_walk_some(struct inv_job *j)
{
    struct inventory *inv = j->inv;
    int dfd = dirfd(j->d);

    for (int i = 0; i < INV_CHECK_EVERY; i++) {
        struct dirent *de = readdir(j->d);
        struct stat st;
        char *rel;

        if (de == NULL)
            return 1;
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* vanished mid-walk */
        rel = *j->cur.rel ? xasprintf("%s/%s", j->cur.rel, de->d_name) : xstrdup(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            /* never ingest our own output */
            if (!(*j->cur.rel == '\0' && strcmp(de->d_name, INVENTORY_RUNS_DIR) == 0))
                inv_push_dir(j, rel, j->cur.kinds);
        } else if (S_ISREG(st.st_mode)) {
            enum artifact_kind k = artifact_kind_of(de->d_name);

            if (k != ART_NONE && (j->cur.kinds & KIND_BIT(k)))
                inv_add_file(j, rel, k, (int64_t)st.st_size, (int64_t)st.st_mtime);
            else
                inv->other_files++;
        } else {
            inv->other_files++; /* links are not followed; fifos and sockets are no data */
        }
        free(rel);
    }
    return 0;
}

static int inv_cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct inv_file *)a)->path, ((const struct inv_file *)b)->path);
}

/* One step of the walk; returns 1 when the walk is over. */
static int inv_walk_step(struct inv_job *j)
{
    if (j->d == NULL) {
        char *path;
        int fd;

        if (j->ndirs == 0) {
            if (j->inv->nfiles > 1)
                qsort(j->inv->files, j->inv->nfiles, sizeof *j->inv->files, inv_cmp_file);
            return 1;
        }
        free(j->cur.rel);
        j->cur = j->dirs[--j->ndirs];
        path = inv_join(j->inv->root, j->cur.rel);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (*j->cur.rel ? O_NOFOLLOW : 0));
        free(path);
        if (fd >= 0)
            j->d = fdopendir(fd);
        if (j->d == NULL) {
            int e = errno;

            if (fd >= 0)
                close(fd);
            if (e != ENOENT)
                inv_folder_error(j->inv, j->cur.rel, e);
            return 0;
        }
    }
    if (inv_walk_some(j)) {
        closedir(j->d);
        j->d = NULL;
    }
    return 0;
}

/* The explicit list: each path must be a regular artifact file. */
static void inv_add_listed(struct inv_job *j, const char *const *files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++) {
        const char *rel = files[i];
        char *path;
        struct stat st;
        enum artifact_kind k;
        struct inv_file *f;

        while (*rel == '/')
            rel++;
        path = inv_join(j->inv->root, rel);
        k = artifact_kind_of(rel);
        if (lstat(path, &st) < 0) {
            f = inv_add_file(j, rel, k, 0, -1);
            f->problem = xasprintf("cannot read: %s", strerror(errno));
        } else if (!S_ISREG(st.st_mode)) {
            f = inv_add_file(j, rel, k, 0, (int64_t)st.st_mtime);
            f->problem = xstrdup(S_ISLNK(st.st_mode) ? "a symbolic link (not followed)"
                                                     : "not a regular file");
        } else {
            f = inv_add_file(j, rel, k, (int64_t)st.st_size, (int64_t)st.st_mtime);
            if (k == ART_NONE)
                f->problem = xstrdup("not a csv, json or md artifact");
        }
        free(path);
    }
    if (j->inv->nfiles > 1)
        qsort(j->inv->files, j->inv->nfiles, sizeof *j->inv->files, inv_cmp_file);
}

/* --- parsing one file -------------------------------------------------------------------- */

static void inv_json_leaf(const struct json_leaf *leaf, void *arg)
{
    struct inv_job *j = arg;

    if (leaf->pathlen > 0 && harvest_keyword(leaf->path, leaf->pathlen) &&
        (leaf->type == JSON_LEAF_NUMBER || leaf->type == JSON_LEAF_STRING))
        j->file_metric_fields++;
    harvest_json_leaf(leaf, &j->file_metrics);
}

/* Add a parsed file's metrics to the content map (first value wins, file order). */
static void inv_merge(struct harvest *into, const struct harvest *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct harvest_entry *e = &from->entries[i];

        if (e->type == HARVEST_NUMBER)
            harvest_put_number(into, e->key, e->number);
        else if (e->type == HARVEST_COUNT)
            harvest_put_count(into, e->key, e->count);
        else
            harvest_put_strings(into, e->key, (const char *const *)e->strings, e->nstrings);
    }
}

static void inv_close_file(struct inv_job *j)
{
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    csv_reader_free(j->csv);
    j->csv = NULL;
    jsonscan_free(j->json);
    j->json = NULL;
    harvest_fini(&j->file_metrics);
    harvest_init(&j->file_metrics);
    buf_reset(&j->text);
    j->open = 0;
    j->next++;
}

static void inv_fail(struct inv_job *j, struct inv_file *f, const char *fmt, ...)
    ATTR_FORMAT(3, 4);

/* Leave the current file out, saying why. */
static void inv_fail(struct inv_job *j, struct inv_file *f, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX + 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(f->problem);
    f->problem = xstrdup(msg);
    inv_close_file(j);
}

static void inv_csv_done(struct inv_job *j, struct inv_file *f)
{
    const struct csv_summary *s = csv_reader_summary(j->csv);

    if (s->first_invalid_utf8 >= 0) {
        char where[64];

        snprintf(where, sizeof where, "%lld", (long long)s->first_invalid_utf8);
        inv_fail(j, f, "not valid UTF-8 (byte %s)", where);
        return;
    }
    f->rows = s->rows;
    for (size_t c = 0; c < s->ncols; c++) {
        const struct csv_column *col = &s->cols[c];
        char *key;

        if (!harvest_keyword(col->name, strlen(col->name)))
            continue;
        f->metric_fields++;
        if (!col->has_first10)
            continue;
        key = xasprintf("csv_%s", col->name);
        harvest_put_number(&j->content, key, col->first10);
        free(key);
    }
    f->ok = 1;
    inv_close_file(j);
}

/* Valid UTF-8, NUL bytes allowed: the agent read text with Rust's read_to_string, which
 * takes NULs (U+0000) but refuses invalid UTF-8. */
static int inv_utf8_with_nul(const char *s, size_t n)
{
    while (n > 0) {
        const char *nul = memchr(s, '\0', n);
        size_t seg = nul != NULL ? (size_t)(nul - s) : n;

        if (!utf8_valid(s, seg))
            return 0;
        if (nul == NULL)
            break;
        s += seg + 1;
        n -= seg + 1;
    }
    return 1;
}

static void inv_md_done(struct inv_job *j, struct inv_file *f)
{
    struct md_summary md;
    struct err err;

    if (!inv_utf8_with_nul(buf_cstr(&j->text), j->text.len)) {
        inv_fail(j, f, "not valid UTF-8");
        return;
    }
    if (md_summarize(buf_cstr(&j->text), j->text.len, &md, &err) < 0) {
        md_summary_fini(&md);
        inv_fail(j, f, "%s", err.msg);
        return;
    }
    f->headings = (uint32_t)md.nheadings;
    f->metrics_section = md.has_metrics_section;
    j->headings += md.nheadings;
    md_summary_fini(&md);
    f->ok = 1;
    inv_close_file(j);
}

/* Open the next file for parsing. */
static void inv_open_file(struct inv_job *j, struct inv_file *f)
{
    char *path = inv_join(j->inv->root, f->path);
    struct err err;

    err_clear(&err);
    j->open = 1;
    j->file_metric_fields = 0;
    if (f->kind == ART_CSV) {
        j->csv = csv_reader_open(path, CSV_MODE_HARVEST, &err);
        if (j->csv == NULL)
            inv_fail(j, f, "%s", err.msg);
    } else {
        j->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (j->fd < 0)
            inv_fail(j, f, "cannot read: %s", strerror(errno));
        else if (f->kind == ART_JSON)
            j->json = jsonscan_new(inv_json_leaf, j);
    }
    free(path);
}

/* Read one chunk of a JSON or Markdown file. */
static void inv_read_chunk(struct inv_job *j, struct inv_file *f)
{
    ssize_t got = read(j->fd, j->chunk, INV_CHUNK);
    struct err err;

    if (got < 0) {
        if (errno != EINTR)
            inv_fail(j, f, "cannot read: %s", strerror(errno));
        return;
    }
    j->bytes += (uint64_t)got;
    if (f->kind == ART_JSON) {
        if (got > 0 && jsonscan_feed(j->json, j->chunk, (size_t)got, &err) < 0) {
            inv_fail(j, f, "invalid JSON: %s", err.msg);
            return;
        }
        if (got == 0) {
            if (jsonscan_finish(j->json, &err) < 0) {
                inv_fail(j, f, "invalid JSON: %s", err.msg);
                return;
            }
            f->metric_fields = j->file_metric_fields;
            inv_merge(&j->content, &j->file_metrics);
            j->json_docs++;
            f->ok = 1;
            inv_close_file(j);
        }
        return;
    }
    if (got == 0) {
        inv_md_done(j, f);
        return;
    }
    if (buf_append(&j->text, j->chunk, (size_t)got) < 0) {
        char lim[32];

        snprintf(lim, sizeof lim, "%u MB", MD_MAX_BYTES >> 20);
        inv_fail(j, f, "too large to read as Markdown (over %s)", lim);
    }
}

/* One slice of work on the current file. */
static void inv_file_step(struct inv_job *j, int64_t deadline_ns)
{
    struct inv_file *f = &j->inv->files[j->next];

    if (!j->open) {
        if (f->problem != NULL) {
            j->next++; /* already known to be unusable (explicit list) */
            return;
        }
        inv_open_file(j, f);
        return;
    }
    if (f->kind == ART_CSV) {
        struct err err;
        int r = csv_reader_step(j->csv, deadline_ns, &err);

        if (r < 0)
            inv_fail(j, f, "%s", err.msg);
        else if (r == 0) {
            j->bytes += (uint64_t)csv_reader_summary(j->csv)->bytes_done;
            inv_csv_done(j, f);
        }
        return;
    }
    inv_read_chunk(j, f);
}

/* --- results ------------------------------------------------------------------------------ */

static void inv_finish(struct inv_job *j)
{
    struct inventory *inv = j->inv;
    const char *types[3];
    size_t ntypes = 0;

    for (int k = 0; k < 4; k++) {
        inv->count[k] = 0;
        inv->latest[k] = -1;
    }
    inv->total_size = 0;
    for (size_t i = 0; i < inv->nfiles; i++) {
        const struct inv_file *f = &inv->files[i];

        if (!f->ok)
            continue;
        inv->count[f->kind]++;
        inv->total_size += f->size;
        if (f->mtime > inv->latest[f->kind])
            inv->latest[f->kind] = f->mtime;
    }
    /* the agent inserted these first, then the per-file metrics, then the two counts */
    harvest_put_count(&inv->metrics, "total_files_analyzed", inventory_included(inv));
    if (inv->count[ART_CSV])
        types[ntypes++] = "csv";
    if (inv->count[ART_JSON])
        types[ntypes++] = "json";
    if (inv->count[ART_MARKDOWN])
        types[ntypes++] = "markdown";
    harvest_put_strings(&inv->metrics, "data_types", types, ntypes);
    harvest_put_count(&inv->metrics, "total_file_size_bytes", (uint64_t)inv->total_size);
    inv_merge(&inv->metrics, &j->content);
    if (j->json_docs > 0)
        harvest_put_count(&inv->metrics, "json_documents", j->json_docs);
    if (j->headings > 0)
        harvest_put_count(&inv->metrics, "markdown_heading_count", j->headings);
    j->phase = INV_DONE;
}

size_t inventory_included(const struct inventory *inv)
{
    return inv->count[ART_CSV] + inv->count[ART_JSON] + inv->count[ART_MARKDOWN];
}

struct inv_job *inventory_start(const char *root, const char *const *files, size_t nfiles,
                                struct err *err)
{
    struct inv_job *j;
    char *path = rootdir_check(root, err);

    if (path == NULL)
        return NULL;
    j = xcalloc(1, sizeof *j);
    j->inv = xcalloc(1, sizeof *j->inv);
    j->inv->root = path;
    harvest_init(&j->inv->metrics);
    harvest_init(&j->content);
    harvest_init(&j->file_metrics);
    buf_init(&j->text, MD_MAX_BYTES);
    j->chunk = xmalloc(INV_CHUNK);
    j->fd = -1;
    j->cur.rel = xstrdup("");
    if (files != NULL) {
        j->inv->explicit_list = 1;
        inv_add_listed(j, files, nfiles);
        j->phase = INV_FILES;
        return j;
    }
    j->inv->walked_reports = inv_is_dir(j->inv->root, "reports");
    j->inv->walked_csv_data = inv_is_dir(j->inv->root, "csv_data");
    /* pushed in reverse: the stack pops reports/ first */
    if (j->inv->walked_csv_data)
        inv_push_dir(j, "csv_data", KIND_BIT(ART_CSV) | KIND_BIT(ART_JSON));
    if (j->inv->walked_reports)
        inv_push_dir(j, "reports", KINDS_ALL);
    if (!j->inv->walked_reports && !j->inv->walked_csv_data) {
        j->inv->walked_root = 1;
        inv_push_dir(j, "", KINDS_ALL);
    }
    j->phase = INV_WALK;
    return j;
}

int inventory_step(struct inv_job *j, int64_t deadline_ns)
{
    for (;;) {
        switch (j->phase) {
        case INV_WALK:
            if (inv_walk_step(j))
                j->phase = INV_FILES;
            break;
        case INV_FILES:
            if (j->next >= j->inv->nfiles) {
                inv_finish(j);
                return 0;
            }
            inv_file_step(j, deadline_ns);
            break;
        case INV_DONE:
            return 0;
        }
        if (clock_past(deadline_ns))
            return j->phase != INV_DONE;
    }
}

void inventory_progress(const struct inv_job *j, size_t *done, size_t *total, uint64_t *bytes)
{
    *done = j->phase == INV_WALK ? 0 : j->next;
    *total = j->inv != NULL ? j->inv->nfiles : 0;
    *bytes = j->bytes;
}

struct inventory *inventory_take(struct inv_job *j)
{
    struct inventory *inv;

    if (j->phase != INV_DONE)
        return NULL;
    inv = j->inv;
    j->inv = NULL;
    return inv;
}

void inventory_job_free(struct inv_job *j)
{
    if (j == NULL)
        return;
    if (j->d != NULL)
        closedir(j->d);
    if (j->fd >= 0)
        close(j->fd);
    csv_reader_free(j->csv);
    jsonscan_free(j->json);
    harvest_fini(&j->file_metrics);
    harvest_fini(&j->content);
    buf_fini(&j->text);
    for (size_t i = 0; i < j->ndirs; i++)
        free(j->dirs[i].rel);
    free(j->dirs);
    free(j->cur.rel);
    free(j->chunk);
    inventory_free(j->inv);
    free(j);
}

struct inventory *inventory_run(const char *root, const char *const *files, size_t nfiles,
                                struct err *err)
{
    struct inv_job *j = inventory_start(root, files, nfiles, err);
    struct inventory *inv;

    if (j == NULL)
        return NULL;
    while (inventory_step(j, 0))
        ;
    inv = inventory_take(j);
    inventory_job_free(j);
    return inv;
}

void inventory_free(struct inventory *inv)
{
    if (inv == NULL)
        return;
    for (size_t i = 0; i < inv->nfiles; i++) {
        free(inv->files[i].path);
        free(inv->files[i].problem);
    }
    free(inv->files);
    for (size_t i = 0; i < inv->nfolder_errors; i++)
        free(inv->folder_errors[i]);
    free(inv->folder_errors);
    harvest_fini(&inv->metrics);
    free(inv->root);
    free(inv);
}
