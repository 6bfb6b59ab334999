#!/usr/bin/env python3
"""Time to first paint of chimera's TUI, measured through a pseudo-terminal.

Usage: first_paint.py --bin BUILD/chimera --dir DIR [--runs N] [--cols C] [--rows R]

Each run forks onto a new pty of C x R cells (default 100 x 30) with TERM=xterm-256color,
LANG=C.UTF-8 and HOME/XDG_CONFIG_HOME in a throw-away directory, starts `chimera DIR`, and
stops the clock when the output stream has contained the status line's key hints
("q quit"). ui/app.c app_paint draws the status line last and ends with one doupdate(),
which is the only place the terminal is written, so the marker arrives with (the end of)
the first complete frame. Then "q" is sent and the child reaped.

The baseline is measured the same way in the same run, alternating with chimera: the
same fork and pty set-up, then `/usr/bin/printf 'q quit'`. It is the floor that process
creation, the pty and this script's reading add to any program.

One untimed warm-up of each, then N timed runs of each (default 15). Prints one line:
    dir=... runs=N chimera_median_ms=... chimera_p90_ms=... baseline_median_ms=...
    baseline_p90_ms=... ratio=... failures=...
(p90 is the nearest-rank 90th percentile; ratio = chimera median / baseline median).
A run that shows no marker within --timeout seconds counts as a failure and is left out;
the exit status is 1 when every chimera run failed, else 0. Needs only the standard
library (Linux or macOS).
"""
import argparse
import errno
import fcntl
import math
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

MARKER = b"q quit"


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def reap(pid, timeout):
    """Wait up to `timeout` s for `pid`; kill it (by pid) if it is still there."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return True
        time.sleep(0.005)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    return False


def drain(fd, until):
    """Read whatever the child still writes, until EOF or the deadline."""
    while time.monotonic() < until:
        r, _, _ = select.select([fd], [], [], max(0.0, until - time.monotonic()))
        if not r:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:  # EIO: the slave side is closed
            return


def one_run(argv, env, rows, cols, timeout):
    """Milliseconds from before the fork to the marker, or None on timeout."""
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            set_winsize(pty.STDOUT_FILENO, rows, cols)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    seen = b""
    elapsed = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                chunk = b""
            if not chunk:
                break
            # keep a tail so a marker split across two reads is still found
            seen = seen[-(len(MARKER) - 1):] + chunk
            if MARKER in seen:
                elapsed = (time.perf_counter() - t0) * 1000.0
                break
        try:
            os.write(fd, b"q")
        except OSError:
            pass
        drain(fd, time.monotonic() + 2.0)
    finally:
        reap(pid, 3.0)
        os.close(fd)
    return elapsed


def p90(values):
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the chimera binary")
    ap.add_argument("--dir", required=True, help="the folder to open")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    printf = shutil.which("printf", path="/usr/bin:/bin")
    if printf is None:
        sys.stderr.write("first_paint: no printf binary in /usr/bin or /bin\n")
        return 2
    home = tempfile.mkdtemp(prefix="chimera-paint-")
    try:
        env = {
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "COLUMNS": str(args.cols),
            "LINES": str(args.rows),
        }
        chimera = [os.path.abspath(args.bin), args.dir]
        base = [printf, MARKER.decode()]
        # warm the page cache and the dynamic loader for both
        one_run(chimera, env, args.rows, args.cols, args.timeout)
        one_run(base, env, args.rows, args.cols, args.timeout)
        ch, bl = [], []
        failures = 0
        for _ in range(args.runs):
            v = one_run(chimera, env, args.rows, args.cols, args.timeout)
            if v is None:
                failures += 1
            else:
                ch.append(v)
            v = one_run(base, env, args.rows, args.cols, args.timeout)
            if v is not None:
                bl.append(v)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if not ch:
        print(f"dir={args.dir} runs={args.runs} failures={failures}")
        sys.stderr.write("first_paint: chimera never showed 'q quit' on the pty\n")
        return 1
    cm, bm = statistics.median(ch), statistics.median(bl) if bl else float("nan")
    print(f"dir={args.dir} runs={args.runs} chimera_median_ms={cm:.1f} "
          f"chimera_p90_ms={p90(ch):.1f} baseline_median_ms={bm:.1f} "
          f"baseline_p90_ms={p90(bl) if bl else float('nan'):.1f} "
          f"ratio={cm / bm if bl and bm > 0 else float('nan'):.2f} failures={failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
