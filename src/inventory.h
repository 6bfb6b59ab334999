/* inventory.h: steps 1-3 of the Chimera agent workflow (SPEC section 5), in slices.
 *
 * 1. Ingest: from the root, walk reports/ (csv, json, md) and csv_data/ (csv, json);
 *    when neither folder exists, walk the root itself (csv, json, md). Extensions match
 *    ASCII case-insensitively; symbolic links are not followed; the runs folder chimera
 *    writes into (chimera-runs/ at the root) is never ingested, so a second run does not
 *    analyse the first one's output. Or, instead of the walk, an explicit list of files
 *    (the files marked in the TUI). Every candidate is read and parsed: a file that fails
 *    (unreadable, binary, not UTF-8, invalid JSON) becomes a warning and is left out.
 * 2. The data summary, exact to the character (inventory_data_summary).
 * 3. The harvested metrics (struct harvest): total_files_analyzed, data_types,
 *    total_file_size_bytes, csv_<column>, json_<path>, json_documents,
 *    markdown_heading_count (headings as CommonMark sees them: md4c).
 *
 * Work happens in inventory_step slices (one folder's entries or about 1 MiB of one
 * file at a time), so the TUI can run it on a 100 000-file tree and stay responsive. */
#ifndef SRC_INVENTORY_H
#define SRC_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "artifact.h"
#include "attrs.h"
#include "err.h"
#include "harvest.h"

#define INVENTORY_RUNS_DIR "chimera-runs"
#define INVENTORY_LIST_MAX 5 /* paths listed per type in the data summary */

struct inv_file {
    char *path;              /* relative to the root, '/'-separated */
    enum artifact_kind kind;
    int64_t size;
    int64_t mtime;
    int ok;                  /* parsed and included */
    char *problem;           /* why it was left out (ok == 0), else NULL */
    uint32_t metric_fields;  /* csv: metric-named columns; json: metric-named leaves */
    uint64_t rows;           /* csv: data rows */
    uint32_t headings;       /* markdown: headings */
    int metrics_section;     /* markdown: has a "Metrics" section */
};

struct inventory {
    char *root;
    int walked_reports;      /* which folders the walk covered */
    int walked_csv_data;
    int walked_root;
    int explicit_list;       /* the files came from a list, not a walk */
    struct inv_file *files;  /* every candidate, sorted bytewise by path */
    size_t nfiles;
    size_t count[4];         /* included files per enum artifact_kind */
    int64_t latest[4];       /* newest mtime per kind among included files, -1 if none */
    int64_t total_size;      /* bytes of the included files */
    uint64_t other_files;    /* files seen by the walk that are not candidates */
    char **folder_errors;    /* folders the walk could not read, with the reason */
    size_t nfolder_errors;
    struct harvest metrics;
};

struct inv_job;

/* Start an inventory of `root`: a walk when `files` is NULL, else exactly those paths
 * (relative to root). NULL with `err` set when root is not a readable folder. */
struct inv_job *inventory_start(const char *root, const char *const *files, size_t nfiles,
                                struct err *err);
/* Work until `deadline_ns` (clock_now_ns(); 0 = to the end). 1 while work remains, 0 done. */
int inventory_step(struct inv_job *j, int64_t deadline_ns);
/* Progress for display: files processed, files known, bytes read. */
void inventory_progress(const struct inv_job *j, size_t *done, size_t *total, uint64_t *bytes);
/* The result, once inventory_step returned 0; the caller owns it. NULL before. */
struct inventory *inventory_take(struct inv_job *j);
void inventory_job_free(struct inv_job *j);

/* Run to completion (command line, tests). */
struct inventory *inventory_run(const char *root, const char *const *files, size_t nfiles,
                                struct err *err);
void inventory_free(struct inventory *inv);

/* Files included (the "Total files analyzed"). */
size_t inventory_included(const struct inventory *inv);
/* The data summary text of step 2, exactly (ends with a blank line). Free it. */
char *inventory_data_summary(const struct inventory *inv);
/* Gaps in telemetry, one sentence each (no trailing newline). Free with
 * inventory_lines_free. */
size_t inventory_gaps(const struct inventory *inv, char ***lines);
void inventory_lines_free(char **lines, size_t n);
/* Everything as JSON (the `chimera inventory --json` output). Free it. */
char *inventory_to_json(const struct inventory *inv);

#endif
