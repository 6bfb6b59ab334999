/* cli_report.c: `chimera report [DIR] [--runs N] [--profile NAME] [--out DIR] [--stream]`:
 * the same workflow as the TUI's `A`, without curses. Progress goes to standard error when
 * it is a terminal; with --stream the tokens go to standard output as they arrive. SIGINT,
 * SIGTERM and SIGHUP stop the run and still save what exists, marked incomplete.
 * libcurl's global set-up is main's (http_global_init). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "clock.h"
#include "cli_report.h"
#include "evloop.h"
#include "fmt.h"
#include "http.h"
#include "sanitize.h"
#include "settings.h"
#include "sig.h"
#include "workflow.h"
#include "xmem.h"

struct report_run {
    struct evloop *loop;
    struct workflow *wf;
    int stream;
    int tty_out;           /* stdout is a terminal: sanitise what the model says */
    int tty_err;
    int live;              /* a live line of counters on stderr (a terminal, not shared
                            * with the streamed tokens) */
    int live_shown;        /* that line is on the screen now */
    uint64_t tick;
    int done;
    int exit_signal;
    int status;            /* exit status */
    struct buf scratch;
};

#define CR_LIVE_MS 250 /* the live line is redrawn 4 times a second */

/* Take the live line off the screen before anything else goes to standard error. */
static void cr_live_clear(struct report_run *r)
{
    if (r->live_shown) {
        fputs("\r\033[K", stderr);
        r->live_shown = 0;
    }
}

/* "  analysis 1/2 · streaming · TTFT 652 ms · 41.2 tok/s · 812 tok · 19.7 s", cut to the
 * terminal's width (a wrapped line could not be redrawn in place). */
static void cr_tick(void *arg)
{
    struct report_run *r = arg;
    struct workflow_status st;
    struct llm_live lv;
    struct winsize ws;
    char line[256];
    size_t cols = sizeof line - 1;

    r->tick = 0;
    if (r->done || r->wf == NULL)
        return;
    workflow_status(r->wf, &st);
    if (st.gen != NULL) {
        char ttft[48], rate[32], num[32];

        llm_live(st.gen, clock_now_ns(), &lv);
        if (lv.ttft_ms >= 0)
            snprintf(ttft, sizeof ttft, "TTFT %.0f ms", lv.ttft_ms);
        else
            snprintf(ttft, sizeof ttft, "waiting %.1f s", lv.elapsed_ms / 1000.0);
        if (lv.tok_s >= 0)
            snprintf(rate, sizeof rate, " \xC2\xB7 %.1f tok/s", lv.tok_s);
        else
            rate[0] = '\0';
        fmt_count(num, sizeof num, lv.pieces);
        snprintf(line, sizeof line, "  %s %d/%d \xC2\xB7 %s \xC2\xB7 %s%s \xC2\xB7 %s tok \xC2\xB7 %.1f s",
                 workflow_stage_name(st.stage), st.run, st.runs, llm_state_name(lv.state), ttft,
                 rate, num, lv.elapsed_ms / 1000.0);
        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
            cols = ws.ws_col - 1;
        fputs("\r\033[K", stderr);
        /* the line is ASCII but for the middle dots (2 bytes, 1 column each) */
        for (size_t i = 0, w = 0; line[i] != '\0' && w < cols; i++) {
            fputc(line[i], stderr);
            if (((unsigned char)line[i] & 0xC0) != 0x80)
                w++;
        }
        fflush(stderr);
        r->live_shown = 1;
    }
    r->tick = evloop_add_timer(r->loop, CR_LIVE_MS, cr_tick, r);
}

/* "chimera: analysis (run 1/3)" on standard error, when it is a terminal. */
static void cr_progress(struct report_run *r, const char *stage, int run, int runs)
{
    cr_live_clear(r);
    if (r->tty_err)
        fprintf(stderr, "chimera: %s (run %d/%d)\n", stage, run, runs);
    if (r->live && r->tick == 0)
        r->tick = evloop_add_timer(r->loop, CR_LIVE_MS, cr_tick, r);
}

static void cr_on_stage(struct workflow *w, enum wf_stage stage, int run, void *arg)
{
    struct report_run *r = arg;
    struct workflow_status st;

    workflow_status(w, &st);
    if (stage == WF_INGEST || stage == WF_ANALYSIS || stage == WF_REPORT)
        cr_progress(r, workflow_stage_name(stage), run, st.runs);
    if (r->stream && (stage == WF_ANALYSIS || stage == WF_REPORT))
        printf("\n## chimera: %s, run %d/%d\n\n", workflow_stage_name(stage), run, st.runs);
}

static void cr_on_piece(struct workflow *w, int thinking, const char *text, size_t n, void *arg)
{
    struct report_run *r = arg;

    (void)w;
    if (!r->stream || thinking)
        return;
    if (r->tty_out) {
        /* a terminal must never receive the model's escape sequences */
        buf_reset(&r->scratch);
        if (sanitize(text, n, SAN_KEEP_NEWLINE | SAN_EXPAND_TABS, &r->scratch) < 0) {
            /* a piece over the scratch bound: what fitted is printed */
        }
        fwrite(r->scratch.data, 1, r->scratch.len, stdout);
    } else {
        fwrite(text, 1, n, stdout);
    }
    fflush(stdout);
}

static void cr_on_call_end(struct workflow *w, const char *stage, const struct llm_result *res,
                           void *arg)
{
    struct report_run *r = arg;
    struct llm_figures f;
    struct workflow_status st;
    char tp[48], ttft[48];

    workflow_status(w, &st);
    (void)st;
    cr_live_clear(r);
    llm_figures(&res->server, res->api, &f);
    if (f.has_throughput)
        snprintf(tp, sizeof tp, "%.2f tok/s (server)", f.throughput);
    else
        snprintf(tp, sizeof tp, "throughput not reported");
    if (res->ttft_ms >= 0)
        snprintf(ttft, sizeof ttft, "TTFT %.2f ms (chimera)", res->ttft_ms);
    else
        snprintf(ttft, sizeof ttft, "no token received");
    if (r->tty_err || res->state != LLM_DONE)
        fprintf(stderr, "chimera: %s: %s, %s, %s%s%s\n", stage, llm_state_name(res->state), ttft,
                tp, res->message[0] ? ": " : "", res->message);
}

/* "41.20 ± 0.35 tok/s (CV 0.8%)"; one value has no spread; NaN is a figure nobody sent. */
static void cr_spread(char *out, size_t cap, double mean, double sd, double cv, const char *unit)
{
    if (isnan(mean))
        snprintf(out, cap, "not reported");
    else if (isnan(sd))
        snprintf(out, cap, "%.2f %s", mean, unit);
    else
        snprintf(out, cap, "%.2f \xC2\xB1 %.2f %s (CV %.1f%%)", mean, sd, unit, isnan(cv) ? 0 : cv);
}

static void cr_on_done(struct workflow *w, const struct workflow_result *res, void *arg)
{
    struct report_run *r = arg;

    (void)w;
    r->done = 1;
    cr_live_clear(r);
    if (r->tick != 0) {
        evloop_cancel_timer(r->loop, r->tick);
        r->tick = 0;
    }
    r->status = res->complete && res->save_error[0] == '\0' ? 0 : 1;
    if (r->stream)
        fputc('\n', stdout);
    if (res->run_dir != NULL && res->save_error[0] == '\0')
        fprintf(stderr, "chimera: saved %s/report.md and metrics.json%s\n", res->run_dir,
                res->complete ? "" : " (marked incomplete)");
    if (res->save_error[0] != '\0')
        fprintf(stderr, "chimera: the run could not be saved: %s\n", res->save_error);
    if (!res->complete && res->message[0] != '\0')
        fprintf(stderr, "chimera: %s\n", res->message);
    if (res->runs_done > 0 && !(isnan(res->throughput_mean) && isnan(res->ttft_mean_ms))) {
        char tp[96], tt[96];

        cr_spread(tp, sizeof tp, res->throughput_mean, res->throughput_stddev, res->throughput_cv,
                  "tok/s");
        cr_spread(tt, sizeof tt, res->ttft_mean_ms, res->ttft_stddev_ms, res->ttft_cv, "ms");
        fprintf(stderr, "chimera: throughput %s, TTFT %s over %d run%s\n", tp, tt,
                res->runs_done, res->runs_done == 1 ? "" : "s");
    }
    evloop_stop(r->loop);
}

static void cr_on_signal(int fd, unsigned events, void *arg)
{
    struct report_run *r = arg;
    unsigned bits = sig_read();

    (void)fd;
    (void)events;
    if (!(bits & (SIG_TERM | SIG_HUP | SIG_INT)) || r->wf == NULL || r->done)
        return;
    r->exit_signal = (bits & SIG_TERM) ? SIGTERM : (bits & SIG_HUP) ? SIGHUP : SIGINT;
    workflow_cancel(r->wf, r->exit_signal == SIGHUP   ? "the terminal hung up (SIGHUP)"
                           : r->exit_signal == SIGINT ? "interrupted (SIGINT)"
                                                      : "stopped (SIGTERM)");
}

int cli_report(const struct app_options *o, int runs, int stream)
{
    struct report_run r;
    struct config cfg;
    struct host host;
    char *profile = NULL;
    struct gen_options opts;
    struct workflow_params p;
    struct workflow_cb cb = {cr_on_stage, cr_on_piece, cr_on_call_end, cr_on_done, NULL};
    struct http *http = NULL;
    struct err err;
    int rc, sfd;

    memset(&r, 0, sizeof r);
    r.stream = stream;
    r.tty_out = isatty(STDOUT_FILENO);
    r.tty_err = isatty(STDERR_FILENO);
    /* tokens streamed to the same terminal would be torn by a line redrawn in place */
    r.live = r.tty_err && !(stream && r.tty_out);
    r.status = 1;
    buf_init(&r.scratch, 1u << 20);
    cb.arg = &r;
    config_init(&cfg);
    rc = settings_load(&cfg, o, &host, &profile, &opts, &err);
    if (rc != 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        goto out;
    }
    memset(&p, 0, sizeof p);
    p.root = o->root;
    p.profile = profile;
    p.persona = config_persona(&cfg, config_profile(&cfg, profile)->persona);
    p.opts = opts;
    p.target.base_url = host.url;
    (void)llm_api_parse(cfg.api, &p.target); /* checked where it was read */
    p.target.model = cfg.model;
    p.target.api_key = getenv("CHIMERA_API_KEY");
    p.target.stall_s = cfg.stall_timeout_s;
    p.out = cfg.out;
    p.runs = runs;
    rc = 1;
    r.loop = evloop_new();
    http = http_new(r.loop, &err);
    sfd = http != NULL ? sig_init(&err) : -1;
    if (sfd < 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        goto out;
    }
    evloop_add_fd(r.loop, sfd, EVLOOP_READ, cr_on_signal, &r);
    r.wf = workflow_start(r.loop, http, &p, &cb, &err);
    if (r.wf == NULL) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        goto out;
    }
    while (!r.done && evloop_run(r.loop) == 0)
        ;
    rc = r.status;
out:
    workflow_free(r.wf);
    http_free(http);
    if (r.loop != NULL) {
        sig_fini();
        evloop_free(r.loop);
    }
    config_fini(&cfg);
    free(profile);
    buf_fini(&r.scratch);
    if (r.exit_signal != 0) {
        /* the run is saved: now die of the signal, so the caller sees how we ended */
        signal(r.exit_signal, SIG_DFL);
        raise(r.exit_signal);
        return 128 + r.exit_signal;
    }
    return rc;
}
