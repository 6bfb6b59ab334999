/* workflow.h: the Chimera agent workflow (SPEC section 5) as a state machine on the event
 * loop, shared by the TUI and `chimera report` (one code path):
 *
 *   check   GET /api/version: a server that cannot be reached ends the run at once with
 *           a message saying how to start it; nothing is written
 *   ingest  the inventory (steps 1-3), in slices on a zero-delay timer
 *   analysis  the analysis prompt, streamed (step 4); parsed (step 5)
 *   report  the report prompt, streamed (step 6)
 *   ... repeated for each of N runs ...
 *   save    report.md and metrics.json in a new run folder (step 7)
 *
 * Cancelling (Esc, SIGHUP, q) closes the connection, so the server stops generating, and
 * still saves what exists, marked incomplete with the reason; so does a failure (refused,
 * HTTP error, error mid-stream, reset, stall, a full or read-only disk is reported as the
 * save error). A call that ends without the server's final record keeps its text and the
 * run goes on, marked incomplete. */
#ifndef SRC_WORKFLOW_H
#define SRC_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "config.h"
#include "err.h"
#include "llm.h"

struct evloop;
struct http;
struct workflow;

enum wf_stage {
    WF_CHECK,
    WF_INGEST,
    WF_ANALYSIS,
    WF_REPORT,
    WF_SAVING,
    WF_FINISHED
};

struct workflow_params {
    const char *root;             /* the folder analysed (the ingest walk's root) */
    const char *const *files;     /* marked files relative to root, or NULL for the walk */
    size_t nfiles;
    const char *profile;          /* profile name, for the folder name and the report */
    const struct persona *persona;
    struct gen_options opts;
    struct llm_target target;     /* strings borrowed for the workflow's life */
    const char *out;              /* runs folder; NULL: <root>/chimera-runs */
    int runs;                     /* >= 1 */
    int skip_check;               /* no /api/version first (tests of the stand-in's faults) */
};

struct workflow_status {
    enum wf_stage stage;
    int run;                      /* 1-based, 0 before the first */
    int runs;
    const struct llm_gen *gen;    /* the call streaming now, or NULL */
    size_t ingest_done, ingest_total;
    double ingest_s, analysis_s, report_s;
};

struct workflow_result {
    int complete;                 /* every call finished with the server's final record */
    int failed;                   /* a call failed (error, stall, refused ...) */
    int cancelled;
    char message[512];            /* what happened: "" when complete */
    char *run_dir;                /* where the outputs went, or NULL */
    char save_error[ERR_MSG_MAX]; /* why they could not be saved, or "" */
    /* over every call of every run: for `chimera report`'s closing lines */
    double throughput_mean, throughput_stddev, throughput_cv;  /* NAN when unknown */
    double ttft_mean_ms, ttft_stddev_ms, ttft_cv;
    int runs_done;
};

struct workflow_cb {
    void (*on_stage)(struct workflow *w, enum wf_stage stage, int run, void *arg);
    /* a piece of the streaming call (thinking = 1 for reasoning text) */
    void (*on_piece)(struct workflow *w, int thinking, const char *text, size_t n, void *arg);
    /* a call ended: its figures (valid during the call) */
    void (*on_call_end)(struct workflow *w, const char *stage, const struct llm_result *res,
                        void *arg);
    /* the end, exactly once; `res` valid during the call */
    void (*on_done)(struct workflow *w, const struct workflow_result *res, void *arg);
    void *arg;
};

/* Start a workflow. NULL with `err` set when the parameters cannot work (no persona,
 * runs < 1). Everything later arrives through the callbacks. */
struct workflow *workflow_start(struct evloop *loop, struct http *http,
                                const struct workflow_params *p, const struct workflow_cb *cb,
                                struct err *err);
/* Stop: the streaming call is cancelled (its connection closed), what exists is saved,
 * marked incomplete with `reason`; on_done follows (possibly before this returns). */
void workflow_cancel(struct workflow *w, const char *reason);
void workflow_status(const struct workflow *w, struct workflow_status *out);
/* Frees; a workflow still running is cancelled first without saving or callbacks. */
void workflow_free(struct workflow *w);

const char *workflow_stage_name(enum wf_stage s);

#endif
