"""fakesrv.py: tests/fake_ollama.py as a private server for one e2e case.

    with FakeServer(ctx.tmp, "--rate", "500", "--tokens", "60") as srv:
        ... chimera --host srv.host ...
        recs = srv.wait_records(2)          # one JSON object per generation request

Each instance picks a free port (--port 0), writes it to a --port-file in the given
folder (polled, never slept on) and appends one line per generation request to a
--record file there. stop() (also on leaving the with block) sends SIGTERM and waits;
a server that does not leave is killed by pid. Only python3's standard library.

expected_text(n) is the text the fake streams for n answer pieces (seed 0), taken from
the fake's own generator, and closed_port() a port where nothing listens.
"""
import atexit
import functools
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time

from tmuxdrv import E2EError, timeout_scale

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FAKE = os.path.join(REPO, "tests", "fake_ollama.py")
SELFTEST = os.path.join(REPO, "tests", "fake_ollama_selftest.py")

_live = set()            # servers not stopped yet, for the atexit safety net

# fast: where the timing does not matter
FAST = ("--rate", "500", "--tokens", "60", "--ttft-ms", "50")


class LocalPort:
    """Addresses of a port on 127.0.0.1 (self.port)."""

    @property
    def host(self):
        """What --host gets: host:port."""
        return "127.0.0.1:%d" % self.port

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port


class FakeServer(LocalPort):
    def __init__(self, tmpdir, *args, name="fake"):
        self.dir = tmpdir
        self.name = name
        self.port_file = os.path.join(tmpdir, name + ".port")
        self.record = os.path.join(tmpdir, name + ".rec.jsonl")
        self.log_path = os.path.join(tmpdir, name + ".log")
        self.args = [str(a) for a in args]
        self.port = None
        self.proc = None
        self._start()

    def _start(self):
        for p in (self.port_file, self.record):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, FAKE, "--port", "0", "--port-file", self.port_file,
                 "--record", self.record, "--quiet"] + self.args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()
        _live.add(self)
        deadline = time.monotonic() + 15 * timeout_scale()
        while True:
            try:
                with open(self.port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.port = int(text)
                    return
            except (FileNotFoundError, ValueError):
                pass
            if self.proc.poll() is not None:
                raise E2EError("fake_ollama.py %s exited with %d before listening: %s"
                               % (" ".join(self.args), self.proc.returncode, self.log()))
            if time.monotonic() > deadline:
                self.stop()
                raise E2EError("fake_ollama.py did not write its port file: " + self.log())
            time.sleep(0.02)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    # -- the record
    def records(self):
        """The generation requests answered so far (complete lines only)."""
        try:
            with open(self.record, encoding="utf-8") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        out = []
        for line in data.split("\n")[:-1]:       # the last piece has no newline yet
            if line.strip():
                out.append(json.loads(line))
        return out

    def wait_records(self, n, timeout=15, what=None):
        """Poll until at least n requests are recorded; returns the records."""
        deadline = time.monotonic() + timeout * timeout_scale()
        while True:
            recs = self.records()
            if len(recs) >= n:
                return recs
            if time.monotonic() > deadline:
                raise E2EError("the fake server recorded %d request(s), expected %d%s"
                               % (len(recs), n, " (%s)" % what if what else ""))
            time.sleep(0.05)

    # -- life cycle
    def stop(self):
        _live.discard(self)
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=5 * timeout_scale())
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


@atexit.register
def _stop_all():
    for srv in list(_live):
        srv.stop()


class ClosedPort(LocalPort):
    """A port where nothing listens: a socket bound but not listening (the kernel answers
    a SYN with RST, "connection refused"), kept bound so that nobody else takes it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


@functools.lru_cache(maxsize=1)
def _fake_module():
    spec = importlib.util.spec_from_file_location("fake_ollama_text", FAKE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)          # definitions only: main() is not called
    return mod


def expected_pieces(ntok, seed=0):
    """The answer pieces the fake streams for --tokens ntok (no fault, no --text-file)."""
    return list(_fake_module().report_pieces(seed, ntok))[:ntok]


def expected_text(ntok, seed=0):
    return "".join(expected_pieces(ntok, seed))


def think_text(n):
    return "".join(_fake_module().think_pieces(n))


def multibyte_pieces():
    return list(_fake_module().MULTIBYTE_PIECES)


def fake_error_texts():
    m = _fake_module()
    return {"error-mid": m.ERR_MID, "http500": m.ERR_500}
