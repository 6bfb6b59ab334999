#!/usr/bin/env python3
"""Run chimera itself under valgrind's memcheck: the headless commands on the sample tree
(with every edge case), analysis runs against the project's Ollama stand-in
(tests/fake_ollama.py: `chimera report` with both protocols, a server fault, `compare`),
and a short TUI session in tmux that browses, streams an analysis and quits. Any memory
error, or any leak that is "definitely" or "indirectly" lost, fails the run.

Usage: valgrind.py --bin PATH
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "e2e"))
from fakesrv import FAST, FakeServer  # noqa: E402  (the e2e tests' stand-in wrapper)
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
            "--track-fds=no"]


def gen_tree(dest):
    subprocess.run([sys.executable, os.path.join(HERE, "sample", "gen_tree.py"), dest,
                    "--edge-cases"], check=True, stdout=subprocess.DEVNULL)


def vg_run(binary, args, names, want=(0, 1)):
    """One headless command under valgrind; returns [] or [args]."""
    proc = subprocess.run(VALGRIND + [binary] + args, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=dict(os.environ, LANG="C.UTF-8"))
    errors = [l for l in proc.stderr.decode("utf-8", "replace").splitlines()
              if l.startswith("==")]
    status = "ok" if proc.returncode in want and not errors else "FAIL"
    shown = " ".join(names.get(a, a) for a in args)
    print(f"{status:4} valgrind chimera {shown}")
    if status != "ok":
        print(f"exit {proc.returncode}")
        print("\n".join(errors[:40]) or proc.stderr.decode("utf-8", "replace")[-2000:])
        return [args]
    return []


def headless(binary, tree):
    failures = []
    names = {tree: "TREE"}
    for args in (["inventory", tree], ["inventory", tree, "--json"], ["--help"],
                 ["inventory", os.path.join(tree, "reports")]):
        failures += vg_run(binary, args, names)
    return failures


def analysis(binary, tree, workdir):
    """chimera report and compare against the stand-in, under valgrind."""
    failures = []
    out = os.path.join(workdir, "runs")
    names = {tree: "TREE", out: "OUT"}
    with FakeServer(workdir, *FAST, name="vg-ollama") as srv:
        base = ["report", tree, "--host", srv.host, "--out", out]
        failures += vg_run(binary, base + ["--runs", "2", "--stream"], names, want=(0,))
        failures += vg_run(binary, base + ["--model", "fault-error-mid:latest"], names,
                           want=(1,))
    with FakeServer(workdir, *(FAST + ("--openai-flavor", "llamacpp")), name="vg-openai") as srv:
        failures += vg_run(binary, ["report", tree, "--host", srv.host, "--out", out,
                                    "--api", "openai"], names, want=(0,))
    runs = sorted(os.path.join(out, d) for d in os.listdir(out)) if os.path.isdir(out) else []
    if len(runs) >= 2:
        names.update({runs[0]: "RUN_A", runs[-1]: "RUN_B"})
        failures += vg_run(binary, ["compare", runs[0], runs[-1]], names, want=(0,))
        failures += vg_run(binary, ["compare", runs[0], runs[-1], "--json"], names, want=(0,))
    else:
        print(f"FAIL valgrind: {len(runs)} saved run(s) in {out}, expected 3")
        failures.append(["compare"])
    return failures


def tmux(sock, *args, capture=False):
    cmd = ["tmux", "-L", sock, "-f", "/dev/null"] + list(args)
    if capture:
        return subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout.decode(
            "utf-8", "replace")
    subprocess.run(cmd, check=True)
    return ""


def wait_for(sock, text, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in tmux(sock, "capture-pane", "-p", "-t", "v", capture=True):
            return True
        time.sleep(0.2)
    return False


def tui(binary, tree, workdir):
    """Start the TUI under valgrind, walk a little, stream an analysis, quit, and read
    valgrind's log."""
    sock = f"chimera-vg-{os.getpid()}"
    log = os.path.join(workdir, "vg.log")
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    srv = FakeServer(workdir, *FAST, name="vg-tui")
    inner = " ".join(VALGRIND + [f"--log-file={log}", binary, "--host", srv.host, tree])
    env = f"HOME={home} XDG_CONFIG_HOME={home} LANG=C.UTF-8"
    try:
        tmux(sock, "new-session", "-d", "-s", "v", "-x", "100", "-y", "30",
             f"env {env} {inner}; echo VG-EXIT=$?; sleep 600")
        ok = wait_for(sock, "q quit")
        keys = ["j", "j", "j", "Enter", "j", "j", "Enter", "j", "j", "j", "t", "Tab", "Tab",
                "?", "x", "/", "c", "s", "v", "Enter", "n", "Escape", "T", "s"]
        tmux(sock, "send-keys", "-t", "v", *keys)
        ok = wait_for(sock, "sorted by") and ok
        tmux(sock, "send-keys", "-t", "v", "A")      # analyse the whole root
        ok = wait_for(sock, "saved") and ok
        tmux(sock, "send-keys", "-t", "v", "q")
        ok = wait_for(sock, "VG-EXIT=") and ok
        screen = tmux(sock, "capture-pane", "-p", "-t", "v", capture=True)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], stderr=subprocess.DEVNULL)
        srv.stop()
    with open(log, encoding="utf-8", errors="replace") as f:
        report = [l for l in f if l.startswith("==")]
    clean = ok and "VG-EXIT=0" in screen and not report
    print(f"{'ok' if clean else 'FAIL':4} valgrind TUI session")
    if not clean:
        print(screen)
        print("".join(report[:60]))
    return [] if clean else ["tui"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (make deps installs it)")
        return 1
    workdir = tempfile.mkdtemp(prefix="chimera-vg-")
    try:
        tree = os.path.join(workdir, "tree")
        gen_tree(tree)
        failures = headless(binary, tree) + analysis(binary, tree, workdir)
        failures += tui(binary, tree, workdir)
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", workdir], stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"valgrind: {'clean' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
