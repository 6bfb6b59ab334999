"""cases_stream.py: end-to-end cases of live report generation (SPEC sections 3, 5-8).

Imported by run.py (at the end of its case list); the cases register with run.py's
@case and use its App/Ctx helpers. Each case starts its own tests/fake_ollama.py
(fakesrv.FakeServer: --port 0, a port file and a --record file in the case's temp dir)
and checks what chimera shows and saves against what the fake server recorded:

  stream_tui            `A` in the TUI: live TTFT / tok/s / tok, the report pane, the
                        saved run, metrics.json against the fake's record
  stream_cancel         Esc mid-stream: cancelled, partial run saved, connection closed
  stream_resize         60x20, 140x40, 100x30 while streaming: re-wrapped, goes on
  stream_quit_confirm   q asks while streaming; n goes on; q y quits, partial saved
  stream_sighup         SIGHUP mid-stream: partial saved naming it, terminal restored
  stream_faults_NAME    one per server fault (and `refused`: nothing listens)
  stream_thinking       a reasoning model: dimmed thinking, z folds it, think_ms < ttft
  report_headless       `chimera report --runs 3`: report.md and metrics.json field by
                        field, --stream, progress only on a terminal
  report_headless_openai  --api openai: usage only (not reported), llama.cpp's timings
  report_headless_faults  refused, error mid-stream, SIGTERM / SIGHUP, read-only --out
  compare_cli           `chimera compare A B [--json]` against figures computed here
  history_overlay       H: the runs, newest first, Space marks, c compares, Enter shows
  model_picker          m lists the server's models; the pick is the next run's model
  profile_editor        p: cycling the profile changes the next Configuration line; a
                        bad value shows the range error and is not applied
  fake_server_selftest  tests/fake_ollama_selftest.py

Nothing sleeps a fixed time: every wait polls the screen, the file system or the fake's
record, with deadlines scaled by E2E_TIMEOUT_SCALE.
"""
import calendar
import json
import math
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

from fakesrv import (FAST, SELFTEST, ClosedPort, FakeServer, expected_text,
                     fake_error_texts, multibyte_pieces, think_text)
from tmuxdrv import E2EError, timeout_scale


def _host_module():
    """run.py, whether it runs as __main__ or was imported as `run`."""
    for name in ("__main__", "run"):
        m = sys.modules.get(name)
        if m is not None and hasattr(m, "CASES") and hasattr(m, "App"):
            return m
    raise ImportError("cases_stream is meant to be imported by tests/e2e/run.py")


_run = _host_module()
case, App, check, Skip = _run.case, _run.App, _run.check, _run.Skip
artifact_counts, restore_checks = _run.artifact_counts, _run.restore_checks
wait_all = _run.wait_all
HINTS = _run.HINTS

# the longest of these go first in the pool
_run.SLOW_FIRST.update({"fake_server_selftest", "stream_resize", "stream_tui",
                        "report_headless", "stream_quit_confirm", "compare_cli"})

STATUS_STREAM = re.compile(r"streaming · TTFT (\d+) ms · ([\d.]+) tok/s · .*?([\d ]+) tok · "
                           r"[\d.]+ s · (analysis|report) (\d+)/(\d+)")
SAVED = re.compile(r"saved .*report\.md")


def saved_shown(s):
    """The end of a run that saved: "saved …/report.md" in the status line (which may be
    cut short at its width) or in the report pane (wrapped)."""
    return (re.search(r"(?:^ *|· )(?:done|error|cancelled|incomplete) · (?:.* — )?saved \S",
                      status(s)) is not None
            or SAVED.search(report_flat(s)) is not None)


def ms_tol():
    """Tolerance of chimera's TTFT over the server's: the same interval from a slightly
    earlier start (25 ms, scaled)."""
    return 25.0 * timeout_scale()


# A client's TTFT can exceed the server's by far more than the connection costs when the
# client is not scheduled between starting its clock and sending (seen: 100-220 ms for a
# `nice -n 19` chimera beside a busy loop). So each call must lie within 0..GROSS_MS,
# and the median of a case's calls within ms_tol(): a systematic error (a clock started
# early, thinking counted as TTFT) shifts every call, a scheduling delay only some, and
# those are reported as notes.
GROSS_MS = 1000.0


# --- screen helpers -------------------------------------------------------------------------------
def status(screen):
    lines = screen.rstrip("\n").splitlines()
    return lines[-1] if lines else ""


def report_rows(screen):
    """The report pane's text rows (inside its borders), top to bottom."""
    lines = screen.splitlines()
    for i, l in enumerate(lines):
        k = l.find("┌ Report")
        if k >= 0:
            break
    else:
        return []
    rows = []
    for l in lines[i + 1:]:
        body = l[k:] if len(l) > k else ""
        if not body.startswith(("│", "x")):
            # a wide character further left shifts the columns: find the border
            m = re.search(r"[│┘┐┤]([│└])", l)
            if not m:
                break
            body = l[m.start(1):]
        if body.startswith("└"):
            break
        rows.append(body[1:].rstrip().rstrip("│").rstrip())
    return rows


def flat(text):
    return re.sub(r"\s+", " ", text).strip()


def report_flat(screen):
    """The report pane's rows as one line (wrapping undone as spaces)."""
    return flat(" ".join(report_rows(screen)))


def visible_text(markdown):
    """What the report pane shows of a Markdown text: no '#' of headings, no ** or `."""
    t = re.sub(r"^#{1,6} ", "", markdown, flags=re.M)
    return t.replace("**", "").replace("`", "")


def first_sentence(text):
    """The first sentence of the first paragraph of the fake's report, as shown."""
    para = visible_text(text).split("\n\n")[1]
    return para.split(". ")[0] + "."


def row_starting(screen, prefix):
    for r in report_rows(screen):
        if r.strip().startswith(prefix):
            return r.strip()
    return None


def tokens_in_status(screen):
    m = STATUS_STREAM.search(status(screen))
    return int(m.group(3).replace(" ", "")) if m else None


def end_frame(screen, state):
    """The status line of a finished run: its state first, the idle key hints last. The
    status line is the last row chimera paints, and the hints replace the run's
    "Esc stop" there: on a screen that shows both, the end-of-run frame is complete."""
    st = status(screen).strip()
    return st.startswith(state) and st.endswith(HINTS)


# --- helpers for runs --------------------------------------------------------------------------------
def case_home(ctx, config=None):
    """HOME and XDG_CONFIG_HOME in the case's temp dir, with a config file if given."""
    home = os.path.join(ctx.tmp, "home")
    cfgdir = os.path.join(home, ".config", "chimera")
    os.makedirs(cfgdir, exist_ok=True)
    if config is not None:
        with open(os.path.join(cfgdir, "config"), "w") as f:
            f.write(config)
    return {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config")}


def start_tui(ctx, host, args=(), w=100, h=30, config=None):
    """A generated tree and chimera on it with --host; waits for the scan to finish."""
    root, _expect = ctx.gen_tree()
    counts = artifact_counts(root)
    env = case_home(ctx, config)
    app = App(ctx, root, args=["--host", host] + list(args), w=w, h=h, env=env)
    # App.wait_ready, for any width (a wide tree pane shows the mtime between name and count)
    pat = re.compile(r"[▾\-] %s/ (?:.*? )?%d[│|x]" % (re.escape(app.root_name), counts[""]))
    app.t.wait_for(lambda s: pat.search(s) is not None and HINTS in s
                   and "reading" not in status(s),
                   msg="root %s/ with %d artifacts and the hints" % (app.root_name, counts[""]))
    return app, root


def runs_in_tree(app, s, n=2):
    """The tree shows chimera-runs/ with n artifacts."""
    return re.search(r"[▸▾] chimera-runs/ (?:.*? )?%d[│|x]" % n, s) is not None


def run_dirs(out):
    """Run folders under out (names sorted), those that hold both files."""
    try:
        names = sorted(os.listdir(out))
    except FileNotFoundError:
        return []
    return [n for n in names if os.path.isfile(os.path.join(out, n, "metrics.json"))
            and os.path.isfile(os.path.join(out, n, "report.md"))]


def wait_run_dirs(out, n, timeout=15):
    deadline = time.monotonic() + timeout * timeout_scale()
    while True:
        d = run_dirs(out)
        if len(d) >= n:
            return d
        if time.monotonic() > deadline:
            raise E2EError("%d run folder(s) in %s, expected %d: %s"
                           % (len(d), out, n, os.listdir(out) if os.path.isdir(out) else "none"))
        time.sleep(0.05)


def load_run(folder):
    with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as f:
        m = json.load(f)
    with open(os.path.join(folder, "report.md"), encoding="utf-8") as f:
        md = f.read()
    return m, md


def fig(call, name):
    v = call["figures"].get(name)
    return None if v is None else v["value"]


def server_ttft_ms(rec, content=True):
    t = rec["t_first_content_mono"] if content else rec["t_first_piece_mono"]
    return None if t is None else (t - rec["t_request_mono"]) * 1000.0


def check_call_vs_record(call, rec, label, diffs, ttft_from_content=True):
    """chimera's figures of one call against the fake's own measurements; the TTFT
    difference goes to `diffs` for ttft_spread() (see GROSS_MS)."""
    problems = []
    client = fig(call, "ttft_ms")
    server = server_ttft_ms(rec, content=ttft_from_content)
    if client is None or server is None:
        problems.append("%s: TTFT client %s, server %s" % (label, client, server))
    else:
        d = client - server
        if not (0 <= d <= GROSS_MS * timeout_scale()):
            problems.append("%s: chimera's TTFT %.3f ms vs the server's %.3f ms (difference "
                            "%.3f ms: impossible below 0, expected a few ms)"
                            % (label, client, server, d))
        else:
            diffs.append((label, d))
    if call["figures"]["ttft_ms"]["source"] != "client":
        problems.append("%s: ttft_ms source %r" % (label, call["figures"]["ttft_ms"]["source"]))
    if rec.get("eval_duration"):
        want = rec["eval_count"] / rec["eval_duration"] * 1e9
        got = fig(call, "throughput_tok_s")
        if got is None or abs(got - want) > 0.01:
            problems.append("%s: throughput %s, the record says %.4f" % (label, got, want))
        elif call["figures"]["throughput_tok_s"]["source"] != "server":
            problems.append("%s: throughput source %r"
                            % (label, call["figures"]["throughput_tok_s"]["source"]))
    if fig(call, "tokens") != rec["eval_count"]:
        problems.append("%s: tokens %s, eval_count %s" % (label, fig(call, "tokens"),
                                                          rec["eval_count"]))
    return problems


def ttft_spread(ctx, diffs, what="TTFT"):
    """The median of the calls' differences within ms_tol(); single outliers are notes."""
    if not diffs:
        return []
    med = statistics.median(d for _, d in diffs)
    for label, d in diffs:
        if d > ms_tol() and med <= ms_tol():
            ctx.note("%s: chimera's %s is %.1f ms over the server's (the other calls' median "
                     "%.1f ms): a scheduling delay?" % (label, what, d, med))
    if med > ms_tol():
        return ["chimera's %s exceeds the server's by %s ms (median %.1f ms, expected at most "
                "%.0f ms)" % (what, ", ".join("%s %.1f" % x for x in diffs), med, ms_tol())]
    return []


def exited(app):
    """The wrapper's record (EXIT=n) once chimera has exited, else None."""
    try:
        with open(app.t.path("wrapper.out")) as f:
            return f.read().strip().replace("\n", " ") or None
    except FileNotFoundError:
        return None


def wait_end(app, state, timeout=20):
    """The report pane's title says the run ended in `state` (done, error, cancelled,
    incomplete); returns the screen."""
    pat = re.compile(r"┌ Report · .* · %s ─" % re.escape(state))

    def ended(s):
        if pat.search(s) is not None:
            return True
        died = exited(app)
        if died:
            raise E2EError("chimera exited during the run (%s)" % died, s)
        return False
    ended.__name__ = "the run to end (%s)" % state
    try:
        return app.t.wait_for(ended, timeout=timeout)
    except E2EError as e:
        m = re.search(r"┌ Report · .*? · (\w+) ─", app.t.last_screen)
        if m and m.group(1) != state and not app.t.pane_dead():
            raise E2EError("the run ended %s, expected %s" % (m.group(1), state), app.t.last_screen)
        if app.t.pane_dead():
            raise E2EError("chimera died during the run", app.t.last_screen)
        raise e


def help_responds(app):
    """The UI still takes keys: ? opens the help, a key closes it."""
    app.t.send_keys("?")
    app.t.wait_for("chimera keys", msg="? to open the help")
    app.t.send_keys("x")
    app.t.wait_gone("chimera keys", msg="x to close the help")


def sample_stats(values):
    mean = math.fsum(values) / len(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd, (sd / mean * 100.0 if mean else float("nan"))


def close(a, b, rel=1e-9, abs_=1e-9):
    return a is not None and b is not None and abs(a - b) <= max(abs_, rel * abs(b))


def chimera_env(ctx, extra=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    e.update(case_home(ctx))
    e.update(extra or {})
    return e


# =================================================================================================
# 1. the TUI: `A`, live figures, the report, the saved run
# =================================================================================================
@case
def case_stream_tui(ctx):
    ntok = 120
    with FakeServer(ctx.tmp, "--rate", "80", "--tokens", ntok, "--ttft-ms", "100") as srv:
        app, root = start_tui(ctx, srv.host, w=160, h=40)
        t = app.t
        text = expected_text(ntok)
        t.send_keys("A")
        # the live figures: state, TTFT, tok/s, tokens, stage
        s = t.wait_for(lambda s: STATUS_STREAM.search(status(s)) is not None,
                       msg="the status line to show streaming · TTFT … ms · … tok/s · … tok")
        m = STATUS_STREAM.search(status(s))
        check(int(m.group(1)) >= 100, "live TTFT %s ms, but the server waits 100 ms before the "
              "first piece" % m.group(1), s)
        # the report pane fills: the heading without '#', a sentence of the fake's text
        sentence = first_sentence(text)
        s = wait_all(t, [("the report pane showing %r" % sentence,
                          lambda s: sentence in report_flat(s)),
                         ("a heading line 'Executive Summary' in the report pane",
                          lambda s: any(r.strip() == "Executive Summary" for r in report_rows(s)))],
                     "the report pane to show the heading and %r" % sentence)
        # the heading's row is above the sentence's: painted in the same frame or before
        check("## Executive" not in s, "the heading is shown with its '#'", s)
        # the end: saved, and the runs folder in the tree
        s = t.wait_for(lambda s: SAVED.search(status(s)) is not None, timeout=30,
                       msg="the status line to say saved …/report.md")
        check(status(s).lstrip().startswith("done"), "the status line does not say done", s)
        t.wait_for(lambda s: runs_in_tree(app, s), msg="chimera-runs/ (2 artifacts) in the tree")
        runs = os.path.join(root, "chimera-runs")
        dirs = run_dirs(runs)
        check(len(dirs) == 1, "run folders: %s" % dirs)
        check(re.fullmatch(r"\d{8}-\d{6}-chimera", dirs[0]), "run folder name %r" % dirs[0])
        check(os.path.join(runs, dirs[0], "report.md") in status(s),
              "the status line does not name %s/report.md" % dirs[0], s)
        m, md = load_run(os.path.join(runs, dirs[0]))
        recs = srv.wait_records(2)
        check(len(m["calls"]) == 2 and len(recs) == 2,
              "%d calls in metrics.json, %d requests recorded" % (len(m["calls"]), len(recs)))
        problems, diffs = [], []
        for call, rec in zip(m["calls"], recs):
            problems += check_call_vs_record(call, rec, call["stage"], diffs)
            if call["response"] != text:
                problems.append("%s: the response differs from the fake's text" % call["stage"])
            live = fig(call, "live_tok_s")
            if live is None or not (0.5 * 80 <= live <= 1.5 * 80):
                problems.append("%s: live tok/s %s, the server sent 80 pieces/s"
                                % (call["stage"], live))
        problems += ttft_spread(ctx, diffs)
        check(m["complete"] is True, "metrics.json complete=%r" % m["complete"])
        check(not problems, "; ".join(problems))


@case
def case_stream_loading(ctx):
    """A cold model: Ollama sends nothing, not even headers, while it loads the model. Once
    the request is sent the status line says "loading model" (not "connecting", which
    would point at the network) and counts the wait; then the stream."""
    with FakeServer(ctx.tmp, "--load-ms", "2500", "--always-load", "--rate", "200",
                    "--tokens", "60", "--ttft-ms", "50") as srv:
        app, _root = start_tui(ctx, srv.host, w=120, h=30)
        t = app.t
        t.send_keys("A")
        s = t.wait_for(lambda s: re.match(r" loading model · waiting \d+\.\d s · 0 tok · "
                                          r"[\d.]+ s · analysis 1/1", status(s)),
                       msg="the status line saying loading model while the server is silent")
        rec_before = srv.records()
        check(not rec_before or rec_before[0].get("t_first_piece_mono") is None,
              "loading model shown only after the first piece", s)
        wait_end(app, "done")


# =================================================================================================
# 2. Esc mid-stream
# =================================================================================================
@case
def case_stream_cancel(ctx):
    with FakeServer(ctx.tmp, "--rate", "20", "--tokens", "2000", "--ttft-ms", "50") as srv:
        app, root = start_tui(ctx, srv.host, w=160, h=40)
        t = app.t
        app.select("csv_data")
        t.send_keys("a")
        t.wait_for(lambda s: (tokens_in_status(s) or 0) >= 3, msg="tokens to arrive")
        t.send_keys("Escape")
        wait_end(app, "cancelled")
        wait_all(t, [("the status line saying cancelled and saved",
                      lambda s: "cancelled" in status(s) and SAVED.search(status(s))),
                     ("the report pane or the status line saying the run is marked incomplete",
                      lambda s: "marked incomplete" in report_flat(s) + status(s))],
                 "the end of the cancelled run")
        check(not t.pane_dead(), "chimera died")
        runs = os.path.join(root, "chimera-runs")
        dirs = wait_run_dirs(runs, 1)
        m, md = load_run(os.path.join(runs, dirs[0]))
        check(m["complete"] is False, "metrics.json complete=%r" % m["complete"])
        reason = m["incomplete_reason"]
        check(isinstance(reason, str) and reason, "no incomplete_reason: %r" % reason)
        check(re.search(r"^> \*\*Incomplete run:\*\* .*%s" % re.escape(reason), md, re.M),
              "report.md lacks '> **Incomplete run:** %s'" % reason)
        check(m["root"].rstrip("/").endswith("/csv_data"), "analysed %r, not csv_data/" % m["root"])
        check(m["calls"] and m["calls"][-1]["state"] == "cancelled",
              "the last call's state is %r" % (m["calls"][-1]["state"] if m["calls"] else None))
        partial = m["calls"][-1]["response"]
        check(partial and expected_text(2000).startswith(partial),
              "the partial response is not the start of the fake's text: %r" % partial[:80])
        rec = srv.wait_records(1, what="the cancelled request")[0]
        check(rec["client_closed"] is True, "the fake did not see the connection close: %s" % rec)
        check(rec["pieces"] < 2000, "the server sent every piece (%d)" % rec["pieces"])
        help_responds(app)


# =================================================================================================
# 3. resizing while streaming
# =================================================================================================
@case
def case_stream_resize(ctx):
    ntok = 300
    with FakeServer(ctx.tmp, "--rate", "100", "--tokens", ntok, "--ttft-ms", "50") as srv:
        app, root = start_tui(ctx, srv.host)
        t = app.t
        text = expected_text(ntok)
        para = flat(visible_text(text).split("\n\n")[1])
        start = "The benchmark corpus"
        t.send_keys("A")
        # once the text overflows the pane (the paragraph has scrolled away), stop
        # following (g: the top) so that the paragraph stays in view
        t.wait_for(lambda s: "Performance Analysis" in report_flat(s)
                   and STATUS_STREAM.search(status(s)),
                   msg="more text than the pane holds, while streaming")
        t.send_keys("g")
        s = t.wait_for(lambda s: "paused: G follows" in s and row_starting(s, start),
                       msg="g to scroll the report to its top")
        rows = {}

        def wrapped_row(width):
            def ok(s):
                r = row_starting(s, start)
                if r is None or not para.startswith(r):
                    return False
                rows[width] = r
                return True
            ok.__name__ = "the paragraph at width %d" % width
            return ok
        wrapped_row(100)(s)
        check(100 in rows, "test bug: no paragraph row", s)
        # a resize repaints everything; the report pane's bottom border ("paused: G
        # follows", beyond the old width) comes after its rows: the rows read are whole
        t.resize(60, 20)
        t.wait_for(lambda s: "Tab: next pane" in s and "┌ Report" in s
                   and "paused: G follows" in s
                   and wrapped_row(60)(s) and rows[60] != rows[100],
                   msg="the report tab at 60x20 with the paragraph re-wrapped")
        t.resize(140, 40)
        t.wait_for(lambda s: "┌ Artifacts" in s and "paused: G follows" in s
                   and wrapped_row(140)(s) and len(rows[140]) > len(rows[100]),
                   msg="the paragraph re-wrapped wider at 140x40")
        t.resize(100, 30)
        t.wait_for(lambda s: "┌ Artifacts" in s and row_starting(s, start) == rows[100],
                   msg="the paragraph wrapped as before at 100x30")
        check(len(rows[60]) < len(rows[100]) < len(rows[140]),
              "wrapping: 60 cols %d chars, 100 cols %d, 140 cols %d"
              % (len(rows[60]), len(rows[100]), len(rows[140])))
        check(len(rows[60]) <= 56 and len(rows[100]) <= 62,
              "a row wider than its pane: %r" % rows)
        check(not t.pane_dead(), "chimera died while resizing")
        # the stream went on through it all
        s = t.wait_for(lambda s: STATUS_STREAM.search(status(s)) or saved_shown(s),
                       msg="still streaming (or saved) after the resizes")
        t.send_keys("G")
        wait_end(app, "done", timeout=30)
        dirs = wait_run_dirs(os.path.join(root, "chimera-runs"), 1)
        m, _md = load_run(os.path.join(root, "chimera-runs", dirs[0]))
        check(m["complete"] is True, "the run is not complete: %s" % m["incomplete_reason"])
        for c in m["calls"]:
            check(c["response"] == text, "%s: the response is not the fake's whole text"
                  % c["stage"])
        check(len(m["calls"]) == 2, "%d calls" % len(m["calls"]))


def follow_run(ctx, config):
    """chimera streaming a text longer than its report pane; returns (app, samples, whole):
    the report rows of every screen polled while it streamed past the first page, and
    those of the polls that saw the same rows as the poll before them.

    A poll can catch a frame half painted (chimera writes about a row at a time, the
    status line does not change with every frame, and nothing else marks a streaming
    frame's end): its top rows new, the rest from the frame before. Rows that two polls
    50 ms apart saw alike are a whole frame's."""
    ntok = 500
    samples, whole, prev = [], [], [None]
    with FakeServer(ctx.tmp, "--rate", "100", "--tokens", ntok, "--ttft-ms", "50") as srv:
        app, _root = start_tui(ctx, srv.host, config=config)
        t = app.t
        t.send_keys("A")

        def past_first_page(s):
            rows = report_rows(s)
            if (STATUS_STREAM.search(status(s)) and rows
                    and not any(r.strip() == "analysis 1/1" for r in rows)):
                samples.append(rows)
                if rows == prev[0]:
                    whole.append(rows)
                prev[0] = rows
            else:
                prev[0] = None
            return (len(samples) >= 25 and len(whole) >= 10) or "report 1/1" in status(s)
        t.wait_for(past_first_page, msg="the stream past the report pane's first page")
        check(len(samples) >= 5, "only %d screens while the analysis streamed past its first "
              "page" % len(samples))
        return app, samples, whole


@case
def case_stream_follow_pages(ctx):
    """Following by pages (the default): when the text reaches the pane's bottom edge the
    view turns a page, the last rows stay on top as context and the rows below fill with
    new text (each row is sent to the terminal once, instead of every row moving up)."""
    _app, samples, _whole = follow_run(ctx, None)
    # a turned page: text on top, blank rows below it, while the stream goes on
    turned = [rows for rows in samples if rows[0].strip() and not rows[-1].strip()
              and not rows[-2].strip() and not rows[-3].strip()]
    check(turned, "no page turn among %d screens: the last screen's rows %r"
          % (len(samples), samples[-1]))
    # never an empty pane: the newest text is always shown
    check(all(any(r.strip() for r in rows) for rows in samples), "an empty report pane")


@case
def case_stream_follow_lines(ctx):
    """`follow = line`: the newest text stays on the pane's bottom row, like tail -f."""
    _app, samples, whole = follow_run(ctx, "follow = line\n")
    # only whole frames: in a half-painted one the rows just scrolled up (a blank row after
    # a paragraph) can sit above the previous frame's blank bottom row
    check(len(whole) >= 5, "only %d whole frames (seen by two polls in a row) among %d "
          "screens while the analysis streamed past its first page" % (len(whole), len(samples)))
    for rows in whole:
        last = max(i for i, r in enumerate(rows) if r.strip())
        # a paragraph break may just have arrived: one blank row at most
        check(last >= len(rows) - 2, "the newest text on row %d of %d with follow = line: %r"
              % (last + 1, len(rows), rows))


# =================================================================================================
# 4. q while streaming
# =================================================================================================
@case
def case_stream_quit_confirm(ctx):
    with FakeServer(ctx.tmp, "--rate", "20", "--tokens", "2000", "--ttft-ms", "50") as srv:
        app, root = start_tui(ctx, srv.host)
        t = app.t
        t.send_keys("A")
        s = t.wait_for(lambda s: (tokens_in_status(s) or 0) >= 2, msg="tokens to arrive")
        t.send_keys("q")
        t.wait_for("Quit now?", msg="q to ask before quitting")
        t.send_keys("n")
        s = t.wait_gone("Quit now?", msg="n to close the question")
        n0 = tokens_in_status(t.wait_for(lambda s: tokens_in_status(s) is not None,
                                         msg="the live figures after n"))
        t.wait_for(lambda s: (tokens_in_status(s) or 0) > n0,
                   msg="the stream to go on after n (more than %d tokens)" % n0)
        check(not t.pane_dead(), "n quit chimera")
        t.send_keys("q")
        t.wait_for("Quit now?", msg="q to ask again")
        t.send_keys("y")
        rc, s = app.wait_exit()
        restore_checks(app, rc, s, 0)
        runs = os.path.join(root, "chimera-runs")
        dirs = wait_run_dirs(runs, 1, timeout=5)
        m, md = load_run(os.path.join(runs, dirs[0]))
        check(m["complete"] is False, "the run quit mid-stream is complete=%r" % m["complete"])
        check(m["incomplete_reason"] and re.search(r"^> \*\*Incomplete run:\*\*", md, re.M),
              "report.md is not marked incomplete (reason %r)" % m["incomplete_reason"])
        check(m["calls"] and m["calls"][-1]["response"], "the partial text was not saved")
        rec = srv.wait_records(1)[0]
        check(rec["client_closed"] is True, "the connection was not closed: %s" % rec)


@case
def case_stream_sighup(ctx):
    """SPEC section 8: SIGHUP mid-stream (the SSH session dropped) loses nothing: the
    partial run is saved, marked incomplete with the reason, the terminal is restored."""
    with FakeServer(ctx.tmp, "--rate", "20", "--tokens", "2000", "--ttft-ms", "50") as srv:
        app, root = start_tui(ctx, srv.host)
        t = app.t
        t.send_keys("A")
        t.wait_for(lambda s: (tokens_in_status(s) or 0) >= 2, msg="tokens to arrive")
        os.kill(app.chimera_pid(), signal.SIGHUP)
        rc, s = app.wait_exit()
        restore_checks(app, rc, s, 128 + signal.SIGHUP)
        dirs = wait_run_dirs(os.path.join(root, "chimera-runs"), 1, timeout=5)
        m, md = load_run(os.path.join(root, "chimera-runs", dirs[0]))
        check(m["complete"] is False and "SIGHUP" in (m["incomplete_reason"] or ""),
              "complete=%r, reason %r" % (m["complete"], m["incomplete_reason"]))
        check(re.search(r"^> \*\*Incomplete run:\*\* .*SIGHUP", md, re.M),
              "report.md lacks the banner naming SIGHUP")
        check(m["calls"] and m["calls"][-1]["response"].startswith("## Executive"),
              "the partial text was not saved")
        check(srv.wait_records(1)[0]["client_closed"] is True, "the connection was not closed")


# =================================================================================================
# 5. server faults, one case each
# =================================================================================================
ERR = fake_error_texts()
MID = fake_error_texts()["error-mid"]
FAULT_AFTER = 5


def partial_checks(root, reason_re, response_check=None):
    """A partial run was saved: complete=false with a reason matching reason_re, report.md
    with the incomplete banner."""
    runs = os.path.join(root, "chimera-runs")
    dirs = wait_run_dirs(runs, 1, timeout=5)
    check(len(dirs) == 1, "run folders: %s" % dirs)
    m, md = load_run(os.path.join(runs, dirs[0]))
    check(m["complete"] is False, "metrics.json complete=%r" % m["complete"])
    check(m["incomplete_reason"] and re.search(reason_re, m["incomplete_reason"]),
          "incomplete_reason %r does not match /%s/" % (m["incomplete_reason"], reason_re))
    check(re.search(r"^> \*\*Incomplete run:\*\* .*" + reason_re, md, re.M),
          "report.md lacks the banner '> **Incomplete run:** …' with /%s/" % reason_re)
    if response_check is not None:
        response_check(m)
    return m, md


def first_call_response(want):
    def chk(m):
        got = m["calls"][0]["response"] if m["calls"] else None
        check(got == want, "the kept text is %r, expected %r" % (got, want))
    return chk


def fault_run(ctx, fault, state, msg_re, extra_args=(), config=None, fake_args=(), w=200, h=40,
              also=()):
    """chimera --model fault-NAME:latest, A, the end state and the message on screen; the
    screen returned is a whole end-of-run frame (end_frame) on which the (description,
    predicate) pairs `also` hold too."""
    srv = FakeServer(ctx.tmp, *(FAST + tuple(fake_args)))
    try:
        app, root = start_tui(ctx, srv.host, ["--model", "fault-%s:latest" % fault] +
                              list(extra_args), w=w, h=h, config=config)
        app.t.send_keys("A")
        wait_end(app, state)
        s = wait_all(app.t, [("a message matching /%s/" % msg_re,
                              lambda s: re.search(msg_re, report_flat(s) + " " + status(s))),
                             ("the status line of the finished run (%s … %s)" % (state, HINTS),
                              lambda s: end_frame(s, state))] + list(also),
                     "the end of the run and its message /%s/" % msg_re)
        return srv, app, root, s
    except BaseException:
        srv.stop()
        raise


def _fault_notfound(ctx):
    srv, app, root, s = fault_run(ctx, "notfound", "error",
                                  r"model 'fault-notfound:latest' not found")
    with srv:
        check("Executive Summary" not in s, "text shown although nothing was streamed", s)
        rec = srv.wait_records(1)[0]
        check(rec["status"] == 404 and rec["pieces"] == 0, "record: %s" % rec)
        for d in run_dirs(os.path.join(root, "chimera-runs")):
            m, _ = load_run(os.path.join(root, "chimera-runs", d))
            check(m["complete"] is False and all(not c["response"] for c in m["calls"]),
                  "a failed call saved as complete or with text")
        help_responds(app)


def _fault_http500(ctx):
    srv, app, root, s = fault_run(ctx, "http500", "error",
                                  r"HTTP 500.*" + re.escape(ERR["http500"]))
    with srv:
        check("Executive Summary" not in s, "text shown although nothing was streamed", s)
        check(srv.wait_records(1)[0]["status"] == 500, "the fake did not answer 500")
        help_responds(app)


def heading_shown(what):
    return ("the text received before the %s shown (the heading Executive Summary)" % what,
            lambda s: any(r.strip() == "Executive Summary" for r in report_rows(s)))


def _fault_error_mid(ctx):
    srv, app, root, s = fault_run(ctx, "error-mid", "error", re.escape(MID),
                                  also=[heading_shown("error")])
    with srv:
        partial_checks(root, re.escape(MID),
                       first_call_response(expected_text(FAULT_AFTER)))
        help_responds(app)


def _fault_reset(ctx):
    srv, app, root, s = fault_run(ctx, "reset", "error", r"closed mid-stream",
                                  also=[heading_shown("reset")])
    with srv:
        partial_checks(root, r"closed mid-stream", first_call_response(expected_text(FAULT_AFTER)))
        help_responds(app)


def _fault_stall(ctx):
    srv, app, root, s = fault_run(ctx, "stall", "error", r"stalled",
                                  config="stall_timeout = 1\n")
    with srv:
        partial_checks(root, r"stalled", first_call_response(expected_text(FAULT_AFTER)))
        rec = srv.wait_records(1, what="the stalled request, once chimera leaves")[0]
        check(rec["client_closed"] is True, "chimera did not close the stalled connection")
        help_responds(app)


def _fault_nodone(ctx):
    srv, app, root, s = fault_run(ctx, "nodone", "incomplete", r"without its final record")
    with srv:
        text = expected_text(60)

        def chk(m):
            check(len(m["calls"]) == 2, "%d calls: the run did not go on" % len(m["calls"]))
            for c in m["calls"]:
                check(c["state"] == "incomplete", "%s: state %r" % (c["stage"], c["state"]))
                check(c["response"] == text, "%s: the text was not kept whole" % c["stage"])
        partial_checks(root, r"without its final record", chk)
        help_responds(app)


def _fault_split_utf8(ctx):
    words = "".join(multibyte_pieces())
    srv, app, root, s = fault_run(
        ctx, "split-utf8", "done", r"saved",
        also=[("the multi-byte words shown whole (%r)" % words,
               lambda s: words.strip() in report_flat(s) or words.strip() in flat(s))])
    with srv:
        check("\ufffd" not in s, "a replacement character on screen", s)
        m, _ = load_run(os.path.join(root, "chimera-runs", run_dirs(os.path.join(root, "chimera-runs"))[0]))
        check(m["calls"][0]["response"].startswith(words),
              "metrics.json response starts %r" % m["calls"][0]["response"][:40])
        help_responds(app)


def _fault_escapes(ctx):
    srv = FakeServer(ctx.tmp, *FAST)
    with srv:
        app, root = start_tui(ctx, srv.host, ["--model", "fault-escapes:latest"], w=200, h=40)
        t = app.t
        title0 = t.info("#{pane_title}")
        t.send_keys("A")
        wait_end(app, "done")
        # ESC[2J would have wiped the tree; ESC[31m would colour "red"
        wait_all(t, [("%r shown as a visible escape" % shown,
                      lambda s, shown=shown: shown in report_flat(s))
                     for shown in ("^[[2J", "^[]0;pwned^G", "^M", "over^Hwrite", "<U+202E>evil",
                                   "<U+009B>31m", "^[[31mred^[[0m")]
                 + [("the tree still on the screen (not cleared)",
                     lambda s: re.search(r"▸ csv_data/ ", s) and "┌ Artifacts" in s),
                    ("the status line of the finished run", lambda s: end_frame(s, "done"))],
                 "the escapes shown as text at the end of the run")
        check(t.info("#{pane_title}") == title0 and "pwned" not in t.info("#{pane_title}"),
              "the window title changed to %r" % t.info("#{pane_title}"))
        esc = t.capture(escapes=True)
        line = next((l for l in esc.splitlines() if "red^[[0m" in l or "red^" in l), None)
        check(line is not None, "test bug: the escapes line not found in the capture")
        sgr = re.findall(r"\x1b\[([0-9;]*)m[^\x1b]*?\^\[\[31mred", line)
        check(not any("31" in p.split(";") for p in sgr), "the text after ^[[31m is red", esc)
        help_responds(app)


def _fault_megaline(ctx):
    srv, app, root, s = fault_run(ctx, "megaline", "done", r"saved")
    with srv:
        dirs = run_dirs(os.path.join(root, "chimera-runs"))
        m, _ = load_run(os.path.join(root, "chimera-runs", dirs[0]))
        check(m["complete"] is True, "the 1.5 MB final record was not accepted: %s"
              % m["incomplete_reason"])
        check(all(fig(c, "tokens") == 60 for c in m["calls"]), "the final record's figures lost")
        help_responds(app)


def _fault_megaline_20(ctx):
    srv, app, root, s = fault_run(ctx, "megaline-20", "error", r"longer than 16 MB")
    with srv:
        partial_checks(root, r"longer than 16 MB")
        help_responds(app)


def _fault_refused(ctx):
    with ClosedPort() as cp:
        app, root = start_tui(ctx, cp.host, w=200, h=40)
        want = ("cannot reach Ollama at %s (connection refused) — start it with `ollama serve` "
                "or set OLLAMA_HOST" % cp.url)
        # at start: said in the report pane; the status line stays free for browsing
        s = app.t.wait_for(lambda s: ("Server: " + want) in report_flat(s)
                           and HINTS in status(s), msg="the start-up check's message")
        check(want not in status(s) and status(s).startswith(" idle"),
              "the start-up check fills the status line", s)
        app.t.send_keys("A")
        wait_end(app, "error")
        s = wait_all(app.t, [("the message %r" % want,
                              lambda s: want in status(s) or want in report_flat(s)),
                             ("the status line of the finished run (error … %s)" % HINTS,
                              lambda s: end_frame(s, "error"))],
                     "the message %r" % want)
        check(not SAVED.search(s), "the status line says saved", s)
        help_responds(app)
        runs = os.path.join(root, "chimera-runs")
        check(not os.path.exists(runs), "a run folder was saved although nothing ran: %s"
              % (os.listdir(runs) if os.path.isdir(runs) else runs))


FAULT_CASES = [("notfound", _fault_notfound), ("http500", _fault_http500),
               ("error_mid", _fault_error_mid), ("reset", _fault_reset),
               ("stall", _fault_stall), ("nodone", _fault_nodone),
               ("split_utf8", _fault_split_utf8), ("escapes", _fault_escapes),
               ("megaline", _fault_megaline), ("megaline_20", _fault_megaline_20),
               ("refused", _fault_refused)]

for _name, _fn in FAULT_CASES:
    _fn.__name__ = "case_stream_faults_" + _name
    case(_fn)


# =================================================================================================
# 6. a reasoning model
# =================================================================================================
def sgr_before(esc_line, text):
    """The SGR parameters in effect where `text` starts in a `capture-pane -e` line
    (tmux writes each attribute change as one sequence; 0 resets)."""
    i = esc_line.find(text)
    if i < 0:
        return None
    attrs = []
    for m in re.finditer(r"\x1b\[([0-9;:]*)m", esc_line[:i]):
        params = m.group(1).split(";") if m.group(1) else ["0"]
        if "0" in params[:1] or params == [""]:
            attrs = []
            params = params[1:]
        attrs += [p for p in params if p]
    return tuple(attrs)


def fg_luma(attrs):
    """Brightness (0-255) of the foreground colour in SGR parameters (the last one set), for
    8/16/256 colours; None when the default colour is used."""
    basic = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
             (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
             (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
    rgb, i, a = None, 0, list(attrs or ())
    while i < len(a):
        p = int(a[i]) if a[i].isdigit() else -1
        if p == 38 and i + 2 < len(a) and a[i + 1] == "5":
            n = int(a[i + 2])
            if n < 16:
                rgb = basic[n]
            elif n < 232:
                n -= 16
                lv = [0, 95, 135, 175, 215, 255]
                rgb = (lv[n // 36], lv[n // 6 % 6], lv[n % 6])
            else:
                g = 8 + 10 * (n - 232)
                rgb = (g, g, g)
            i += 3
            continue
        if p == 38 and i + 4 < len(a) and a[i + 1] == "2":
            rgb = tuple(int(x) for x in a[i + 2:i + 5])
            i += 5
            continue
        if 30 <= p <= 37:
            rgb = basic[p - 30]
        elif 90 <= p <= 97:
            rgb = basic[p - 90 + 8]
        elif p == 39:
            rgb = None
        i += 1
    if rgb is None:
        return None
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


@case
def case_stream_thinking(ctx):
    nthink = 30
    with FakeServer(ctx.tmp, *(FAST + ("--think-tokens", str(nthink)))) as srv:
        app, root = start_tui(ctx, srv.host, ["--model", "qwen3:8b"], w=120, h=50)
        t = app.t
        t.send_keys("A")
        wait_end(app, "done")
        t.send_keys("g")                  # the report pane has the focus: its top
        think_start = "Okay, the user wants"
        # one frame may reach tmux in several writes: wait for both rows
        s = t.wait_for(lambda s: row_starting(s, think_start) is not None
                       and row_starting(s, "The benchmark corpus") is not None,
                       msg="the thinking text at the top of the report, the answer below it")
        esc = t.capture(escapes=True)
        tl = next((l for l in esc.splitlines() if think_start in l), None)
        al = next((l for l in esc.splitlines() if "The benchmark corpus" in l), None)
        ta, aa = sgr_before(tl, think_start), sgr_before(al, "The benchmark corpus")
        check(ta is not None and aa is not None and ta != aa,
              "thinking and answer look the same (SGR %s vs %s)" % (ta, aa), esc)
        # dimmed: SGR 2, or a darker colour than the answer's. The answer may use the
        # terminal's default colour: the dark theme (the default) assumes a light one,
        # taken as xterm's (229, 229, 229)
        lt, la = fg_luma(ta), fg_luma(aa)
        la = 229.0 if la is None else la
        check("2" in ta or (lt is not None and lt < la),
              "the thinking text is not dimmed: SGR %s (luma %s) vs the answer's %s (luma %s)"
              % (ta, lt, aa, la), esc)
        t.send_keys("z")
        wait_all(t, [("the thinking gone and 'thinking folded' shown",
                      lambda s: think_start not in s and "thinking folded" in s),
                     ("the answer still shown",
                      lambda s: row_starting(s, "The benchmark corpus") is not None
                      or "Executive Summary" in s)],
                 "z to fold the thinking away")
        t.send_keys("z")
        t.wait_for(lambda s: think_start in s, msg="z to show the thinking again")
        dirs = wait_run_dirs(os.path.join(root, "chimera-runs"), 1)
        m, _ = load_run(os.path.join(root, "chimera-runs", dirs[0]))
        recs = srv.wait_records(2)
        problems, diffs, tdiffs = [], [], []
        for c, rec in zip(m["calls"], recs):
            think, ttft = fig(c, "think_ms"), fig(c, "ttft_ms")
            if think is None or ttft is None or not think < ttft:
                problems.append("%s: think_ms %s, ttft_ms %s" % (c["stage"], think, ttft))
            if c["thinking"] != think_text(nthink):
                problems.append("%s: the thinking text differs" % c["stage"])
            problems += check_call_vs_record(c, rec, c["stage"], diffs, ttft_from_content=True)
            st = server_ttft_ms(rec, content=False)
            if think is not None and not (0 <= think - st <= GROSS_MS * timeout_scale()):
                problems.append("%s: think_ms %.3f vs the server's first thinking piece at "
                                "%.3f ms" % (c["stage"], think, st))
            elif think is not None:
                tdiffs.append((c["stage"], think - st))
        problems += ttft_spread(ctx, diffs) + ttft_spread(ctx, tdiffs, "think_ms")
        check(not problems, "; ".join(problems))


# =================================================================================================
# 7. chimera report, headless
# =================================================================================================
FINDING_WORDS = ("finding", "insight", "discovery", "key")
REC_WORDS = ("recommend", "suggest", "should", "consider")


def extract_items(text, words):
    """SPEC section 5 step 5: lines (not headings) with one of the words, bullets and
    numbering stripped, 10 at most."""
    out = []
    for line in text.split("\n"):
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        if any(w in t.lower() for w in words):
            t = re.sub(r"^[-*•]*", "", t)
            t = re.sub(r"^[0-9.)]*", "", t).strip()
            out.append(t)
            if len(out) == 10:
                break
    return out


def section(md, title):
    m = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(title), md, re.M | re.S)
    return m.group(1) if m else None


def inventory(ctx, tree):
    env = chimera_env(ctx)
    r = subprocess.run([ctx.bin, "inventory", tree], capture_output=True, env=env,
                       timeout=30 * timeout_scale())
    rj = subprocess.run([ctx.bin, "inventory", tree, "--json"], capture_output=True, env=env,
                        timeout=30 * timeout_scale())
    check(r.returncode == 0 and rj.returncode == 0, "chimera inventory failed")
    text = r.stdout.decode()
    summary = text.split("\nHarvested metrics:")[0].strip("\n")
    return summary, json.loads(rj.stdout)


def run_report(ctx, args, timeout=60, env=None, stdin=subprocess.DEVNULL):
    return subprocess.run([ctx.bin, "report"] + args, capture_output=True, stdin=stdin,
                          env=env or chimera_env(ctx), timeout=timeout * timeout_scale())


@case
def case_report_headless(ctx):
    ntok = 336                     # the fake's whole base report: findings, recommendations
    text = expected_text(ntok)
    with FakeServer(ctx.tmp, "--rate", "2000", "--tokens", ntok, "--ttft-ms", "30") as srv:
        tree, _ = ctx.gen_tree()
        out = os.path.join(ctx.tmp, "out")
        summary, inv = inventory(ctx, tree)
        t0 = time.time()
        r = run_report(ctx, [tree, "--host", srv.host, "--out", out, "--runs", "3",
                             "--profile", "baseline"])
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, err))
        dirs = run_dirs(out)
        check(len(dirs) == 1 and len(os.listdir(out)) == 1, "run folders: %s" % os.listdir(out))
        name = dirs[0]
        check(re.fullmatch(r"\d{8}-\d{6}-baseline", name), "folder name %r" % name)
        m, md = load_run(os.path.join(out, name))
        recs = srv.wait_records(6)
        problems = []

        def want(cond, msg):
            if not cond:
                problems.append(msg)

        # --- metrics.json
        stamp = calendar.timegm(time.strptime(m["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        want(abs(stamp - t0) < 60, "timestamp %s is not the start" % m["timestamp"])
        want(name.startswith(time.strftime("%Y%m%d-%H%M%S", time.localtime(stamp))),
             "folder %s vs timestamp %s (local time)" % (name, m["timestamp"]))
        for k, v in (("schema", "chimera.metrics/1"), ("agent_label", "Chimera Agent A"),
                     ("profile", "baseline"), ("model", "gemma3:latest"), ("host", srv.url),
                     ("api", "ollama"), ("options", {}), ("configuration", "Ollama defaults"),
                     ("complete", True), ("incomplete_reason", None), ("runs_planned", 3),
                     ("runs_done", 3), ("root", tree), ("files", None),
                     ("files_analyzed", inv["total_files_analyzed"])):
            want(m.get(k) == v, "metrics.json %s = %r, expected %r" % (k, m.get(k), v))
        want(m.get("data_summary", "").strip("\n") == summary,
             "metrics.json data_summary differs from `chimera inventory`")
        want(m.get("harvested_metrics") == inv.get("metrics"),
             "harvested_metrics differ from `chimera inventory --json` metrics")
        want(m.get("report_markdown") == text, "report_markdown is not the fake's text")
        want(isinstance(m.get("persona_prompt"), str) and "DataCollector-9000" in m["persona_prompt"],
             "persona_prompt %r" % (m.get("persona_prompt") or "")[:60])
        an = m.get("analysis") or {}
        want(an.get("key_findings") == extract_items(text, FINDING_WORDS),
             "analysis.key_findings %s" % an.get("key_findings"))
        want(an.get("recommendations") == extract_items(text, REC_WORDS),
             "analysis.recommendations %s" % an.get("recommendations"))
        wf = m.get("workflow") or {}
        want(set(wf) >= {"ingest_s", "analysis_s", "report_s", "total_s"}, "workflow %s" % wf)
        si = m.get("system_info") or {}
        want(set(si) >= {"os", "os_release", "arch", "hostname", "chimera_version"},
             "system_info %s" % si)
        calls = m.get("calls") or []
        want([(c["run"], c["stage"]) for c in calls] ==
             [(r_, s_) for r_ in (1, 2, 3) for s_ in ("analysis", "report")],
             "calls: %s" % [(c["run"], c["stage"]) for c in calls])
        client = {"ttft_ms", "think_ms", "elapsed_ms", "live_tok_s"}
        diffs = []
        for i, (c, rec) in enumerate(zip(calls, recs)):
            label = "call %d (%s %d)" % (i, c["stage"], c["run"])
            want(c["state"] == "done" and c["message"] == "", "%s: state %r %r"
                 % (label, c["state"], c["message"]))
            want(c["response"] == text, "%s: response differs from the fake's text" % label)
            want(c["thinking"] is None and c["figures"]["think_ms"] is None,
                 "%s: thinking without a reasoning model" % label)
            want(c["answer_pieces"] == ntok, "%s: answer_pieces %s" % (label, c["answer_pieces"]))
            for fname, f in c["figures"].items():
                if f is None:
                    continue
                src = "client" if fname in client else "server"
                want(f.get("source") == src and isinstance(f.get("value"), (int, float)),
                     "%s: figure %s = %s (source should be %s)" % (label, fname, f, src))
            sv = c["server"]
            for k, rk in (("eval_count", "eval_count"), ("eval_duration_ns", "eval_duration"),
                          ("load_duration_ns", "load_duration"),
                          ("prompt_eval_duration_ns", "prompt_eval_duration"),
                          ("total_duration_ns", "total_duration"),
                          ("prompt_eval_count", "prompt_eval_count"),
                          ("done_reason", "done_reason")):
                want(sv.get(k) == rec[rk], "%s: server.%s %s, the fake sent %s"
                     % (label, k, sv.get(k), rec[rk]))
            want(close(fig(c, "total_duration_ms"), rec["total_duration"] / 1e6),
                 "%s: total_duration_ms" % label)
            want(close(fig(c, "prompt_eval_rate_tok_s"),
                       rec["prompt_eval_count"] / rec["prompt_eval_duration"] * 1e9, 1e-9),
                 "%s: prompt_eval_rate_tok_s" % label)
            problems.extend(check_call_vs_record(c, rec, label, diffs))
        problems.extend(ttft_spread(ctx, diffs))
        # overall spreads, computed here from the calls (sample stddev)
        tp = [fig(c, "throughput_tok_s") for c in calls]
        tt = [fig(c, "ttft_ms") for c in calls]
        ov = m.get("overall") or {}
        for key, vals in (("throughput_tok_s", tp), ("ttft_ms", tt)):
            sp = ov.get(key) or {}
            mean, sd, cv = sample_stats(vals)
            for k, v in (("n", len(vals)), ("mean", mean), ("stddev", sd), ("cv_percent", cv),
                         ("min", min(vals)), ("max", max(vals))):
                want(close(sp.get(k), v, 1e-9), "overall.%s.%s = %s, computed %s"
                     % (key, k, sp.get(k), v))
        want(ov.get("calls") == 6, "overall.calls %s" % ov.get("calls"))
        want(close(ov.get("total_tokens"), 6 * ntok) if not isinstance(ov.get("total_tokens"), dict)
             else close(ov["total_tokens"].get("value"), 6 * ntok),
             "overall.total_tokens %s" % ov.get("total_tokens"))
        want([x["run"] for x in m.get("runs", [])] == [1, 2, 3],
             "runs %s" % [x.get("run") for x in m.get("runs", [])])

        # --- report.md, line by line
        lines = md.split("\n")
        date = time.strftime("%Y-%m-%d", time.localtime(stamp))
        head = ["# Chimera Agent A", "", "# Technical Report: Chimera Agent A Analysis", "",
                "**Date:** " + date, "**Agent Type:** Chimera Agent A",
                "**Model:** gemma3:latest", "**Configuration:** Ollama defaults", "", "---", ""]
        want(lines[:len(head)] == head, "report.md header:\n%s" % "\n".join(lines[:len(head)]))
        body = md.split("\n---\n")
        want(len(body) >= 3 and body[1].strip("\n") == text.strip(),
             "report.md: the model's report between the --- lines is not the fake's text")
        # the sections after the model's own text (which has headings of its own)
        k = md.find("\n## Workflow Summary\n")
        want(k > 0, "report.md has no Workflow Summary")
        tail_md = md[k + 1:]
        ws = section(tail_md, "Workflow Summary") or ""
        want(("- Files analyzed: %d\n" % inv["total_files_analyzed"]) in ws,
             "Workflow Summary: Files analyzed: %d missing" % inv["total_files_analyzed"])
        mt = re.search(r"^- Execution time: (\d+\.\d\d)s \(ingest (\d+\.\d\d)s \| analysis "
                       r"(\d+\.\d\d)s \| report (\d+\.\d\d)s\)$", ws, re.M)
        want(mt is not None, "Workflow Summary: no Execution time line")
        if mt:
            for g, k in zip(mt.groups(), ("total_s", "ingest_s", "analysis_s", "report_s")):
                want(g == "%.2f" % wf.get(k, -1), "Execution time %s %s vs workflow.%s %s"
                     % (k, g, k, wf.get(k)))
        blk = re.search(r"^- Data summary:\n```\n(.*?)\n```", ws, re.M | re.S)
        want(blk is not None and blk.group(1).strip("\n") == summary,
             "the data summary block differs from `chimera inventory`'s:\n%s"
             % (blk.group(1) if blk else ws))
        # Metrics: the last run's calls
        last = [c for c in calls if c["run"] == 3]
        met = section(tail_md, "Metrics") or ""

        def mean_of(name):
            return math.fsum(fig(c, name) for c in last) / len(last)

        def sum_of(name):
            return math.fsum(fig(c, name) for c in last)
        for label, value, unit in (("Throughput", mean_of("throughput_tok_s"), " tok/s"),
                                   ("TTFT", mean_of("ttft_ms"), " ms"),
                                   ("Total Duration", sum_of("total_duration_ms"), " ms"),
                                   ("Prompt Eval", sum_of("prompt_eval_ms"), " ms"),
                                   ("Eval Duration", sum_of("eval_ms"), " ms"),
                                   ("Load Duration", sum_of("load_ms"), " ms")):
            line = "- %s: %.2f%s" % (label, value, unit)
            want(line in met.split("\n"), "Metrics: %r missing; the section is:\n%s" % (line, met))
        want("- Tokens Generated: %d" % (2 * ntok) in met.split("\n"),
             "Metrics: Tokens Generated is not %d" % (2 * ntok))
        # Runs: 3 runs, a row per call, mean ± stddev and CV% over every call
        rs = section(tail_md, "Runs") or ""
        want("Runs finished: 3 of 3" in rs, "Runs: no 'Runs finished: 3 of 3'")
        rows = re.findall(r"^\| (\d+) \| (analysis|report) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|", rs, re.M)
        want(len(rows) == 6, "Runs: %d call rows" % len(rows))
        for row, c in zip(rows, calls):
            want(row[2] == "%.2f" % fig(c, "ttft_ms") and row[3] == "%.2f" % fig(c, "throughput_tok_s")
                 and int(row[4]) == ntok, "Runs row %s vs call %s" % (row, c["run"]))
        mean, sd, cv = sample_stats(tp)
        tline = "- Throughput: %.2f ± %.2f tok/s (CV %.1f%%)" % (mean, sd, cv)
        want(tline in rs.split("\n"), "Runs: %r missing:\n%s" % (tline, rs))
        tmean, tsd, tcv = sample_stats(tt)
        fline = "- TTFT: %.2f ± %.2f ms (CV %.1f%%)" % (tmean, tsd, tcv)
        want(fline in rs.split("\n"), "Runs: %r missing" % fline)
        # findings, recommendations, persona
        for title, words in (("Key Findings", FINDING_WORDS), ("Recommendations", REC_WORDS)):
            items = extract_items(text, words)
            got = [l[2:] for l in (section(tail_md, title) or "").split("\n")
                   if l.startswith("- ")]
            want(got == items, "%s: %s, expected %s" % (title, got, items))
        pp = re.search(r"^## Persona Prompt\n```\n(.*?)\n```", md, re.M | re.S)
        want(pp is not None and pp.group(1).strip() == m.get("persona_prompt", "").strip(),
             "Persona Prompt block differs from metrics.json persona_prompt")
        order = [l for l in tail_md.split("\n") if l.startswith("## ")]
        tail = [h for h in order if h in ("## Workflow Summary", "## Metrics", "## Runs",
                                          "## Key Findings", "## Recommendations",
                                          "## Persona Prompt")]
        want(tail == ["## Workflow Summary", "## Metrics", "## Runs", "## Key Findings",
                      "## Recommendations", "## Persona Prompt"], "section order: %s" % tail)
        # stderr's closing line
        closing = [l for l in err.strip().split("\n") if l][-1]
        want(closing == "chimera: throughput %.2f ± %.2f tok/s (CV %.1f%%), TTFT %.2f ± %.2f ms "
             "(CV %.1f%%) over 3 runs" % (mean, sd, cv, tmean, tsd, tcv),
             "stderr's closing line: %r" % closing)
        check(not problems, "\n  ".join([""] + problems))

        # --- --stream with pipes: the tokens on stdout, no progress on stderr
        out2 = os.path.join(ctx.tmp, "out2")
        r = run_report(ctx, [tree, "--host", srv.host, "--out", out2, "--stream"])
        so, se = r.stdout.decode(), r.stderr.decode(errors="replace")
        check(r.returncode == 0, "--stream: exit %d: %s" % (r.returncode, se))
        parts = re.split(r"\n## chimera: (?:analysis|report), run 1/1\n\n", so)
        check(len(parts) == 3 and parts[0] == "" and parts[1] == text
              and parts[2].rstrip("\n") == text.rstrip("\n"),
              "--stream: stdout is not the fake's text twice under stage headers: %r"
              % so[:300])
        check(not re.search(r"\(run \d+/\d+\)", se), "progress lines on a pipe: %r" % se)
        # --- under a terminal: progress lines on stderr
        out3 = os.path.join(ctx.tmp, "out3")
        rc, so3, se3 = run_with_pty_stderr(ctx, [ctx.bin, "report", tree, "--host", srv.host,
                                                 "--out", out3, "--stream"])
        check(rc == 0, "under a pty: exit %d: %s" % (rc, se3))
        for st in ("analysis", "report"):
            check(re.search(r"chimera: %s \(run 1/1\)" % st, se3),
                  "no progress line for %s on a terminal: %r" % (st, se3))
        parts = re.split(r"\n## chimera: (?:analysis|report), run 1/1\n\n", so3)
        check(len(parts) == 3 and parts[1] == text, "under a pty, stdout is not the text")
    # --- on a terminal that the tokens do not go to: a live line of counters, redrawn in
    # place ("\r" + erase line) and erased before anything else is written
    with FakeServer(ctx.tmp, "--rate", "100", "--tokens", "90", "--ttft-ms", "30",
                    name="live") as slow:
        rc, _so4, se4 = run_with_pty_stderr(ctx, [ctx.bin, "report", tree, "--host", slow.host,
                                                  "--out", os.path.join(ctx.tmp, "out4")])
        check(rc == 0, "live counters run: exit %d: %s" % (rc, se4))
        live = re.findall(r"\r\x1b\[K  (analysis|report) 1/1 · (\w[\w ]*) · TTFT (\d+) ms"
                          r"(?: · ([\d.]+) tok/s)? · (\d+) tok · ([\d.]+) s", se4)
        check({m[0] for m in live} == {"analysis", "report"},
              "no live counters for both calls on a terminal: %r" % se4[-600:])
        for stage in ("analysis", "report"):
            toks = [int(m[4]) for m in live if m[0] == stage]
            secs = [float(m[5]) for m in live if m[0] == stage]
            check(toks == sorted(toks) and secs == sorted(secs) and max(toks) <= 90,
                  "%s: live token counts %s / seconds %s not rising or over 90"
                  % (stage, toks, secs))
        # erased: no live line survives in what the terminal shows at the end
        shown = re.sub(r"\r\x1b\[K[^\r\n]*(?=\r)", "", se4).replace("\r\x1b[K", "")
        check(not re.search(r"^  (analysis|report) \d", shown, re.M) and "\x1b" not in shown,
              "a live line left on the terminal: %r" % shown[-600:])
        check(re.search(r"^chimera: saved .*report\.md", shown, re.M),
              "no saved line after the live counters: %r" % shown[-600:])


def run_with_pty_stderr(ctx, argv, timeout=60):
    """Run with stderr on a pseudo-terminal and stdout on a pipe: (rc, stdout, stderr)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=slave, env=chimera_env(ctx))
    finally:
        os.close(slave)
    chunks = []

    def reader():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        so, _ = p.communicate(timeout=timeout * timeout_scale())
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise E2EError("chimera report under a pty did not finish")
    th.join(5 * timeout_scale())
    os.close(master)
    return p.returncode, so.decode(), b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")


@case
def case_report_headless_chat(ctx):
    """`--api ollama-chat`: Ollama's /api/chat, the prompt as the one user message, the
    answer from message.content, the same figures as /api/generate."""
    tree, _ = ctx.gen_tree()
    with FakeServer(ctx.tmp, *FAST) as srv:
        out = os.path.join(ctx.tmp, "out")
        r = run_report(ctx, [tree, "--host", srv.host, "--out", out, "--api", "ollama-chat"])
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, err))
        recs = srv.wait_records(2)
        check([x["path"] for x in recs] == ["/api/chat", "/api/chat"],
              "requests went to %s" % [x["path"] for x in recs])
        dirs = run_dirs(out)
        check(len(dirs) == 1, "run folders %s" % dirs)
        m, _md = load_run(os.path.join(out, dirs[0]))
        check(m["api"] == "ollama-chat", "metrics.json api %r" % m["api"])
        for c, rec in zip(m["calls"], recs):
            check(c["response"] == expected_text(60), "%s: response differs" % c["stage"])
            check(fig(c, "tokens") == rec["eval_count"], "%s: tokens" % c["stage"])
            want = rec["eval_count"] / (rec["eval_duration"] / 1e9)
            check(close(fig(c, "throughput_tok_s"), want, 1e-9),
                  "%s: throughput %s, eval_count/eval_duration gives %.3f"
                  % (c["stage"], fig(c, "throughput_tok_s"), want))
    r = run_report(ctx, [tree, "--api", "ollama-generate"])
    check(r.returncode == 2, "--api ollama-generate: exit %d" % r.returncode)
    check(b"--api: expected ollama, ollama-chat or openai, got 'ollama-generate'" in r.stderr,
          "--api ollama-generate: %r" % r.stderr)


@case
def case_report_headless_openai(ctx):
    """`--api openai` (SPEC sections 6-7): /v1/chat/completions with include_usage; the
    figures come from `usage` (counts only: throughput "not reported", never invented) and,
    from llama.cpp's server, from `timings` (prompt_ms, predicted_ms)."""
    tree, _ = ctx.gen_tree()
    problems = []

    def want(cond, msg):
        if not cond:
            problems.append(msg)
    for flavor in ("ollama", "llamacpp"):
        with FakeServer(ctx.tmp, *(FAST + ("--openai-flavor", flavor)), name=flavor) as srv:
            out = os.path.join(ctx.tmp, "out-" + flavor)
            r = run_report(ctx, [tree, "--host", srv.host, "--out", out, "--api", "openai",
                                 "--runs", "2", "--profile", "baseline"])
            err = r.stderr.decode(errors="replace")
            check(r.returncode == 0, "%s: exit %d: %s" % (flavor, r.returncode, err))
            dirs = run_dirs(out)
            check(len(dirs) == 1, "%s: run folders %s" % (flavor, dirs))
            m, md = load_run(os.path.join(out, dirs[0]))
            recs = srv.wait_records(4)
            want(all(x["path"] == "/v1/chat/completions" and x["stream"] is True
                     and (x["options"].get("stream_options") or {}).get("include_usage") is True
                     for x in recs), "%s: requests %s" % (flavor, [(x["path"], x["options"])
                                                                   for x in recs]))
            want(m["api"] == "openai", "%s: api %r" % (flavor, m["api"]))
            diffs = []
            for c, rec in zip(m["calls"], recs):
                label = "%s %s %d" % (flavor, c["stage"], c["run"])
                want(c["response"] == expected_text(60), "%s: response differs" % label)
                want(c["server"]["usage"] == {"prompt_tokens": rec["prompt_eval_count"],
                                              "completion_tokens": rec["eval_count"]},
                     "%s: usage %s" % (label, c["server"]["usage"]))
                want(fig(c, "tokens") == rec["eval_count"], "%s: tokens %s" % (label, fig(c, "tokens")))
                d = fig(c, "ttft_ms") - server_ttft_ms(rec)
                want(0 <= d <= GROSS_MS * timeout_scale(), "%s: TTFT difference %.1f ms" % (label, d))
                diffs.append((label, d))
                tm = c["server"]["timings"]
                if flavor == "ollama":
                    for k in ("throughput_tok_s", "prompt_eval_ms", "eval_ms", "load_ms",
                              "total_duration_ms", "prompt_eval_rate_tok_s"):
                        want(c["figures"][k] is None, "%s: %s = %s, but usage has no durations"
                             % (label, k, c["figures"][k]))
                else:
                    want(tm is not None and tm.get("predicted_n") == rec["eval_count"],
                         "%s: timings %s" % (label, tm))
                    if tm:
                        for k, v in (("throughput_tok_s", tm["predicted_n"] / tm["predicted_ms"] * 1000),
                                     ("eval_ms", tm["predicted_ms"]),
                                     ("prompt_eval_ms", tm["prompt_ms"]),
                                     ("prompt_eval_rate_tok_s",
                                      tm["prompt_n"] / tm["prompt_ms"] * 1000)):
                            want(close(fig(c, k), v, 1e-9),
                                 "%s: %s = %s, llama.cpp's timings give %.3f"
                                 % (label, k, fig(c, k), v))
            problems.extend(ttft_spread(ctx, diffs))
            met = section(md[md.find("\n## Workflow Summary\n") + 1:], "Metrics") or ""
            if flavor == "ollama":
                want("- Throughput: not reported" in met.split("\n"),
                     "%s: report.md Metrics: %r" % (flavor, met))
            else:
                want(re.search(r"^- Prompt Eval: \d+\.\d\d ms$", met, re.M)
                     and re.search(r"^- Eval Duration: \d+\.\d\d ms$", met, re.M),
                     "%s: report.md Metrics says not reported for what timings gave:\n%s"
                     % (flavor, met))
            want("- Tokens Generated: 120" in met.split("\n"), "%s: Tokens Generated" % flavor)
            # the closing line: TTFT is known even when the throughput is not
            tt = [fig(c, "ttft_ms") for c in m["calls"]]
            mean, sd, cv = sample_stats(tt)
            closing = [l for l in err.strip().split("\n") if l][-1]
            want(("TTFT %.2f ± %.2f ms (CV %.1f%%) over 2 runs" % (mean, sd, cv)) in closing,
                 "%s: stderr's closing line %r lacks the TTFT spread" % (flavor, closing))
    check(not problems, "\n  ".join([""] + problems))


# =================================================================================================
# 8. chimera report, headless, when things go wrong
# =================================================================================================
def can_run_as_nobody():
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@case
def case_report_headless_faults(ctx):
    tree, _ = ctx.gen_tree()
    # refused: nothing listens
    with ClosedPort() as cp:
        out = os.path.join(ctx.tmp, "out-refused")
        r = run_report(ctx, [tree, "--host", cp.host, "--out", out])
        err = r.stderr.decode(errors="replace")
        want = ("cannot reach Ollama at %s (connection refused) — start it with `ollama serve` "
                "or set OLLAMA_HOST" % cp.url)
        check(r.returncode == 1, "refused: exit %d" % r.returncode)
        check(want in err, "refused: stderr %r lacks %r" % (err, want))
        check(not run_dirs(out), "refused: a run folder was saved")
    with FakeServer(ctx.tmp, *FAST) as srv:
        out = os.path.join(ctx.tmp, "out-errmid")
        r = run_report(ctx, [tree, "--host", srv.host, "--out", out,
                             "--model", "fault-error-mid:latest"])
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 1, "error-mid: exit %d: %s" % (r.returncode, err))
        check(MID in err, "error-mid: stderr lacks the server's error: %r" % err)
        dirs = run_dirs(out)
        check(len(dirs) == 1, "error-mid: run folders %s" % dirs)
        m, md = load_run(os.path.join(out, dirs[0]))
        check(m["complete"] is False and MID in (m["incomplete_reason"] or ""),
              "error-mid: complete=%r reason=%r" % (m["complete"], m["incomplete_reason"]))
        check(m["calls"][0]["response"] == expected_text(FAULT_AFTER),
              "error-mid: the partial text was not kept")
        check("> **Incomplete run:**" in md, "error-mid: report.md not marked incomplete")
    # signals during a slow stream
    with FakeServer(ctx.tmp, "--rate", "20", "--tokens", "2000", "--ttft-ms", "50",
                    name="slow") as slow:
        for sig, word in ((signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP")):
            out = os.path.join(ctx.tmp, "out-" + word)
            p = subprocess.Popen([ctx.bin, "report", tree, "--host", slow.host, "--out", out,
                                  "--stream"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=chimera_env(ctx))
            try:
                got = read_until(p.stdout, b"Executive", 20)
                check(b"Executive" in got, "%s: no tokens on stdout: %r" % (word, got))
                p.send_signal(sig)
                so, se = p.communicate(timeout=20 * timeout_scale())
            finally:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            se = se.decode(errors="replace")
            check(p.returncode == -sig, "%s: exit status %s, expected death by the signal "
                  "(%d)" % (word, p.returncode, 128 + sig) + ": " + se)
            dirs = run_dirs(out)
            check(len(dirs) == 1, "%s: run folders %s: %s" % (word, dirs, se))
            m, md = load_run(os.path.join(out, dirs[0]))
            check(m["complete"] is False and word in (m["incomplete_reason"] or ""),
                  "%s: complete=%r reason=%r" % (word, m["complete"], m["incomplete_reason"]))
            check(re.search(r"^> \*\*Incomplete run:\*\* .*%s" % word, md, re.M),
                  "%s: report.md lacks the banner naming the signal" % word)
            check(m["calls"] and m["calls"][-1]["response"].startswith("## Executive"),
                  "%s: the partial text was not saved" % word)
        recs = slow.wait_records(2)
        check(all(r_["client_closed"] for r_ in recs), "the signalled runs did not close "
              "their connections: %s" % [r_["client_closed"] for r_ in recs])
    # a read-only --out folder
    with FakeServer(ctx.tmp, *FAST, name="ro") as srv:
        ro = os.path.join(ctx.tmp, "readonly-out")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        argv = [ctx.bin, "report", tree, "--host", srv.host, "--out", ro]
        if os.geteuid() == 0:
            if not can_run_as_nobody():
                ctx.note("read-only --out not checked: root without setpriv")
                return
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + argv
        r = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                           env=chimera_env(ctx), timeout=60 * timeout_scale())
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 1, "read-only --out: exit %d: %s" % (r.returncode, err))
        check(ro in err, "read-only --out: the message does not name %s: %r" % (ro, err))
        check(os.listdir(ro) == [], "read-only --out: something was written: %s" % os.listdir(ro))


def read_until(pipe, needle, timeout):
    """Read a pipe until needle shows (or the deadline); returns what was read."""
    fd = pipe.fileno()
    got = b""
    deadline = time.monotonic() + timeout * timeout_scale()
    while needle not in got and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            data = os.read(fd, 65536)
            if not data:
                break
            got += data
    return got


# =================================================================================================
# 9. chimera compare
# =================================================================================================
@case
def case_compare_cli(ctx):
    tree, _ = ctx.gen_tree()
    out = os.path.join(ctx.tmp, "out")
    with FakeServer(ctx.tmp, "--rate", "30", "--tokens", "20", "--ttft-ms", "200",
                    name="a") as fa, \
            FakeServer(ctx.tmp, "--rate", "60", "--tokens", "20", "--ttft-ms", "100",
                       name="b") as fb:
        ra = [None]

        def run_a():
            ra[0] = run_report(ctx, [tree, "--host", fa.host, "--out", out, "--profile",
                                     "baseline"])
        th = threading.Thread(target=run_a)
        th.start()
        rb = run_report(ctx, [tree, "--host", fb.host, "--out", out, "--profile", "chimera"])
        th.join()
        for r, label in ((ra[0], "baseline"), (rb, "chimera")):
            check(r is not None and r.returncode == 0, "report --profile %s: exit %s: %s"
                  % (label, r and r.returncode, r and r.stderr.decode(errors="replace")))
    dirs = run_dirs(out)
    da = os.path.join(out, next(d for d in dirs if d.endswith("-baseline")))
    db = os.path.join(out, next(d for d in dirs if d.endswith("-chimera")))
    ma, _ = load_run(da)
    mb, _ = load_run(db)
    ta, tb = ma["overall"]["throughput_tok_s"]["mean"], mb["overall"]["throughput_tok_s"]["mean"]
    fa_, fb_ = ma["overall"]["ttft_ms"]["mean"], mb["overall"]["ttft_ms"]["mean"]
    imp = (tb - ta) / ta * 100.0
    red = (fa_ - fb_) / fa_ * 100.0
    check(imp > 50, "test bug: the faster server is not faster (%.1f%%)" % imp)
    env = chimera_env(ctx)
    r = subprocess.run([ctx.bin, "compare", da, db], capture_output=True, env=env,
                       timeout=30 * timeout_scale())
    so = r.stdout.decode()
    check(r.returncode == 0, "compare: exit %d: %s" % (r.returncode, r.stderr.decode()))
    want_tp = "Throughput improvement:** %+.1f%% (%.2f → %.2f tok/s)" % (imp, ta, tb)
    want_tt = "TTFT reduction:** %+.1f%% (%.2f → %.2f ms)" % (red, fa_, fb_)
    check(want_tp in so, "compare lacks %r:\n%s" % (want_tp, so))
    check(want_tt in so, "compare lacks %r:\n%s" % (want_tt, so))
    r = subprocess.run([ctx.bin, "compare", da, db, "--json"], capture_output=True, env=env,
                       timeout=30 * timeout_scale())
    check(r.returncode == 0, "compare --json: exit %d" % r.returncode)
    j = json.loads(r.stdout)
    for k, v in (("throughput_improvement_percent", imp), ("ttft_reduction_percent", red),
                 ("throughput_delta_absolute", tb - ta), ("ttft_delta_absolute_ms", fa_ - fb_)):
        check(close(j.get(k), v, 1e-9), "--json %s = %s, computed %s" % (k, j.get(k), v))
    check(close(j["a"]["throughput_mean"], ta) and close(j["b"]["throughput_mean"], tb),
          "--json run means differ from metrics.json")
    check("%.1f" % j["throughput_improvement_percent"] == "%.1f" % imp,
          "--json and the text disagree")
    # a folder without metrics.json
    empty = os.path.join(ctx.tmp, "not-a-run")
    os.makedirs(empty)
    r = subprocess.run([ctx.bin, "compare", da, empty], capture_output=True, env=env,
                       timeout=30 * timeout_scale())
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 1, "compare with a folder without metrics.json: exit %d" % r.returncode)
    check(empty in err and "metrics.json" in err, "the message does not name %s/metrics.json: %r"
          % (empty, err))
    check(r.stdout == b"", "compare printed a comparison anyway")


# =================================================================================================
# 10. the run history
# =================================================================================================
@case
def case_history_overlay(ctx):
    with FakeServer(ctx.tmp, *FAST) as srv:
        app, root = start_tui(ctx, srv.host, w=120, h=60)
        t = app.t
        runs = os.path.join(root, "chimera-runs")
        for n in (1, 2):
            t.send_keys("A")
            wait_run_dirs(runs, n, timeout=20)
            wait_end(app, "done")
            t.wait_for(saved_shown, msg="run %d saved" % n)
        names = run_dirs(runs)
        check(len(names) == 2, "run folders: %s" % names)
        newest, oldest = sorted(names, reverse=True)
        def row_of(s, name, mark=""):
            """The overlay row naming this run (the whole name: one may be another's
            prefix, as 20261125-192659-chimera and 20261125-192659-chimera-2)."""
            pat = re.compile(r"%s%s(?= )" % (re.escape(mark), re.escape(name)))
            return next((i for i, l in enumerate(s.splitlines()) if pat.search(l)), None)
        def figures_of(s, n):
            i = row_of(s, n)
            return i is not None and re.search(r"[\d.]+ tok/s · TTFT \d+ ms · 1 run",
                                               s.splitlines()[i])
        t.send_keys("H")
        s = wait_all(t, [("the overlay Runs in …", lambda s: "Runs in " in s)]
                     + [("the row of %s with its figures (… tok/s · TTFT … ms · 1 run)" % n,
                         lambda s, n=n: figures_of(s, n)) for n in (newest, oldest)],
                     "H to list both runs")
        check(row_of(s, newest) < row_of(s, oldest), "the newest run is not listed first", s)
        t.send_keys("Space")
        t.wait_for(lambda s: row_of(s, newest, "● ") is not None, msg="Space to mark the newest")
        t.send_keys("j", "Space")
        t.wait_for(lambda s: row_of(s, newest, "● ") is not None
                   and row_of(s, oldest, "● ") is not None, msg="both runs marked")
        t.send_keys("c")
        wait_all(t, [("the overlay closed and the report pane titled Comparison",
                      lambda s: "Runs in " not in s and "┌ Report · Comparison" in s),
                     ("the comparison open at its top (a finished document is read from its "
                      "start)", lambda s: "Chimera Run Comparison" in report_flat(s))],
                 "c to show the comparison in the report pane")
        ma, _ = load_run(os.path.join(runs, oldest))
        mb, _ = load_run(os.path.join(runs, newest))
        ta = ma["overall"]["throughput_tok_s"]["mean"]
        tb = mb["overall"]["throughput_tok_s"]["mean"]
        want = "Throughput improvement: %+.1f%% (%.2f → %.2f tok/s)" % ((tb - ta) / ta * 100, ta, tb)
        s = wait_all(t, [("the comparison's heading at its top",
                          lambda s: "Chimera Run Comparison" in report_flat(s)),
                         ("the comparison's throughput",
                          lambda s: "Throughput improvement" in report_flat(s)),
                         ("the comparison with the older run as A: %r" % want,
                          lambda s: want in report_flat(s))],
                     "the comparison's figures")
        # the heading's row is above the figures': painted in the same frame or before
        check("# Chimera Run Comparison" not in s, "the heading is shown with its '#'", s)
        t.send_keys("H")
        t.wait_for("Runs in ", msg="H again")
        t.send_keys("Enter")            # the cursor is on the newest
        wait_all(t, [("the overlay closed and the report pane titled %s" % newest,
                      lambda s: "Runs in " not in s and re.search(
                          r"┌ Report · %s(?![-\w])" % re.escape(newest), s)),
                     ("the run's report.md open at its top (Technical Report: Chimera Agent A "
                      "Analysis)",
                      lambda s: "Technical Report: Chimera Agent A Analysis" in report_flat(s))],
                 "Enter to show the run's report.md")


# =================================================================================================
# 11. the model picker and the profile editor
# =================================================================================================
@case
def case_model_picker(ctx):
    with FakeServer(ctx.tmp, *(FAST + ("--models", "a:latest,b:7b"))) as srv:
        app, root = start_tui(ctx, srv.host, w=120, h=40)
        t = app.t
        t.send_keys("m")

        def box_of(s):
            return s.split("Models at ")[1].split("└")[0] if "Models at " in s else ""
        # the box's last row (its keys) is painted after the list of models
        s = wait_all(t, [("the box Models at … with a:latest and b:7b",
                          lambda s: "a:latest" in box_of(s) and "b:7b" in box_of(s)),
                         ("the box's last row (Enter choose …)",
                          lambda s: "Enter choose" in box_of(s))],
                     "m to list the fake's models")
        box = box_of(s)
        check("gemma3" not in box and "qwen3" not in box, "models the server does not have", s)
        t.send_keys("j", "Enter")
        t.wait_for(lambda s: "Models at " not in s and "model: b:7b" in status(s),
                   msg="Enter to pick b:7b")
        t.send_keys("A")
        wait_end(app, "done")
        dirs = wait_run_dirs(os.path.join(root, "chimera-runs"), 1)
        m, md = load_run(os.path.join(root, "chimera-runs", dirs[0]))
        check(m["model"] == "b:7b", "metrics.json model %r" % m["model"])
        check("**Model:** b:7b" in md, "report.md's Model line is not b:7b")
        check(all(r_["model"] == "b:7b" for r_ in srv.wait_records(2)),
              "the requests did not ask for b:7b")


@case
def case_profile_editor(ctx):
    with FakeServer(ctx.tmp, *FAST) as srv:
        app, root = start_tui(ctx, srv.host, w=120, h=40)
        t = app.t
        runs = os.path.join(root, "chimera-runs")
        t.send_keys("A")
        wait_end(app, "done")
        d1 = wait_run_dirs(runs, 1)[0]
        _m1, md1 = load_run(os.path.join(runs, d1))
        check("**Configuration:** num_gpu=80, num_ctx=512, temp=1, top_p=default, "
              "top_k=default, repeat_penalty=default" in md1,
              "the chimera profile's Configuration line is wrong")
        t.send_keys("p")
        wait_all(t, [("the editor with the profile < chimera >",
                      lambda s: "Profile and options" in s and "< chimera >" in s)]
                 + [("the editor's /%s/" % pat, lambda s, pat=pat: re.search(pat, s))
                    for pat in (r"persona +< collector > Chimera Agent A", r"num_gpu +80\b",
                                r"num_ctx +512\b", r"temperature +1\b", r"top_p +default")],
                 "p to show the profile editor")
        t.send_keys("Enter")                 # cycle the profile
        wait_all(t, [("the profile < baseline >", lambda s: "< baseline >" in s),
                     ("the baseline options at their defaults (num_gpu, temperature)",
                      lambda s: re.search(r"num_gpu +default", s)
                      and re.search(r"temperature +default", s))],
                 "Enter to cycle to baseline")
        for _ in range(5):                   # persona, model, num_gpu, num_ctx, temperature
            t.send_keys("j")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"temperature +_"), msg="Enter to edit the temperature")
        t.send_text("9")
        t.send_keys("Enter")
        s = t.wait_for(lambda s: re.search(r"temperature: expected .*5.*got '9'", flat(s)),
                       msg="the range error for temperature 9")
        t.send_keys("Escape")
        s = t.wait_for(re.compile(r"temperature +default"), msg="Esc to stop editing")
        t.send_keys("Escape")
        t.wait_gone("Profile and options", msg="Esc to close the editor")
        t.send_keys("A")
        d2 = [d for d in wait_run_dirs(runs, 2) if d != d1]
        check(len(d2) == 1 and d2[0].endswith("-baseline"), "the second run's folder: %s" % d2)
        wait_end(app, "done")
        m2, md2 = load_run(os.path.join(runs, d2[0]))
        check("**Configuration:** Ollama defaults" in md2,
              "the second run's Configuration is not 'Ollama defaults'")
        check(m2["options"] == {} and m2["profile"] == "baseline",
              "options %s, profile %s: the bad temperature was applied?" % (m2["options"], m2["profile"]))
        recs = srv.wait_records(4)
        check(all(r_["options"] == {} for r_ in recs[2:]),
              "the second run sent options %s" % [r_["options"] for r_ in recs[2:]])


# =================================================================================================
# the fake server's own self-test
# =================================================================================================
@case
def case_fake_server_selftest(ctx):
    """tests/fake_ollama_selftest.py, with FAKE_OLLAMA_TOL_SCALE passed through (or, unset,
    E2E_TIMEOUT_SCALE's value). Its timing checks share the CPUs with the other cases of
    the pool: a test that fails is run once more on its own (-k NAME), and fails the case
    only if it fails again; a pass on the retry is reported as a note."""
    env = dict(os.environ)
    if "FAKE_OLLAMA_TOL_SCALE" not in env and timeout_scale() > 1:
        env["FAKE_OLLAMA_TOL_SCALE"] = str(timeout_scale())

    def run(args):
        try:
            r = subprocess.run([sys.executable, SELFTEST] + args, capture_output=True, env=env,
                               timeout=180 * timeout_scale())
        except subprocess.TimeoutExpired as e:
            raise E2EError("fake_ollama_selftest.py %s did not finish: %s"
                           % (" ".join(args), (e.stdout or b"")[-2000:]))
        out = (r.stdout + r.stderr).decode(errors="replace")
        return r.returncode, out, [l for l in out.splitlines() if l.startswith("FAIL ")]
    rc, out, fails = run([])
    if rc == 0:
        return
    names = [re.match(r"FAIL (\S+?):", l).group(1) for l in fails if re.match(r"FAIL (\S+?):", l)]
    if not names:
        raise E2EError("fake_ollama_selftest.py exit %d:\n%s" % (rc, out[-3000:]))
    still = []
    for n in names:
        rc2, out2, fails2 = run(["-k", n])
        if rc2 != 0:
            still.append("\n".join(fails2) or out2[-1500:])
    if still:
        raise E2EError("fake_ollama_selftest.py: failed twice:\n%s\n(first run: %s)"
                       % ("\n".join(still), "; ".join(fails)))
    ctx.note("fake_ollama_selftest.py: passed on a second try alone: %s" % "; ".join(fails))
