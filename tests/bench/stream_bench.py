#!/usr/bin/env python3
"""Streaming benchmarks of chimera's TUI: CPU and terminal bytes per token, key latency.

Usage: stream_bench.py --bin BUILD/chimera [--tokens 2000] [--rate 500] [--samples 200]
                       [--cpu-runs 3] [--ttft-ms 200] [--cols 120] [--rows 40] [--seed S]
                       [--only cpu|latency] [--tmp DIR] [--keep DIR] [--profile CMD]
                       [--dump FILE]

Everything runs in a throw-away folder (under --tmp): a tree from tests/sample/gen_tree.py,
HOME and XDG_CONFIG_HOME, the fake server's port and --record files. chimera runs on a pty
of COLS x ROWS (TIOCSWINSZ) with TERM=xterm-256color and LANG=C.UTF-8, talking to
tests/fake_ollama.py through `--host 127.0.0.1:PORT`. The master side of the pty is read
all the time, every read stamped with time.monotonic() (the fake's clock too).

1. cpu: chimera opens the tree, `A` analyses the whole root with the fake streaming
   TOKENS pieces per call at RATE pieces/s (the workflow makes two calls, analysis then
   report). The streaming period runs from the first piece of the first call to the last
   piece of the last one (`t_first_piece_mono` / `t_last_piece_mono` of the fake's
   --record file). chimera's CPU time (its threads' /proc/PID/task/*/schedstat, in ns,
   plus the clock ticks of threads that have exited) is sampled every 10 ms and
   interpolated at both ends; the pty bytes read in the period are counted, and the
   write() calls (/proc/PID/io syscw). Tokens are the record's eval_count summed over the
   calls; the tokens' own bytes are the UTF-8 lengths of the responses (and thinking)
   that chimera saved in metrics.json. CPU-RUNS analyses are streamed (a new chimera and
   fake each time) and the one with the median CPU share is reported. Baselines in the
   same run: `cat` of that same text on a pty of the same size (its bytes, and its CPU
   from wait4), and the fake server's own CPU over the same period.
2. latency: SAMPLES keys, one at a time, each after a random 20-60 ms pause (output is
   read during the pause). `?` opens the help overlay and the sample ends at the first
   output holding "chimera keys" (its title); the next `?` closes it and the sample ends
   when the metrics-pane text that the overlay covered is written again. The time is from
   the write() of the key to the read() that completes the marker. Measured three times:
   a trivial echo program on the same pty (`stty raw -echo; cat`, the key itself is the
   marker), chimera idle (nothing running), and chimera while the fake streams at RATE
   (a second fake with a stream long enough to outlast the samples; samples whose key
   went out before the first or after the last piece are counted as outside_stream).
   A sample without its marker within 2 s counts as a failure (then Ctrl-L, start over).

Prints one line per measurement, key=value pairs, for tests/bench/run.sh:
    cpu_run i=... (one per analysis: tokens, stream_s, cpu_s, core_pct, pty_bytes, ...)
    cpu runs=... tokens=... stream_s=... cpu_s=... us_per_tok=... core_pct=...
        core_pct_min=... core_pct_max=... pty_bytes=... token_bytes=... bytes_per_tok=...
        token_bytes_per_tok=... bytes_ratio=... cat_bytes=... cat_bytes_per_tok=...
        cat_cpu_ms=... cat_us_per_tok=... fake_cpu_s=... fake_core_pct=... writes=...
        writes_per_s=... threads=...
    latency mode=echo|idle|stream n=... p50_ms=... p90_ms=... p99_ms=... max_ms=...
        open_p50_ms=... close_p50_ms=... failures=... outside_stream=...
(percentiles are nearest-rank). Exit status 1 when a measurement could not be taken
(chimera did not start, the fake did not answer, no token streamed), else 0: a missed
target is for the caller to report. Standard library only (Linux: /proc).
"""
import argparse
import errno
import fcntl
import glob
import json
import math
import os
import pty
import random
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAKE = os.path.join(ROOT, "tests", "fake_ollama.py")
GEN_TREE = os.path.join(ROOT, "tests", "sample", "gen_tree.py")

READY = b"q quit"                 # the status line's hints: the first frame is complete
HELP_OPEN = b"chimera keys"       # the help overlay's title
# text of the metrics pane (the root folder's summary) that the overlay covers at 120x40:
# written again when the overlay closes. Any of them completes a "close" sample.
HELP_CLOSED = (b"Gaps in telemetry", b"harvested metrics", b"Data summary")
STREAMING = b"streaming"          # the status line's state once tokens arrive
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    sys.stderr.write("stream_bench: %s\n" % msg)
    sys.stderr.flush()


# --- CPU time of another process ----------------------------------------------------------


def cpu_ns(pid):
    """CPU time of `pid` in ns: the live threads' schedstat (ns precision) plus, from
    /proc/PID/stat (clock ticks), what threads that have already exited used."""
    live, live_ticks_ns, seen = 0, 0, False
    for task in glob.glob("/proc/%d/task/*" % pid):
        try:
            with open(task + "/schedstat") as f:
                ns = int(f.read().split()[0])
            t = stat_ns(pid, task + "/stat")
        except (OSError, ValueError, IndexError):
            continue
        live += ns
        live_ticks_ns += t or 0
        seen = True
    whole = stat_ns(pid)
    if not seen or live == 0:
        return whole
    return live + max(0, (whole or 0) - live_ticks_ns)


def stat_ns(pid, path=None):
    """utime+stime of /proc/PID/stat (every thread, exited ones too), in ns."""
    try:
        with open(path or "/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def io_writes(pid):
    """(write syscalls, bytes written) from /proc/PID/io, or (None, None)."""
    try:
        with open("/proc/%d/io" % pid) as f:
            d = dict(line.split(": ") for line in f.read().splitlines())
        return int(d["syscw"]), int(d["wchar"])
    except (OSError, KeyError, ValueError):
        return None, None


def nthreads(pid):
    return len(glob.glob("/proc/%d/task/*" % pid))


def interp(samples, t):
    """Value at time t by linear interpolation over sorted (t, v) samples."""
    prev = None
    for s in samples:
        if s[0] >= t:
            if prev is None or s[0] == prev[0]:
                return s[1]
            return prev[1] + (s[1] - prev[1]) * (t - prev[0]) / (s[0] - prev[0])
        prev = s
    return samples[-1][1] if samples else None


# --- the pty --------------------------------------------------------------------------------


class PtyChild:
    """A program on a new pty; its output is read continuously and stamped."""

    def __init__(self, argv, env, rows, cols, keep_chunks=False):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                fcntl.ioctl(pty.STDOUT_FILENO, termios.TIOCSWINSZ,
                            struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.eof = False
        self.total = 0
        self.keep_chunks = keep_chunks
        self.chunks = []          # (t_read, nbytes) when keep_chunks
        self.dump = None          # a file that gets every byte read, when set
        self.rusage = None
        self.status = None

    def pump(self, timeout):
        """Wait up to `timeout` s for output; read one chunk. Returns the bytes (b"" if none)."""
        if self.eof:
            time.sleep(max(0.0, timeout))
            return b""
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.eof = True
            return b""
        now = time.monotonic()
        if self.dump is not None:
            self.dump.write(b"\n@@@ %.6f %d\n" % (now, len(data)) + data)
        self.total += len(data)
        if self.keep_chunks:
            self.chunks.append((now, len(data)))
        return data

    def wait_for(self, markers, timeout, on_idle=None):
        """Read until one of `markers` shows in the output; the monotonic time of the read
        that completed it, or None on timeout/EOF. Only output from now on counts."""
        if isinstance(markers, bytes):
            markers = (markers,)
        keep = max(len(m) for m in markers) - 1
        seen = b""
        end = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if now >= end or self.eof:
                return None
            step = end - now
            if on_idle is not None:
                step = min(step, on_idle(now))
            data = self.pump(step)
            if data:
                seen = seen[-keep:] + data if keep > 0 else data
                if any(m in seen for m in markers):
                    return time.monotonic()

    def drain_for(self, seconds, on_idle=None):
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                return
            step = end - now
            if on_idle is not None:
                step = min(step, on_idle(now))
            self.pump(step)

    def write(self, data):
        t = time.monotonic()
        os.write(self.fd, data)
        return t

    def finish(self, keys=b"", timeout=5.0):
        """Send `keys` (e.g. b"q"), read until EOF, reap; SIGKILL after `timeout` s."""
        if keys:
            try:
                os.write(self.fd, keys)
            except OSError:
                pass
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.05)
            done, status, ru = os.wait4(self.pid, os.WNOHANG)
            if done == self.pid:
                self.status, self.rusage = status, ru
                # what it wrote just before leaving is still in the pty: read to EOF (EIO)
                while not self.eof and time.monotonic() < end:
                    self.pump(0.2)
                break
        else:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, self.status, self.rusage = os.wait4(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass


# --- the fake server ------------------------------------------------------------------------


class Fake:
    def __init__(self, work, name, rate, tokens, ttft_ms):
        self.port_file = os.path.join(work, name + ".port")
        self.record = os.path.join(work, name + ".jsonl")
        self.proc = subprocess.Popen(
            [sys.executable, FAKE, "--port", "0", "--port-file", self.port_file,
             "--record", self.record, "--quiet", "--rate", str(rate), "--tokens", str(tokens),
             "--ttft-ms", str(ttft_ms)],
            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.port = None
        end = time.monotonic() + 15
        while time.monotonic() < end and self.proc.poll() is None:
            try:
                with open(self.port_file) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = txt
                    break
            except OSError:
                pass
            time.sleep(0.02)  # the fake writes its port file atomically: poll for it
        if self.port is None:
            self.stop()
            raise RuntimeError("the fake Ollama server did not start")

    def records(self):
        out = []
        try:
            with open(self.record) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        out.append(json.loads(line))
        except (OSError, ValueError):
            pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- helpers ----------------------------------------------------------------------------------


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def make_env(home, cols, rows):
    return {
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "COLUMNS": str(cols),
        "LINES": str(rows),
    }


def start_chimera(args, env, fake, tree, keep_chunks=False):
    ch = PtyChild([os.path.abspath(args.bin), "--host", "127.0.0.1:" + fake.port, tree],
                  env, args.rows, args.cols, keep_chunks=keep_chunks)
    if ch.wait_for(READY, 10.0) is None:
        ch.finish(b"q", 2.0)
        raise RuntimeError("chimera showed no first frame on the pty")
    ch.drain_for(0.5)  # the health check and the (small) scan settle
    return ch


# --- 1. CPU and bytes per token --------------------------------------------------------------


def cpu_run(args, work, env, tree, dump):
    """One streamed analysis; a dict of its figures (see the module doc)."""
    shutil.rmtree(os.path.join(tree, "chimera-runs"), ignore_errors=True)
    for f in glob.glob(os.path.join(work, "cpu.*")):
        os.unlink(f)
    fake = Fake(work, "cpu", args.rate, args.tokens, args.ttft_ms)
    try:
        ch = start_chimera(args, env, fake, tree, keep_chunks=True)
        if dump:
            ch.dump = open(dump, "wb")
        samples, fsamples, wsamples = [], [], []
        threads = [1]
        next_t = [0.0]

        def sample(now):
            if now >= next_t[0]:
                c = cpu_ns(ch.pid)
                f = cpu_ns(fake.proc.pid)
                t = time.monotonic()
                if c is not None:
                    samples.append((t, c))
                if f is not None:
                    fsamples.append((t, f))
                sw, _ = io_writes(ch.pid)
                if sw is not None:
                    wsamples.append((t, sw))
                threads[0] = max(threads[0], nthreads(ch.pid))
                next_t[0] = t + 0.010
            return max(0.0, next_t[0] - time.monotonic())

        sample(time.monotonic())
        ch.write(b"A")
        prof = None
        if args.profile:
            # start the profiler on the stream (not on the start-up), stop it at the end
            ch.wait_for(STREAMING, 10.0 + args.ttft_ms / 1000.0, sample)
            cmd = args.profile.replace("{pid}", str(ch.pid))
            log("profiling: %s" % cmd)
            prof = subprocess.Popen(cmd, shell=True, start_new_session=True)
        # two calls (analysis, report): the fake appends a record line at the end of each
        deadline = time.monotonic() + 30 + 3 * args.tokens / max(args.rate, 1)
        while time.monotonic() < deadline and len(fake.records()) < 2 and not ch.eof:
            ch.drain_for(0.1, sample)
        if prof is not None:
            os.killpg(prof.pid, signal.SIGINT)
            prof.wait()
        ch.drain_for(0.3, sample)
        sample(time.monotonic() + 1)
        stat_total = stat_ns(ch.pid)
        ch.finish(b"q", 5.0)
        if ch.dump is not None:
            ch.dump.close()
    finally:
        fake.stop()
    recs = [r for r in fake.records() if r.get("t_first_piece_mono")]
    if not recs or len(samples) < 2:
        raise RuntimeError("no token was streamed (fake record: %s)" % fake.records())
    t0 = min(r["t_first_piece_mono"] for r in recs)
    t1 = max(r["t_last_piece_mono"] for r in recs)
    tokens = sum(r.get("eval_count", 0) for r in recs)
    period = t1 - t0
    cpu_s = (interp(samples, t1) - interp(samples, t0)) / 1e9
    fake_s = ((interp(fsamples, t1) - interp(fsamples, t0)) / 1e9 if fsamples
              else float("nan"))
    writes = interp(wsamples, t1) - interp(wsamples, t0) if wsamples else float("nan")
    # the text chimera received and saved: the tokens' own bytes, and cat's input
    text = b""
    mj = sorted(glob.glob(os.path.join(tree, "chimera-runs", "*", "metrics.json")))
    if mj:
        with open(mj[-1], encoding="utf-8") as f:
            m = json.load(f)
        for c in m.get("calls", []):
            text += (c.get("thinking") or "").encode() + (c.get("response") or "").encode()
    return {
        "tokens": tokens, "calls": len(recs), "stream_s": period, "cpu_s": cpu_s,
        "fake_cpu_s": fake_s, "writes": writes, "threads": threads[0],
        "pty_bytes": sum(n for t, n in ch.chunks if t0 <= t <= t1), "text": text,
        "whole_run_cpu_s": (ch.rusage.ru_utime + ch.rusage.ru_stime) if ch.rusage else None,
        "stat_cpu_s": (stat_total or 0) / 1e9,
    }


def bench_cpu(args, work, env, tree):
    nan = float("nan")
    runs = []
    for i in range(args.cpu_runs):
        r = cpu_run(args, work, env, tree, args.dump if i == 0 else None)
        r["core_pct"] = 100.0 * r["cpu_s"] / r["stream_s"] if r["stream_s"] > 0 else nan
        runs.append(r)
        print("cpu_run i=%d tokens=%d stream_s=%.3f cpu_s=%.4f core_pct=%.2f pty_bytes=%d "
              "fake_cpu_s=%.3f whole_run_cpu_s=%.3f"
              % (i + 1, r["tokens"], r["stream_s"], r["cpu_s"], r["core_pct"], r["pty_bytes"],
                 r["fake_cpu_s"], r["whole_run_cpu_s"] or nan))
        sys.stdout.flush()
    # the run with the median CPU share gives every figure of the summary line
    runs.sort(key=lambda x: x["core_pct"])
    r = runs[(len(runs) - 1) // 2]
    text, tokens, period, cpu_s = r["text"], r["tokens"], r["stream_s"], r["cpu_s"]
    if not text:
        log("no metrics.json with the responses: the bytes ratio and cat are skipped")
    # baseline: cat of the same text through a pty of the same size
    cat_bytes, cat_cpu = nan, nan
    if text:
        tf = os.path.join(work, "tokens.txt")
        with open(tf, "wb") as f:
            f.write(text)
        cat = shutil.which("cat", path="/usr/bin:/bin")
        c = PtyChild([cat, tf], env, args.rows, args.cols)
        c.finish(b"", 10.0)
        cat_bytes = c.total
        cat_cpu = c.rusage.ru_utime + c.rusage.ru_stime
    tb = len(text)
    per = (lambda v: v / tokens) if tokens else (lambda v: nan)
    print("cpu runs=%d tokens=%d calls=%d stream_s=%.3f cpu_s=%.4f us_per_tok=%.1f "
          "core_pct=%.2f core_pct_min=%.2f core_pct_max=%.2f pty_bytes=%d token_bytes=%d "
          "bytes_per_tok=%.1f token_bytes_per_tok=%.2f bytes_ratio=%.2f cat_bytes=%s "
          "cat_bytes_per_tok=%.2f cat_cpu_ms=%.2f cat_us_per_tok=%.3f fake_cpu_s=%.3f "
          "fake_core_pct=%.2f writes=%.0f writes_per_s=%.1f threads=%d"
          % (len(runs), tokens, r["calls"], period, cpu_s, per(cpu_s * 1e6), r["core_pct"],
             runs[0]["core_pct"], runs[-1]["core_pct"], r["pty_bytes"], tb,
             per(r["pty_bytes"]), per(tb), r["pty_bytes"] / tb if tb else nan,
             cat_bytes if text else "nan", per(cat_bytes), cat_cpu * 1000.0,
             per(cat_cpu * 1e6), r["fake_cpu_s"],
             100.0 * r["fake_cpu_s"] / period if period > 0 else nan, r["writes"],
             r["writes"] / period if period > 0 else nan, r["threads"]))
    sys.stdout.flush()
    return 0


# --- 2. keypress latency -----------------------------------------------------------------------


def key_samples(ch, n, rng, echo):
    """n samples of key-to-marker latency in ms, as (kind, ms or None, t_key)."""
    out = []
    help_open = False
    for _ in range(n):
        ch.drain_for(rng.uniform(0.020, 0.060))
        if echo:
            t = ch.write(b"?")
            got = ch.wait_for(b"?", 2.0)
            out.append(("echo", None if got is None else (got - t) * 1000.0, t))
            continue
        t = ch.write(b"?")  # `?` opens the help; any key, `?` too, closes it
        got = ch.wait_for(HELP_CLOSED if help_open else HELP_OPEN, 2.0)
        out.append(("close" if help_open else "open", None if got is None else (got - t) * 1000.0,
                    t))
        help_open = not help_open
        if got is None:
            # lost track: close it whatever the state, and start again from a known screen
            if help_open:
                ch.write(b"?")
            ch.drain_for(0.3)
            ch.write(b"\x0c")  # Ctrl-L: a full redraw
            ch.drain_for(0.3)
            help_open = False
    return out


def report_latency(mode, res, outside=0):
    ms = [v for _, v, _ in res if v is not None]
    opens = [v for k, v, _ in res if v is not None and k == "open"]
    closes = [v for k, v, _ in res if v is not None and k == "close"]
    fails = sum(1 for _, v, _ in res if v is None)
    print("latency mode=%s n=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
          "open_p50_ms=%.2f close_p50_ms=%.2f failures=%d outside_stream=%d"
          % (mode, len(ms), pct(ms, 50), pct(ms, 90), pct(ms, 99), max(ms) if ms else float("nan"),
             pct(opens, 50), pct(closes, 50), fails, outside))
    sys.stdout.flush()


def bench_latency(args, work, env, tree, rng):
    # echo: the floor of the pty and this script
    sh = shutil.which("sh", path="/usr/bin:/bin")
    e = PtyChild([sh, "-c", "stty raw -echo && printf READY && exec cat"], env, args.rows,
                 args.cols)
    if e.wait_for(b"READY", 5.0) is None:
        e.finish(b"", 1.0)
        raise RuntimeError("the echo program did not start")
    report_latency("echo", key_samples(e, args.samples, rng, echo=True))
    os.kill(e.pid, signal.SIGTERM)  # raw mode: Ctrl-D would be a byte to cat, not EOF
    e.finish(b"", 2.0)

    # a stream long enough for every sample: (gap + latency) x samples, twice over
    long_tokens = int(max(args.tokens, args.rate * (args.samples * 0.1 * 2 + 5)))
    fake = Fake(work, "keys", args.rate, long_tokens, args.ttft_ms)
    try:
        ch = start_chimera(args, env, fake, tree)
        report_latency("idle", key_samples(ch, args.samples, rng, echo=False))
        ch.drain_for(0.3)  # the last sample's frame is out: the marker below is new output
        ch.write(b"A")
        if ch.wait_for(STREAMING, 10.0 + args.ttft_ms / 1000.0) is None:
            ch.finish(b"", 0.5)
            raise RuntimeError("no stream showed up for the latency test")
        ch.drain_for(0.3)
        res = key_samples(ch, args.samples, rng, echo=False)
        ch.drain_for(0.2)  # the stream goes on past the last key
        # SIGTERM: chimera saves the unfinished run and leaves
        os.kill(ch.pid, signal.SIGTERM)
        ch.finish(b"", 5.0)
    finally:
        fake.stop()
    spans = [(r["t_first_piece_mono"], r["t_last_piece_mono"] or r["t_done_mono"])
             for r in fake.records() if r.get("t_first_piece_mono")]
    outside = sum(1 for _, _, t in res if not any(a <= t <= (b or a) for a, b in spans))
    report_latency("stream", res, outside)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the chimera binary")
    ap.add_argument("--tokens", type=int, default=2000, help="pieces per call (cpu test)")
    ap.add_argument("--rate", type=float, default=500.0, help="pieces per second")
    ap.add_argument("--ttft-ms", type=int, default=200)
    ap.add_argument("--samples", type=int, default=200, help="keys per latency test")
    ap.add_argument("--cpu-runs", type=int, default=3,
                    help="streamed analyses for the cpu test; the median one is reported")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--seed", type=int, default=None, help="for the random key pauses")
    ap.add_argument("--only", choices=("cpu", "latency"), default=None)
    ap.add_argument("--tmp", default=None, metavar="DIR",
                    help="make the throw-away folder in DIR (default: $TMPDIR or /tmp)")
    ap.add_argument("--keep", default=None, help="work in DIR and leave it (debugging)")
    ap.add_argument("--profile", default=None, metavar="CMD",
                    help="cpu test: run the shell command CMD ({pid} is chimera's pid) from the "
                         "first token to the end of the stream, then SIGINT it; e.g. "
                         "'perf record -g -o perf.data -p {pid}' or 'strace -c -p {pid}'. "
                         "The figures of that run include the profiler's cost")
    ap.add_argument("--dump", default=None,
                    help="cpu test: write chimera's pty output to FILE, each read after a line "
                         "'@@@ MONOTONIC_TIME NBYTES' (to see where the bytes go)")
    args = ap.parse_args()

    if args.keep:
        work = os.path.abspath(args.keep)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="chimera-stream-", dir=args.tmp)
    rc = 0
    try:
        home = os.path.join(work, "home")
        os.makedirs(os.path.join(home, ".config"), exist_ok=True)
        env = make_env(home, args.cols, args.rows)
        rng = random.Random(args.seed)
        if args.only in (None, "cpu"):
            tree = os.path.join(work, "tree-cpu")
            subprocess.run([sys.executable, GEN_TREE, tree], check=True,
                           stdout=subprocess.DEVNULL)
            try:
                bench_cpu(args, work, env, tree)
            except (RuntimeError, OSError) as e:
                log("cpu: %s" % e)
                rc = 1
        if args.only in (None, "latency"):
            tree = os.path.join(work, "tree-keys")
            subprocess.run([sys.executable, GEN_TREE, tree], check=True,
                           stdout=subprocess.DEVNULL)
            try:
                bench_latency(args, work, env, tree, rng)
            except (RuntimeError, OSError) as e:
                log("latency: %s" % e)
                rc = 1
    finally:
        if not args.keep:
            subprocess.run(["chmod", "-R", "u+rwX", work], check=False)
            shutil.rmtree(work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
