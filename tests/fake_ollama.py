#!/usr/bin/env python3
"""fake_ollama.py: a local, controllable stand-in for an Ollama server.

Python 3 standard library only. Speaks the protocol described in
docs/ollama-protocol.md (native NDJSON /api/generate and /api/chat, the
OpenAI-compatible SSE /v1/chat/completions, and the small JSON endpoints),
with deterministic text, exact timing and injectable faults.  See
tests/fake_ollama.md for the options, the faults and the --record format.

    python3 tests/fake_ollama.py --port 0 --port-file /tmp/p --ttft-ms 300 --rate 40
"""

import argparse
import functools
import hashlib
import json
import math
import os
import random
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mono = time.monotonic  # CLOCK_MONOTONIC on Linux, same clock as clock_gettime()

FAULTS = ("none", "refuse", "notfound", "http500", "busy", "html502", "empty403",
          "error-mid", "reset", "truncate", "stall", "nodone", "no-sentinel", "split-utf8",
          "escapes", "megaline", "slow-headers", "think")
MID_FAULTS = ("error-mid", "reset", "truncate", "stall")
MEGALINE_RE = re.compile(r"^megaline(?:-(\d+(?:\.\d+)?))?$")
DEFAULT_MODELS = "gemma3:latest,gemma3:1b,llama3.2:3b,qwen3:8b"
DEFAULT_THINK_FOR_FAULT = 24      # thinking pieces for --fault think when --think-tokens is 0
LINE_CHUNK = 64 * 1024            # lines longer than this go out as several chunks
ERR_MID = "an error was encountered while running the model: unexpected EOF"
ERR_500 = "llama runner process has terminated: signal: killed"
ERR_503 = "server busy, please try again.  maximum pending requests exceeded"
HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            b"</body>\r\n</html>\r\n")

CFG = None            # argparse namespace, set in main()
RECORD_LOCK = threading.Lock()
STATE_LOCK = threading.Lock()
LOADED = {}           # model -> {"load_opts", "expires", "num_ctx", "num_gpu"}
MODEL_LOCKS = {}      # model -> Lock (a second cold request waits for the first load)
SLOTS = None          # threading.Semaphore when --parallel > 0
REQ_COUNTER = [0]


class ClientGone(Exception):
    """The client closed the connection (or a write to it failed)."""


# --------------------------------------------------------------------------- encoding

def go_json(obj):
    """JSON like Go's json.Marshal: compact, raw UTF-8, and <, >, &, U+2028/9 escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
             .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def go_time(ns=None):
    """RFC 3339 with nanoseconds, UTC 'Z', trailing zeros trimmed (Go's RFC3339Nano)."""
    ns = time.time_ns() if ns is None else ns
    s, frac = divmod(ns, 10**9)
    f = f"{frac:09d}".rstrip("0")
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ("." + f if f else "") + "Z"


# --------------------------------------------------------------------------- text

TOKEN_RE = re.compile(r"\n+|[ ]?[\w'’]+|[ ]?[^\w\s]+|\s", re.UNICODE)


def tokenize(text):
    """Split text into word pieces ("The", " sky", ".", "\\n\\n"); long words in two."""
    out = []
    for p in TOKEN_RE.findall(text):
        core = p.lstrip(" ")
        if len(core) > 8 and core.isalpha():
            cut = len(p) - len(core) + (len(core) + 1) // 2
            out += [p[:cut], p[cut:]]
        else:
            out.append(p)
    assert "".join(out) == text
    return out


T_MODELS = ["gemma3:1b", "gemma3:4b", "llama3.2:3b", "qwen2.5:7b", "mistral:7b", "phi4:14b"]

FILLER = [
    "- Key finding: run {k} of `{m}` reached {x} tok/s with a TTFT of {y} ms.",
    "- We recommend comparing `{m}` at `num_ctx={c}` against the **baseline** profile.",
    "- The eval rate stayed within {p}% of the mean — stable enough for production use.",
    "- Prompt evaluation took {y} ms for {n} tokens, i.e. {r} tokens/s on `{m}`.",
    "- Key insight: cold loads add {z} s to TTFT; warm runs do not pay it.",
    "- Teams should consider a warm-up request before each timed run of `{m}`.",
    "- Throughput on `{m}` dropped {p}% when `num_gpu` fell below {g} layers.",
    "- Notes in 中文 and café-style résumé labels parse cleanly 📊.",
]


@functools.lru_cache(maxsize=64)
def report_pieces(seed, ntok):
    """Deterministic Markdown analysis report, as >= ntok pieces (caller truncates)."""
    r = random.Random(seed)
    m1, m2, m3 = r.sample(T_MODELS, 3)
    tp = [round(r.uniform(40, 180), 1) for _ in range(3)]
    tt = [r.randint(60, 900) for _ in range(3)]
    files, imp = r.randint(20, 140), round(r.uniform(5, 35), 1)
    rows = "".join(f"| `{m}` | {a} | {b} |\n" for m, a, b in zip((m1, m2, m3), tp, tt))
    text = (
        f"## Executive Summary\n\nThe benchmark corpus covers **{files} files** across CSV, "
        f"JSON and Markdown. Throughput on `{m1}` peaks at **{tp[0]} tok/s** with "
        f"`num_gpu=80`, while TTFT stays near {tt[0]} ms — a {imp}% improvement over "
        f"the baseline.\n\n"
        f"## Key Findings\n\n"
        f"- Key finding: `{m1}` sustains {tp[0]} tok/s, the highest throughput in the data set.\n"
        f"- Key finding: TTFT on `{m2}` rises to {tt[1]} ms when `num_ctx` exceeds 4096.\n"
        f"- Key insight: GPU offload (`num_gpu`) matters more than sampling options.\n\n"
        f"## Performance Analysis\n\n| Model | Throughput (tok/s) | TTFT (ms) |\n"
        f"|---|---:|---:|\n{rows}\n"
        f"Latency budget: p95 < {tt[2]} ms & p99 > {tt[2] + 150} ms on cold loads; the "
        f"café-grade résumé of naïve runs shows no regression. 中文 labels and emoji 🚀 "
        f"render fine.\n\n"
        f"## Recommendations\n\n"
        f"1. We recommend pinning `num_gpu=80` for `{m1}` in production.\n"
        f"2. We recommend warming the model before timing so load time stays out of TTFT.\n"
        f"3. Consider lowering `num_ctx` to 2048 for `{m2}`; you should re-run the sweep.\n\n"
        f"## Appendix\n\nRuns were repeated three times; figures are means. Raw data lives "
        f"in `csv_data/`.\n")
    pieces = tokenize(text)
    n = 1
    while len(pieces) < ntok:
        block = f"\n### Additional observation {n}\n\n"
        for _ in range(4):
            block += r.choice(FILLER).format(
                k=r.randint(1, 9), m=r.choice(T_MODELS), x=round(r.uniform(20, 200), 1),
                y=r.randint(40, 1500), c=r.choice((512, 2048, 4096, 8192)),
                p=r.randint(1, 30), n=r.randint(30, 900), r=round(r.uniform(200, 900), 1),
                z=round(r.uniform(1, 9), 1), g=r.choice((20, 40, 60))) + "\n"
        pieces += tokenize(block)
        n += 1
    return tuple(pieces)


THINK_TEXT = ("Okay, the user wants an analysis of the benchmark files. Let me look at the "
              "throughput numbers first, then TTFT. The CSV columns mention tokens per second, "
              "so I should compare models at the same num_ctx. Hmm — cold loads inflate TTFT; "
              "I need to separate load time from prefill. ")


def think_pieces(n):
    base = tokenize(THINK_TEXT)
    return [base[i % len(base)] for i in range(n)]


ESCAPE_PIECES = ["\x1b[2J", " \x1b]0;pwned\x07", "\r", " over\bwrite", " \u202eevil",
                 " \u009b31m", " \x1b[31mred\x1b[0m"]
MULTIBYTE_PIECES = ["Résumé", " —", " 中文", " 🚀", " naïve", " café", " 日本語", " …"]


@functools.lru_cache(maxsize=8)
def file_pieces(path):
    with open(path, "rb") as f:
        return tuple(tokenize(f.read().decode("utf-8", "replace")))


def answer_pieces(seed, ntok, fault):
    if CFG.text_file:
        pieces = list(file_pieces(CFG.text_file))
        if ntok is not None:
            pieces = pieces[:ntok]
    else:
        ntok = 400 if ntok is None else ntok
        pieces = list(report_pieces(seed, ntok))[:ntok]
    n = len(pieces)
    if fault == "escapes":
        for i, e in enumerate(ESCAPE_PIECES):
            pieces.insert(min(1 + 2 * i, len(pieces)), e)
        pieces = pieces[:max(n, len(ESCAPE_PIECES))]
    elif fault == "split-utf8":
        pieces = (MULTIBYTE_PIECES + pieces)[:max(n, len(MULTIBYTE_PIECES))]
    return pieces


@functools.lru_cache(maxsize=4)
def context_text(nbytes):
    """Comma-separated token ids, about nbytes long (for megaline)."""
    block = ",".join(str(100000 + (i * 7919) % 99991) for i in range(10000))
    reps = max(1, math.ceil(nbytes / (len(block) + 1)))
    return ",".join([block] * reps)


# --------------------------------------------------------------------------- models

def norm_model(name):
    name = (name or "").strip()
    if not name:
        return ""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


def model_info(name):
    base, tag = name.rsplit(":", 1)
    fam = re.match(r"[a-z]+", base.rsplit("/", 1)[-1]) or None
    family = fam.group(0) if fam else "llama"
    if base.startswith("gemma3"):
        family = "gemma3"
    elif base.startswith("qwen3"):
        family = "qwen3"
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([bm])", tag.lower())
    if m:
        psize = m.group(1) + m.group(2).upper()
        params = float(m.group(1)) * (1e9 if m.group(2) == "b" else 1e6)
    else:
        psize, params = "4.3B", 4.3e9
    digest = hashlib.sha256(name.encode()).hexdigest()
    caps = ["completion"]
    if thinks_by_default(name):
        caps.append("thinking")
    if family in ("llama", "qwen3", "qwen"):
        caps.append("tools")
    return {
        "name": name, "model": name, "modified_at": "2025-11-14T18:53:30.123456789Z",
        "size": int(params * 0.62), "digest": digest,
        "details": {"parent_model": "", "format": "gguf", "family": family,
                    "families": [family], "parameter_size": psize,
                    "quantization_level": "Q4_K_M"},
        "capabilities": caps, "params": int(params),
    }


def thinks_by_default(name):
    low = name.lower()
    return "think" in low or low.startswith(("qwen3", "deepseek-r1", "gpt-oss"))


def public(info):
    return {k: v for k, v in info.items() if k != "params"}


def lookup_model(raw):
    """(canonical name, fault from the name or None); name None when unknown."""
    name = norm_model(raw)
    base = name.rsplit(":", 1)[0]
    if base.startswith("fault-"):
        return name, base[len("fault-"):]
    return (name if name in CFG.model_names else None), None


def parse_keep_alive(v):
    """Seconds to stay loaded; math.inf for negative; 300 by default."""
    if v is None:
        return 300.0
    if isinstance(v, bool):
        return 300.0
    if isinstance(v, (int, float)):
        return math.inf if v < 0 else float(v)
    s = str(v).strip()
    try:
        f = float(s)
        return math.inf if f < 0 else f
    except ValueError:
        pass
    neg = s.startswith("-")
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", s.lstrip("+-"))
    if not parts:
        return 300.0
    total = sum(float(n) * units[u] for n, u in parts)
    return math.inf if neg else total


LOAD_KEYS = ("num_ctx", "num_gpu", "num_batch", "main_gpu", "use_mmap", "num_thread")
INT_OPTS = ("seed", "num_predict", "top_k", "repeat_last_n", "num_keep", "num_ctx",
            "num_batch", "num_gpu", "main_gpu", "num_thread", "draft_num_predict")
FLOAT_OPTS = ("temperature", "top_p", "min_p", "typical_p", "repeat_penalty",
              "presence_penalty", "frequency_penalty")


def option_type_error(opts):
    for k in INT_OPTS:
        v = opts.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return f"option \"{k}\" must be of type integer"
    for k in FLOAT_OPTS:
        v = opts.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return f"option \"{k}\" must be of type float"
    return None


def prompt_tokens(chars_list, chat):
    if chat:
        return sum((c + 3) // 4 + 4 for c in chars_list) + 3
    return sum((c + 3) // 4 for c in chars_list) + 8


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


# --------------------------------------------------------------------------- output

class Out:
    """Response writer: head goes out with the first chunk; one chunk per line."""

    def __init__(self, h, split=False):
        self.h = h
        self.sock = h.connection
        self.chunked = h.request_version != "HTTP/1.0"
        self.head = None
        self.head_sent = False
        self.t_headers = None
        self.closed = False         # connection is finished (client left or we reset it)
        self.client_gone = False    # the client closed it / a write failed
        self.t_closed = None
        self.bytes = 0
        self.split = split
        self.pending = b""
        self.pipelined = False

    def prepare(self, code, ctype):
        hdrs = [("Content-Type", ctype), ("Date", self.h.date_time_string())]
        if self.chunked:
            hdrs.append(("Transfer-Encoding", "chunked"))
        else:
            self.h.close_connection = True
        if self.h.close_connection:
            hdrs.append(("Connection", "close"))
        self.head = self.h.head_bytes(code, hdrs)

    def gone(self):
        if not self.client_gone:
            self.closed = self.client_gone = True
            self.t_closed = mono()
        raise ClientGone()

    def _send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.gone()
        self.bytes += len(data)

    def _head_if_needed(self):
        if not self.head_sent:
            self.head_sent = True
            self.t_headers = mono()
            return self.head
        return b""

    def _emit(self, payload):
        frame = (b"%x\r\n" % len(payload) + payload + b"\r\n") if self.chunked else payload
        self._send(self._head_if_needed() + frame)

    def line(self, data):
        """Write one NDJSON line / SSE event (bytes) and flush it."""
        if self.split:
            buf = self.pending + data
            start = len(self.pending)
            cut = None
            for j in range(start + 1, len(buf)):
                if 0x80 <= buf[j] <= 0xBF:        # UTF-8 continuation byte: cut before it
                    cut = j
                    break
            if cut is None:
                cut = start + max(1, len(data) // 2)
            first, self.pending = buf[:cut], buf[cut:]
            head = self._head_if_needed()
            if head:
                self._send(head)
            if self.chunked:                       # chunk size line and data in two writes
                self._send(b"%x\r\n" % len(first))
                self._send(first + b"\r\n")
            else:
                self._send(first)
            return
        for i in range(0, len(data), LINE_CHUNK):
            self._emit(data[i:i + LINE_CHUNK])

    def end(self):
        """Finish the body cleanly (terminating chunk)."""
        if self.pending:
            p, self.pending = self.pending, b""
            self._emit(p)
        tail = b"0\r\n\r\n" if self.chunked else b""
        self._send(self._head_if_needed() + tail)

    def reset(self, rst=True):
        """Abort the connection without the terminating chunk: a TCP RST (SO_LINGER 0),
        or with rst=False a clean FIN (curl: CURLE_PARTIAL_FILE, 18)."""
        self.h.abort_socket(rst=rst)
        self.closed = True

    # -- waiting while watching for the client going away
    def peer_closed(self, timeout):
        if self.pipelined:
            return False
        try:
            p = select.poll()
            p.register(self.sock, select.POLLIN | select.POLLERR | select.POLLHUP)
            ev = p.poll(max(0.0, timeout) * 1000.0)
        except (OSError, ValueError):
            return True
        if not ev:
            return False
        try:
            d = self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True
        if d == b"":
            return True
        self.pipelined = True     # the client already sent its next request; stop polling
        return False

    def wait_until(self, deadline):
        while True:
            rem = deadline - mono()
            if rem <= 0:
                return
            if self.pipelined or rem < 0.002:
                time.sleep(rem)
                continue
            if self.peer_closed(rem - 0.001):
                self.gone()

    def check(self):
        if self.peer_closed(0):
            self.gone()


# --------------------------------------------------------------------------- handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-ollama"
    sys_version = ""

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.nreq = 0

    def log_message(self, fmt, *args):
        if not CFG.quiet:
            sys.stderr.write("fake-ollama %s %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        pass  # logged by our handlers with more detail

    def note(self, msg):
        if not CFG.quiet:
            sys.stderr.write(f"fake-ollama {self.command} {self.path} {msg}\n")

    # -- low-level replies
    def head_bytes(self, code, headers):
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "status code %d" % code
        ver = "HTTP/1.0" if self.request_version == "HTTP/1.0" else "HTTP/1.1"
        lines = [f"{ver} {code} {phrase}"] + [f"{k}: {v}" for k, v in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def reply(self, code, body=b"", ctype="application/json; charset=utf-8", extra=()):
        if isinstance(body, str):
            body = body.encode()
        hdrs = []
        if ctype:
            hdrs.append(("Content-Type", ctype))
        hdrs += list(extra)
        hdrs.append(("Date", self.date_time_string()))
        hdrs.append(("Content-Length", str(len(body))))
        if self.request_version == "HTTP/1.0":
            self.close_connection = True
        if self.close_connection:
            hdrs.append(("Connection", "close"))
        data = self.head_bytes(code, hdrs)
        if self.command != "HEAD":
            data += body
        try:
            self.connection.sendall(data)
        except OSError:
            self.close_connection = True
            raise ClientGone()
        self.note(f"{code}")

    def reply_json(self, code, obj):
        self.reply(code, go_json(obj))

    def not_found_route(self):
        self.reply(404, "404 page not found", "text/plain; charset=utf-8",
                   [("X-Content-Type-Options", "nosniff")])

    def abort_socket(self, rst):
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_WR)    # FIN first, whatever is unread
            self.rfile.close()          # drop makefile's reference so close() is real
            self.connection.close()
        except OSError:
            pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # -- routing
    def route_path(self):
        return self.path.split("?", 1)[0]

    def do_HEAD(self):
        self.nreq += 1
        p = self.route_path()
        if p == "/":
            self.reply(200, "Ollama is running", "text/plain; charset=utf-8")
        elif p in ("/api/version", "/api/tags"):
            self.reply(200, b"", "application/json; charset=utf-8")
        else:
            self.not_found_route()

    def do_GET(self):
        self.nreq += 1
        p = self.route_path()
        try:
            if p == "/":
                self.reply(200, "Ollama is running", "text/plain; charset=utf-8")
            elif p == "/api/version":
                self.reply_json(200, {"version": CFG.version})
            elif p == "/api/tags":
                self.reply_json(200, {"models": [public(model_info(m)) for m in CFG.model_names]})
            elif p == "/api/ps":
                self.reply_json(200, {"models": ps_list()})
            elif p == "/v1/models":
                now = int(time.time())
                self.reply_json(200, {"object": "list", "data": [
                    {"id": m, "object": "model", "created": now, "owned_by": "library"}
                    for m in CFG.model_names]})
            elif p.startswith("/v1/models/"):
                name = norm_model(p[len("/v1/models/"):])
                if name in CFG.model_names:
                    self.reply_json(200, {"id": name, "object": "model",
                                          "created": int(time.time()), "owned_by": "library"})
                else:
                    self.reply_json(404, oai_error(404, f"model '{name}' not found"))
            else:
                self.not_found_route()
        except ClientGone:
            pass

    def do_POST(self):
        t_req = mono()
        self.nreq += 1
        p = self.route_path()
        try:
            if p == "/api/generate":
                Generation(self, "generate", t_req).run()
            elif p == "/api/chat":
                Generation(self, "chat", t_req).run()
            elif p == "/v1/chat/completions":
                Generation(self, "openai", t_req).run()
            elif p == "/api/show":
                self.show()
            else:
                self.read_body()
                self.not_found_route()
        except ClientGone:
            self.close_connection = True

    def other(self):
        self.nreq += 1
        try:
            self.read_body()
            self.not_found_route()
        except ClientGone:
            self.close_connection = True

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = other

    def show(self):
        body = self.read_body()
        try:
            req = json.loads(body) if body else None
        except ValueError as e:
            return self.reply_json(400, {"error": f"invalid JSON: {e}"})
        if not isinstance(req, dict):
            return self.reply_json(400, {"error": "missing request body" if req is None
                                         else "json: cannot unmarshal into api.ShowRequest"})
        raw = req.get("model") or req.get("name") or ""
        if not raw:
            return self.reply_json(400, {"error": "model is required"})
        name, _ = lookup_model(raw)
        if name is None:
            return self.reply_json(404, {"error": f"model '{raw}' not found"})
        info = model_info(name)
        fam = info["details"]["family"]
        self.reply_json(200, {
            "license": "fake-ollama test model",
            "modelfile": f"# Modelfile generated by fake-ollama\nFROM {name}\n"
                         f"TEMPLATE \"{{{{ .Prompt }}}}\"\nPARAMETER temperature 1\n",
            "parameters": "temperature                    1\nstop                           \"<end_of_turn>\"",
            "template": "{{ .Prompt }}",
            "details": info["details"],
            "model_info": {"general.architecture": fam,
                           "general.parameter_count": info["params"],
                           f"{fam}.context_length": 131072,
                           f"{fam}.block_count": 40},
            "capabilities": info["capabilities"],
            "modified_at": info["modified_at"],
        })


def oai_error(code, msg):
    typ = {400: "invalid_request_error", 404: "not_found_error"}.get(code, "api_error")
    return {"error": {"message": msg, "type": typ, "param": None, "code": None}}


def ps_list():
    now = time.time()
    out = []
    with STATE_LOCK:
        for name, st in list(LOADED.items()):
            if st["expires"] <= now:
                del LOADED[name]
                continue
            info = model_info(name)
            ng = st.get("num_gpu")
            vram = info["size"] if ng is None or ng < 0 else int(info["size"] * min(ng, 40) / 40)
            exp = st["expires"] if st["expires"] != math.inf else now + 3650 * 86400
            out.append({"name": name, "model": name, "size": info["size"],
                        "digest": info["digest"], "details": info["details"],
                        "expires_at": go_time(int(exp * 1e9)), "size_vram": vram,
                        "context_length": st.get("num_ctx") or 4096, "_exp": st["expires"]})
    out.sort(key=lambda m: -m["_exp"])
    for m in out:
        del m["_exp"]
    return out


# --------------------------------------------------------------------------- generation

class Generation:
    def __init__(self, h, kind, t_req):
        self.h = h
        self.kind = kind                       # generate | chat | openai
        self.t_req = t_req
        self.out = None
        self.rec = {
            "path": h.route_path(), "model": None, "options": None, "stream": None,
            "think": None, "prompt_chars": 0, "prompt_eval_count": None, "status": None,
            "fault": None, "fault_after": None, "t_request_mono": t_req,
            "t_headers_mono": None, "t_first_piece_mono": None,
            "t_first_thinking_mono": None, "t_first_content_mono": None,
            "t_last_piece_mono": None, "t_done_mono": None, "t_client_closed_mono": None,
            "pieces": 0, "thinking_pieces": 0, "content_pieces": 0, "eval_count": 0,
            "eval_duration": 0, "load_duration": None, "prompt_eval_duration": None,
            "total_duration": None, "done_reason": None, "done_sent": False,
            "client_closed": False, "bytes_sent": 0,
            "client_port": h.client_address[1] if len(h.client_address) > 1 else None,
            "request_on_connection": h.nreq,
        }

    # -- error helpers
    def err(self, code, msg):
        self.rec["status"] = code
        if self.kind == "openai":
            self.h.reply_json(code, oai_error(code, msg))
        else:
            self.h.reply_json(code, {"error": msg})

    def run(self):
        try:
            self._run()
        except ClientGone:
            pass
        finally:
            o = self.out
            if o is not None:
                self.rec["bytes_sent"] = o.bytes
                self.rec["t_headers_mono"] = o.t_headers
                if o.client_gone:
                    self.rec["client_closed"] = True
                    self.rec["t_client_closed_mono"] = o.t_closed
                if o.closed:
                    self.h.close_connection = True
            if self.rec["t_done_mono"] is None:
                self.rec["t_done_mono"] = mono()
            write_record(self.rec)
            r = self.rec
            self.h.note(f"{r['status']} model={r['model']} fault={r['fault']} "
                        f"pieces={r['pieces']} closed={r['client_closed']} "
                        f"{r['t_done_mono'] - self.t_req:.3f}s")

    def opt(self, key, default=None):
        """Per-request fake_* override: options.key, then top-level key."""
        v = self.options.get(key) if isinstance(self.options, dict) else None
        if v is None:
            v = self.req.get(key)
        return default if v is None else v

    def _run(self):
        h, rec = self.h, self.rec
        body = h.read_body()
        if not body.strip():
            return self.err(400, "missing request body")
        try:
            req = json.loads(body)
        except ValueError as e:
            return self.err(400, f"invalid character in JSON body: {e}")
        if not isinstance(req, dict):
            return self.err(400, "json: cannot unmarshal %s into Go value of type api.Request"
                            % type(req).__name__)
        self.req = req
        kind = self.kind
        raw_model = req.get("model") if isinstance(req.get("model"), str) else ""
        rec["model"] = raw_model
        if kind == "openai":
            self.options = {k: req[k] for k in ("max_tokens", "max_completion_tokens",
                            "temperature", "top_p", "seed", "stop", "frequency_penalty",
                            "presence_penalty", "stream_options") if k in req}
            self.stream = bool(req.get("stream", False))
        else:
            self.options = req.get("options") if isinstance(req.get("options"), dict) else {}
            s = req.get("stream", True)
            self.stream = True if s is None else bool(s)
        rec["options"] = self.options
        rec["stream"] = self.stream
        rec["think"] = req.get("think", req.get("reasoning_effort"))

        # prompt size
        if kind == "generate":
            chars = [len(req.get("prompt") or ""), len(req.get("system") or "")]
            empty = not (req.get("prompt") or "")
        else:
            msgs = req.get("messages") if isinstance(req.get("messages"), list) else []
            chars = [len(text_of(m.get("content"))) for m in msgs if isinstance(m, dict)]
            empty = not msgs
        rec["prompt_chars"] = sum(chars)
        self.prompt_eval_count = prompt_tokens(chars, kind != "generate")
        rec["prompt_eval_count"] = self.prompt_eval_count

        # fault: header > options/top-level > model name > --fault
        name, name_fault = lookup_model(raw_model)
        fault = (h.headers.get("X-Fake-Fault") or self.opt("fake_fault") or name_fault
                 or CFG.fault or "none")
        fault = str(fault).strip().lower()
        if fault not in FAULTS and not MEGALINE_RE.match(fault):
            return self.err(400, f"fake-ollama: unknown fault '{fault}'")
        try:
            fault_after = int(h.headers.get("X-Fake-Fault-After")
                              or self.opt("fake_fault_after", CFG.fault_after))
        except (TypeError, ValueError):
            fault_after = CFG.fault_after
        rec["fault"] = fault
        rec["fault_after"] = fault_after if fault in MID_FAULTS else None
        self.fault = fault

        if fault == "refuse":
            rec["status"] = 0
            h.abort_socket(rst=False)
            return
        if not raw_model:
            return self.err(400, "model is required")
        if fault == "notfound" or name is None:
            return self.err(404, f"model '{raw_model}' not found")
        if kind != "openai":
            te = option_type_error(self.options)
            if te:
                return self.err(500, te)
        if fault == "empty403":
            rec["status"] = 403
            return h.reply(403, b"", None)
        if fault == "html502":
            rec["status"] = 502
            return h.reply(502, HTML_502, "text/html")
        if fault == "busy":
            return self.err(503, ERR_503)
        rec["model"] = raw_model
        self.name = name

        split = fault == "split-utf8"
        self.out = out = Out(h, split=split and self.stream)

        # ---- load (silent; counted in load_duration)
        load_ms = float(self.opt("fake_load_ms", CFG.load_ms))
        load_opts = {k: self.options.get(k) for k in LOAD_KEYS if k in self.options}
        with STATE_LOCK:
            lock = MODEL_LOCKS.setdefault(name, threading.Lock())
        while not lock.acquire(timeout=0.05):
            out.check()
        try:
            with STATE_LOCK:
                st = LOADED.get(name)
                cold = (CFG.always_load or st is None or st["expires"] <= time.time()
                        or st["load_opts"] != load_opts)
                if cold:
                    LOADED.pop(name, None)
            if cold and load_ms > 0:
                out.wait_until(self.t_req + load_ms / 1000.0)
            with STATE_LOCK:
                LOADED[name] = {"load_opts": load_opts, "expires": time.time() + 300,
                                "num_ctx": self.options.get("num_ctx"),
                                "num_gpu": self.options.get("num_gpu")}
        finally:
            lock.release()
        t_loaded = mono()
        self.load_duration = int((t_loaded - self.t_req) * 1e9)
        rec["load_duration"] = self.load_duration
        keep = parse_keep_alive(self.req.get("keep_alive"))

        if fault == "http500":
            return self.err(500, ERR_500)

        if empty and kind != "openai":   # load / unload request
            reason = "unload" if keep == 0 else "load"
            with STATE_LOCK:
                if keep == 0:
                    LOADED.pop(name, None)
                elif name in LOADED:
                    LOADED[name]["expires"] = time.time() + keep
            obj = {"model": raw_model, "created_at": go_time()}
            if kind == "chat":
                obj["message"] = {"role": "assistant", "content": ""}
            else:
                obj["response"] = ""
            obj.update({"done": True, "done_reason": reason})
            rec["done_reason"], rec["done_sent"] = reason, True
            rec["status"] = 200
            rec["t_done_mono"] = mono()
            return h.reply_json(200, obj)

        # ---- waiting for a slot (silent; only in total_duration)
        if fault == "slow-headers":
            out.wait_until(mono() + float(self.opt("fake_slow_ms", CFG.slow_ms)) / 1000.0)
        if SLOTS is not None:
            while not SLOTS.acquire(timeout=0.05):
                out.check()
        try:
            self.generate(out, keep)
        finally:
            if SLOTS is not None:
                SLOTS.release()
            with STATE_LOCK:
                if name in LOADED:
                    if keep == 0:
                        del LOADED[name]
                    else:
                        LOADED[name]["expires"] = time.time() + keep

    def generate(self, out, keep):
        rec, kind, fault = self.rec, self.kind, self.fault
        # ---- what to say
        seed = self.options.get("seed", self.req.get("seed"))
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            seed = CFG.seed
        ntok = self.opt("fake_tokens", CFG.tokens)
        ntok = None if ntok is None else int(ntok)
        answer = answer_pieces(seed, ntok, fault)
        think_flag = self.req.get("think")
        if kind == "openai" and think_flag is None:
            eff = self.req.get("reasoning_effort")
            if isinstance(self.req.get("reasoning"), dict):
                eff = self.req["reasoning"].get("effort", eff)
            think_flag = None if eff is None else (eff != "none")
        if think_flag is None:
            thinking = thinks_by_default(self.name) or fault == "think"
        else:
            thinking = think_flag not in (False, "false", "none", "", 0)
        n_think = int(self.opt("fake_think_tokens", CFG.think_tokens))
        if fault == "think":
            thinking = True
            n_think = n_think or DEFAULT_THINK_FOR_FAULT
        thoughts = think_pieces(n_think) if thinking else []
        seq = [(p, True) for p in thoughts] + [(p, False) for p in answer]
        limit = self.options.get("num_predict")
        if kind == "openai":
            limit = self.options.get("max_completion_tokens", self.options.get("max_tokens"))
        reason = "stop"
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0 \
                and len(seq) > limit:
            seq = seq[:int(limit)]
            reason = "length"
        rate = float(self.opt("fake_rate", CFG.rate))
        interval = 1.0 / rate if rate > 0 else 0.0
        ttft = float(self.opt("fake_ttft_ms", CFG.ttft_ms)) / 1000.0

        enc = Encoder(self, out)
        if self.stream:
            out.prepare(200, "text/event-stream" if kind == "openai"
                        else "application/x-ndjson")

        # ---- prefill (silent; prompt_eval_duration)
        t_pf0 = mono()
        out.wait_until(t_pf0 + ttft)
        t_pf1 = mono()
        self.prompt_eval_duration = int((t_pf1 - t_pf0) * 1e9)
        rec["prompt_eval_duration"] = self.prompt_eval_duration

        # ---- decode
        sent = 0
        mid = fault if fault in MID_FAULTS else None
        fault_after = rec["fault_after"]
        texts, thinks = [], []
        for i, (piece, is_think) in enumerate(seq):
            if mid and sent == fault_after:
                break
            out.wait_until(t_pf1 + i * interval)
            if self.stream:
                out.check()
            t = mono()
            if rec["t_first_piece_mono"] is None:
                rec["t_first_piece_mono"] = t
                if self.stream:
                    enc.first()
            if is_think:
                if rec["t_first_thinking_mono"] is None and piece:
                    rec["t_first_thinking_mono"] = t
                rec["thinking_pieces"] += 1
                thinks.append(piece)
            else:
                if rec["t_first_content_mono"] is None and piece:
                    rec["t_first_content_mono"] = t
                rec["content_pieces"] += 1
                texts.append(piece)
            rec["t_last_piece_mono"] = t
            sent += 1
            rec["pieces"] = sent
            rec["eval_count"] = sent
            rec["eval_duration"] = int((t - rec["t_first_piece_mono"]) * 1e9)
            if self.stream:
                enc.piece(piece, is_think)

        if mid:
            rec["status"] = 200 if out.head_sent else 0
            if mid == "error-mid":
                if out.head_sent:
                    enc.error(ERR_MID)
                    out.end()
                else:
                    self.err(500, ERR_MID)
                return
            if mid in ("reset", "truncate"):
                out.reset(rst=(mid == "reset"))
                return
            if mid == "stall":
                out.wait_until(mono() + CFG.stall_max_s)
                if self.stream:
                    out.end()
                else:
                    self.err(500, "fake-ollama: stall ended")
                return

        eval_count = sent
        if CFG.eval_extra and reason == "stop" and sent > 0:
            eval_count += CFG.eval_extra
        eval_duration = rec["eval_duration"]
        rec["eval_count"] = eval_count
        rec["done_reason"] = reason
        rec["status"] = 200
        stats = {"eval_count": eval_count, "eval_duration": eval_duration}

        if fault == "nodone":
            if self.stream:
                out.end()
            else:
                self.h.reply(200, enc.whole("".join(texts), "".join(thinks), None, stats))
            rec["t_done_mono"] = mono()
            return
        t_done = mono()
        stats["total_duration"] = int((t_done - self.t_req) * 1e9)
        rec["total_duration"] = stats["total_duration"]
        rec["t_done_mono"] = t_done
        rec["done_sent"] = True
        if self.stream:
            enc.final(reason, stats)
            out.end()
        else:
            body = enc.whole("".join(texts), "".join(thinks), reason, stats)
            if fault == "split-utf8":
                self.reply_split(body)
            else:
                self.h.reply(200, body)

    def reply_split(self, body):
        """stream:false + split-utf8: Content-Length body in pieces cut inside characters."""
        h = self.h
        body = body.encode() if isinstance(body, str) else body
        hdrs = [("Content-Type", "application/json; charset=utf-8"),
                ("Date", h.date_time_string()), ("Content-Length", str(len(body)))]
        data = h.head_bytes(200, hdrs)
        cuts = [j for j in range(1, len(body)) if 0x80 <= body[j] <= 0xBF][:8] or [len(body) // 2]
        prev = 0
        try:
            h.connection.sendall(data)
            for c in cuts + [len(body)]:
                h.connection.sendall(body[prev:c])
                prev = c
                time.sleep(0.005)
        except OSError:
            raise ClientGone()


class Encoder:
    """Turns pieces into wire lines for the three protocols."""

    def __init__(self, g, out):
        self.g, self.out, self.kind = g, out, g.kind
        REQ_COUNTER[0] += 1
        self.flavor = (g.h.headers.get("X-Fake-Flavor") or CFG.openai_flavor).lower()
        if self.flavor == "llamacpp":
            self.id = "chatcmpl-" + hashlib.md5(str(REQ_COUNTER[0]).encode()).hexdigest()
            self.fp = "b6000-fake"
        else:
            self.id = f"chatcmpl-{REQ_COUNTER[0] % 1000}"
            self.fp = "fp_ollama"
        self.created = int(time.time())
        self.model = g.rec["model"]

    def ndjson(self, obj):
        self.out.line((go_json(obj) + "\n").encode())

    def sse(self, obj):
        data = obj if isinstance(obj, str) else go_json(obj)
        self.out.line(("data: " + data + "\n\n").encode())

    def chunk(self, delta, finish=None, **extra):
        obj = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
               "model": self.model, "system_fingerprint": self.fp,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        obj.update(extra)
        return obj

    def first(self):
        if self.kind == "openai":
            content = None if self.flavor == "llamacpp" else ""
            self.sse(self.chunk({"role": "assistant", "content": content}))

    def piece(self, text, is_think):
        if self.kind == "openai":
            if is_think:
                key = "reasoning_content" if self.flavor == "llamacpp" else "reasoning"
                self.sse(self.chunk({key: text}))
            else:
                self.sse(self.chunk({"content": text}))
            return
        obj = {"model": self.model, "created_at": go_time()}
        if self.kind == "chat":
            msg = {"role": "assistant", "content": "" if is_think else text}
            if is_think:
                msg["thinking"] = text
            obj["message"] = msg
        else:
            obj["response"] = "" if is_think else text
            if is_think:
                obj["thinking"] = text
        obj["done"] = False
        self.ndjson(obj)

    def error(self, msg):
        if self.kind == "openai":
            typ = "server_error" if self.flavor == "llamacpp" else "api_error"
            code = 500 if self.flavor == "llamacpp" else None
            self.sse({"error": {"message": msg, "type": typ, "param": None, "code": code}})
        else:
            self.ndjson({"error": msg})

    def megabytes(self):
        m = MEGALINE_RE.match(self.g.fault)
        if not m:
            return 0
        return int(float(m.group(1) or 1.5) * 1024 * 1024)

    def context_json(self, count):
        nb = self.megabytes()
        if nb:
            return "[" + context_text(nb) + "]"
        r = random.Random(count)
        return "[" + ",".join(str(r.randint(2, 150000)) for _ in range(count)) + "]"

    def native_stats(self, reason, stats):
        g = self.g
        fields = [("done_reason", reason)]
        if self.kind == "generate" or self.megabytes():
            fields.append(("context", "__CTX__"))
        fields += [("total_duration", stats.get("total_duration")),
                   ("load_duration", g.load_duration),
                   ("prompt_eval_count", g.prompt_eval_count),
                   ("prompt_eval_duration", g.prompt_eval_duration),
                   ("eval_count", stats.get("eval_count")),
                   ("eval_duration", stats.get("eval_duration"))]
        return [(k, v) for k, v in fields if v]          # omitempty: zero means absent

    def with_ctx(self, obj):
        s = go_json(obj)
        if '"__CTX__"' in s:
            s = s.replace('"__CTX__"', self.context_json(
                self.g.prompt_eval_count + (self.g.rec["pieces"] or 0)), 1)
        return s

    def usage(self, stats):
        g = self.g
        u = {"prompt_tokens": g.prompt_eval_count, "completion_tokens": stats["eval_count"],
             "total_tokens": g.prompt_eval_count + stats["eval_count"]}
        return u

    def timings(self, stats):
        g = self.g
        pm = g.prompt_eval_duration / 1e6
        em = stats["eval_duration"] / 1e6
        n = stats["eval_count"]
        pn = g.prompt_eval_count
        return {"cache_n": 0, "prompt_n": pn, "prompt_ms": round(pm, 3),
                "prompt_per_token_ms": round(pm / pn, 3) if pn else 0,
                "prompt_per_second": round(pn / (pm / 1000), 3) if pm else 0,
                "predicted_n": n, "predicted_ms": round(em, 3),
                "predicted_per_token_ms": round(em / n, 3) if n else 0,
                "predicted_per_second": round(n / (em / 1000), 3) if em else 0}

    def final(self, reason, stats):
        if self.kind == "openai":
            extra = {}
            if self.megabytes():
                extra["x_fake_padding"] = "__CTX__"
            want_usage = isinstance(self.g.options.get("stream_options"), dict) and \
                self.g.options["stream_options"].get("include_usage")
            fin = self.chunk({}, reason, **extra)
            if self.flavor == "llamacpp" and not want_usage:
                fin["timings"] = self.timings(stats)
            self.out.line(("data: " + self.with_ctx(fin) + "\n\n").encode())
            if want_usage:
                u = self.chunk({}, None)
                u["choices"] = []
                u["usage"] = self.usage(stats)
                if self.flavor == "llamacpp":
                    u["timings"] = self.timings(stats)
                self.sse(u)
            if self.g.fault != "no-sentinel":
                self.sse("[DONE]")
            return
        obj = {"model": self.model, "created_at": go_time()}
        if self.kind == "chat":
            obj["message"] = {"role": "assistant", "content": ""}
        else:
            obj["response"] = ""
        obj["done"] = True
        obj.update(self.native_stats(reason, stats))
        self.out.line((self.with_ctx(obj) + "\n").encode())

    def whole(self, text, thinking, reason, stats):
        """stream:false body (str)."""
        if self.kind == "openai":
            msg = {"role": "assistant", "content": text}
            if thinking:
                msg["reasoning_content" if self.flavor == "llamacpp" else "reasoning"] = thinking
            obj = {"id": self.id, "object": "chat.completion", "created": self.created,
                   "model": self.model, "system_fingerprint": self.fp,
                   "choices": [{"index": 0, "message": msg, "finish_reason": reason}],
                   "usage": self.usage(stats)}
            if self.flavor == "llamacpp":
                obj["timings"] = self.timings(stats)
            if self.megabytes():
                obj["x_fake_padding"] = "__CTX__"
            return self.with_ctx(obj)
        obj = {"model": self.model, "created_at": go_time()}
        if self.kind == "chat":
            obj["message"] = {"role": "assistant", "content": text}
            if thinking:
                obj["message"]["thinking"] = thinking
        else:
            obj["response"] = text
            if thinking:
                obj["thinking"] = thinking
        obj["done"] = reason is not None
        if reason is not None:
            obj.update(self.native_stats(reason, stats))
        return self.with_ctx(obj)


def write_record(rec):
    if not CFG.record:
        return
    line = json.dumps(rec, ensure_ascii=False) + "\n"
    with RECORD_LOCK:
        with open(CFG.record, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()


# --------------------------------------------------------------------------- server

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ClientGone, TimeoutError)):
            return
        if not CFG.quiet:
            super().handle_error(request, client_address)


class Server6(Server):
    address_family = socket.AF_INET6


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="A local, controllable stand-in for Ollama.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the chosen port here (atomically)")
    ap.add_argument("--ttft-ms", type=float, default=300, help="prefill wait before the first piece")
    ap.add_argument("--rate", type=float, default=40, help="pieces per second (0: no wait)")
    ap.add_argument("--tokens", type=int, default=None,
                    help="answer pieces (default 400; whole --text-file when given)")
    ap.add_argument("--load-ms", type=float, default=0, help="silent model load on a cold model")
    ap.add_argument("--think-tokens", type=int, default=0, help="thinking pieces before the answer")
    ap.add_argument("--fault", default=None, help="one of: " + ", ".join(FAULTS) + ", megaline-<MB>")
    ap.add_argument("--fault-after", type=int, default=5, help="N pieces before a mid-stream fault")
    ap.add_argument("--slow-ms", type=float, default=3000, help="silent wait for --fault slow-headers")
    ap.add_argument("--stall-max-s", type=float, default=600, help="how long 'stall' keeps quiet")
    ap.add_argument("--record", help="append one JSON line per generation request")
    ap.add_argument("--text-file", help="stream this file's text instead of the report")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--version", default="0.12.6")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-extra", type=int, default=0,
                    help="add this to eval_count on a 'stop' (real Ollama counts EOS: 1)")
    ap.add_argument("--always-load", action="store_true",
                    help="pay --load-ms on every request, not only when the model is cold")
    ap.add_argument("--warm", action="store_true", help="start with every model loaded")
    ap.add_argument("--parallel", type=int, default=0,
                    help="generation slots (0 = unlimited); waiting shows in total_duration only")
    ap.add_argument("--openai-flavor", choices=("ollama", "llamacpp"), default="ollama")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.fault:
        a.fault = a.fault.lower()
        if a.fault not in FAULTS and not MEGALINE_RE.match(a.fault):
            ap.error(f"unknown fault {a.fault!r}")
    a.model_names = [norm_model(m) for m in a.models.split(",") if m.strip()]
    return a


def main(argv=None):
    global CFG, SLOTS
    CFG = parse_args(argv)
    if CFG.parallel > 0:
        SLOTS = threading.Semaphore(CFG.parallel)
    if CFG.text_file:
        file_pieces(CFG.text_file)          # fail early on a missing file
    if CFG.warm:
        for m in CFG.model_names:
            LOADED[m] = {"load_opts": {}, "expires": time.time() + 300,
                         "num_ctx": None, "num_gpu": None}
    cls = Server6 if ":" in CFG.host else Server
    httpd = cls((CFG.host, CFG.port), Handler)
    port = httpd.server_address[1]
    if CFG.port_file:
        tmp = f"{CFG.port_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, CFG.port_file)
    host = f"[{CFG.host}]" if ":" in CFG.host else CFG.host
    print(f"fake-ollama listening on http://{host}:{port}", flush=True)

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        httpd.server_close()
        if CFG.port_file:
            try:
                os.unlink(CFG.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
