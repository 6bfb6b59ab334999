#!/usr/bin/env python3
"""Open chimera on the sample tree for a first look (the README's `make demo`).

With an Ollama server answering (OLLAMA_HOST, else 127.0.0.1:11434) chimera talks to it.
Without one, the project's stand-in (tests/fake_ollama.py) is started on a free port so a
newcomer without a GPU still sees a report stream in: press A in chimera.

Usage: demo.py --bin PATH --tree DIR
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def ollama_answers(host):
    url = host if host.startswith(("http://", "https://")) else "http://" + host
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/api/version", timeout=0.7) as r:
            return r.status == 200
    except OSError:
        return False


def start_stand_in(workdir):
    port_file = os.path.join(workdir, "port")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_ollama.py"), "--port", "0",
                             "--port-file", port_file, "--quiet", "--rate", "45",
                             "--ttft-ms", "600", "--tokens", "700"],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                return proc, f.read().strip()
        if proc.poll() is not None:
            break
        time.sleep(0.05)  # waiting for the stand-in to write its port file
    proc.kill()
    sys.exit("demo: the Ollama stand-in did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tree", required=True)
    args = parser.parse_args()
    host = os.environ.get("OLLAMA_HOST") or "127.0.0.1:11434"
    cmd = [args.bin, args.tree]
    stand_in = None
    workdir = tempfile.mkdtemp(prefix="chimera-demo-")
    if ollama_answers(host):
        print(f"demo: using the Ollama server at {host}")
    else:
        stand_in, port = start_stand_in(workdir)
        print(f"demo: no Ollama at {host}: using the project's stand-in on port {port} "
              "(press A in chimera to watch a report stream in)")
        cmd += ["--host", f"127.0.0.1:{port}"]
    time.sleep(1.5)  # a moment to read the line above before the screen switches
    try:
        return subprocess.call(cmd)
    finally:
        if stand_in is not None:
            stand_in.terminate()
            stand_in.wait()
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
