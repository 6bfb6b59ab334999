#!/usr/bin/env python3
"""Self-test for tests/fake_ollama.py (standard library only).

    python3 tests/fake_ollama_selftest.py [-k NAME] [-v]

Starts the fake server (waits for its --port-file, no sleeps), talks to it with
http.client and raw sockets (to see the chunk framing, the timing and resets),
and checks the protocol, the timing figures, every fault and the --record file.
Prints `ok NAME (0.31 s)` / `FAIL NAME: reason`; exit status 0 when all pass.
FAKE_OLLAMA_TOL_SCALE=3 widens the timing tolerances on a loaded machine.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_ollama.py")
mono = time.monotonic
TOL = float(os.environ.get("FAKE_OLLAMA_TOL_SCALE", "1"))
MS = 0.001

RATE, TTFT_MS, LOAD_MS, TOKENS = 200.0, 100.0, 250.0, 40


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def near(actual, expected, tol, what):
    check(abs(actual - expected) <= tol,
          f"{what}: {actual:.6f} vs expected {expected:.6f} (tol {tol:.6f})")


# --------------------------------------------------------------------------- server control

class Fake:
    def __init__(self, tmp, name, *args):
        self.port_file = os.path.join(tmp, name + ".port")
        self.record = os.path.join(tmp, name + ".rec")
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        cmd = [sys.executable, SERVER, "--port", "0", "--port-file", self.port_file,
               "--record", self.record] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = mono() + 10
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None:
                raise RuntimeError("fake server exited early: see " + self.log.name)
            if mono() > deadline:
                raise RuntimeError("no port file after 10 s")
            time.sleep(0.01)   # polling for the file, not a fixed sleep
        self.port = int(open(self.port_file).read())
        self.banner = self.proc.stdout.readline().strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def records(self):
        try:
            with open(self.record) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def wait_record(self, pred, timeout=3.0):
        deadline = mono() + timeout * TOL
        while True:
            for r in reversed(self.records()):
                if pred(r):
                    return r
            if mono() > deadline:
                raise Fail("no matching record line")
            time.sleep(0.01)


# --------------------------------------------------------------------------- raw HTTP client

class Raw:
    """One request on a raw socket; exposes the chunk framing and arrival times."""

    def __init__(self, port, method, path, body=None, headers=None, version="HTTP/1.1",
                 sock=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.t0 = mono()
        self.s = sock or socket.create_connection(("127.0.0.1", port))
        self.local_port = self.s.getsockname()[1]
        h = {"Host": f"127.0.0.1:{port}", "Accept": "*/*"}
        if body is not None:
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        req = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
        self.s.sendall(req.encode() + b"\r\n" + (body or b""))
        self.buf = b""
        self.t_first_byte = None

    def fill(self):
        d = self.s.recv(1 << 20)
        t = mono()
        if not d:
            raise EOFError("connection closed by server")
        if self.t_first_byte is None:
            self.t_first_byte = t
        self.buf += d
        return t

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for ln in lines[1:]:
            k, v = ln.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        return self.status

    def read_chunk(self):
        """(data, time it was complete, size-line); b'' for the terminating chunk."""
        t = mono()
        while b"\r\n" not in self.buf:
            t = self.fill()
        size_line, rest = self.buf.split(b"\r\n", 1)
        check(size_line and all(c in b"0123456789abcdefABCDEF" for c in size_line),
              f"bad chunk size line {size_line[:40]!r}")
        n = int(size_line, 16)
        self.buf = rest
        while len(self.buf) < n + 2:
            t = self.fill()
        data, crlf, self.buf = self.buf[:n], self.buf[n:n + 2], self.buf[n + 2:]
        check(crlf == b"\r\n", f"chunk data not followed by CRLF: {crlf!r}")
        return data, t

    def read_chunks(self):
        chunks = []
        while True:
            data, t = self.read_chunk()
            if not data:
                return chunks
            chunks.append((data, t))

    def read_length_body(self):
        n = int(self.headers["content-length"])
        while len(self.buf) < n:
            self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return body

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def lines_of(chunks):
    """Reassemble chunk data and split into lines with the arrival time of each line end."""
    out, pending = [], b""
    for data, t in chunks:
        pending += data
        while b"\n" in pending:
            ln, pending = pending.split(b"\n", 1)
            out.append((ln, t))
    return out, pending


def sse_events(chunks):
    body = b"".join(d for d, _ in chunks).decode("utf-8")
    check(body.endswith("\n\n"), "SSE body does not end with a blank line")
    return [e for e in body.split("\n\n") if e]


def post(port, path, body, headers=None, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("POST", path, json.dumps(body) if not isinstance(body, (bytes, str)) else body,
              {"Content-Type": "application/json", **(headers or {})})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def get(port, path, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def gen_stream(port, body, headers=None):
    """Streamed /api/generate or /api/chat over a raw socket; returns (raw, objs, times)."""
    path = "/api/chat" if "messages" in body else "/api/generate"
    r = Raw(port, "POST", path, body, headers)
    check(r.read_head() == 200, f"status {r.status}")
    chunks = r.read_chunks()
    lines, rest = lines_of(chunks)
    check(rest == b"", f"bytes after the last newline: {rest[:60]!r}")
    objs = [json.loads(ln) for ln, _ in lines]
    r.close()
    return r, chunks, objs, [t for _, t in lines]


# --------------------------------------------------------------------------- tests

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def t_banner_and_simple_routes(A, B, tmp):
    check(A.banner == f"fake-ollama listening on http://127.0.0.1:{A.port}", A.banner)
    r, d = get(A.port, "/")
    check(r.status == 200 and d == b"Ollama is running", (r.status, d))
    r, d = get(A.port, "/", "HEAD")
    check(r.status == 200 and d == b"", "HEAD /")
    r, d = get(A.port, "/api/version")
    check(r.getheader("Content-Type") == "application/json; charset=utf-8", "version ctype")
    check(json.loads(d) == {"version": "0.12.6"}, d)
    r, d = get(A.port, "/api/nothing")
    check(r.status == 404 and d == b"404 page not found", (r.status, d))
    check(r.getheader("Content-Type").startswith("text/plain"), "404 ctype")
    r, d = get(A.port, "/api/generate")     # wrong method is a missing route too
    check(r.status == 404 and d == b"404 page not found", "GET /api/generate")


@test
def t_tags_show_v1_models(A, B, tmp):
    r, d = get(A.port, "/api/tags")
    models = json.loads(d)["models"]
    names = [m["name"] for m in models]
    check("gemma3:latest" in names and len(names) >= 3, names)
    for m in models:
        for k in ("name", "model", "modified_at", "size", "digest", "details"):
            check(k in m, f"tags entry lacks {k}")
        for k in ("format", "family", "families", "parameter_size", "quantization_level"):
            check(k in m["details"], f"details lacks {k}")
        check(isinstance(m["size"], int) and len(m["digest"]) == 64, "size/digest")
    r, d = post(A.port, "/api/show", {"model": "qwen3:8b"})
    s = json.loads(d)
    check(r.status == 200 and "thinking" in s["capabilities"], s.get("capabilities"))
    check(any(k.endswith(".context_length") for k in s["model_info"]), "model_info")
    r, d = post(A.port, "/api/show", {"model": "nope:1b"})
    check(r.status == 404 and json.loads(d) == {"error": "model 'nope:1b' not found"}, d)
    r, d = get(A.port, "/v1/models")
    v = json.loads(d)
    check(v["object"] == "list" and {m["id"] for m in v["data"]} == set(names), v)


@test
def t_errors_before_output(A, B, tmp):
    r, d = post(A.port, "/api/generate", {"model": "llama9:70b", "prompt": "hi"})
    check(r.status == 404 and d == b'{"error":"model \'llama9:70b\' not found"}', d)
    check(r.getheader("Content-Type") == "application/json; charset=utf-8", "ctype")
    r, d = post(A.port, "/api/chat", {"model": "llama9:70b", "messages": [{"role": "user", "content": "hi"}]})
    check(r.status == 404 and json.loads(d)["error"] == "model 'llama9:70b' not found", d)
    r, d = post(A.port, "/v1/chat/completions", {"model": "llama9:70b", "messages": [], "stream": True})
    check(r.status == 404 and json.loads(d) == {"error": {
        "message": "model 'llama9:70b' not found", "type": "not_found_error",
        "param": None, "code": None}}, d)
    r, d = post(A.port, "/api/generate", b'{"model": "gemma3", "prompt": ')
    check(r.status == 400 and "error" in json.loads(d), (r.status, d))
    r, d = post(A.port, "/v1/chat/completions", b"{nope")
    check(r.status == 400 and json.loads(d)["error"]["type"] == "invalid_request_error", d)
    r, d = post(A.port, "/api/generate", b"")
    check(r.status == 400 and json.loads(d) == {"error": "missing request body"}, d)
    r, d = post(A.port, "/api/generate", {"prompt": "x"})
    check(r.status == 400 and json.loads(d) == {"error": "model is required"}, d)
    r, d = post(A.port, "/api/generate", {"model": "gemma3", "prompt": "x",
                                          "options": {"num_predict": "ten"}})
    check(r.status == 500, f"wrong option type: {r.status}")


@test
def t_stream_generate_timing(A, B, tmp):
    """Cold model: framing, headers, every figure against the client's own clock."""
    n = 80
    body = {"model": "llama3.2:3b", "prompt": "Why is the sky blue? One line.", "stream": True,
            "options": {"fake_tokens": n, "seed": 7}}
    r, chunks, objs, times = gen_stream(A.port, body)
    h = r.headers
    check(h.get("content-type") == "application/x-ndjson", h)
    check(h.get("transfer-encoding") == "chunked" and "content-length" not in h, h)
    check(all(d.endswith(b"\n") and d.count(b"\n") == 1 for d, _ in chunks),
          "expected exactly one NDJSON line per chunk")
    check(objs[-1]["done"] is True and all(o["done"] is False for o in objs[:-1]), "done last")
    pieces = objs[:-1]
    check(len(pieces) == n, f"{len(pieces)} pieces")
    check(all(set(o) == {"model", "created_at", "response", "done"} for o in pieces), pieces[0])
    check(pieces[0]["response"] and pieces[0]["created_at"].endswith("Z"), pieces[0])
    fin = objs[-1]
    for k in ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
              "eval_count", "eval_duration"):
        check(type(fin[k]) is int and fin[k] > 0, f"{k}={fin.get(k)!r} must be a positive int")
    check(fin["done_reason"] == "stop" and fin["response"] == "", fin)
    check(isinstance(fin["context"], list), "context")
    check(fin["eval_count"] == n, f"eval_count {fin['eval_count']}")
    t_first, t_last, t_done = times[0], times[-2], times[-1]
    # server-side figures vs the client's clock
    near(fin["load_duration"] / 1e9, LOAD_MS * MS, 0.015 * TOL, "load_duration")
    near(fin["prompt_eval_duration"] / 1e9, TTFT_MS * MS, 0.010 * TOL, "prompt_eval_duration")
    near(t_first - r.t0, (LOAD_MS + TTFT_MS) * MS, 0.025 * TOL, "client TTFT")
    near(fin["eval_duration"] / 1e9, t_last - t_first, 0.005 * TOL, "eval_duration vs client")
    near(fin["total_duration"] / 1e9, t_done - r.t0, 0.010 * TOL, "total_duration vs client")
    check(fin["total_duration"] / 1e9 <= t_done - r.t0, "total_duration longer than the client saw")
    server_rate = fin["eval_count"] / (fin["eval_duration"] / 1e9)
    near(server_rate, RATE * n / (n - 1), RATE * 0.02 * TOL, "eval_count/eval_duration")
    live = (n - 1) / (t_last - t_first)
    near(live, RATE, RATE * 0.03 * TOL, "live rate seen by the client")
    # the record: same figures, and times on the shared CLOCK_MONOTONIC
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["eval_duration"] == fin["eval_duration"] and rec["eval_count"] == n, rec)
    check(rec["total_duration"] == fin["total_duration"], "record total_duration")
    check(r.t0 <= rec["t_request_mono"] <= rec["t_first_piece_mono"] <= t_first, "clock order")
    near(rec["t_first_piece_mono"], t_first, 0.005 * TOL, "record first piece vs arrival")
    near(rec["t_first_content_mono"], rec["t_first_piece_mono"], 1e-9, "first content")
    check(rec["client_closed"] is False and rec["done_sent"] is True, rec)
    check(rec["prompt_eval_count"] == fin["prompt_eval_count"], "prompt_eval_count")
    # determinism, and the report material
    _, _, objs2, _ = gen_stream(A.port, body)
    text = "".join(o["response"] for o in objs[:-1])
    check(text == "".join(o["response"] for o in objs2[:-1]), "same seed, different text")
    _, _, objs3, _ = gen_stream(A.port, dict(body, options={"fake_tokens": 400, "seed": 7}))
    full = "".join(o["response"] for o in objs3[:-1])
    check(full.startswith(text), "a longer answer must extend the shorter one")
    for needle in ("## Executive Summary", "Key finding:", "We recommend", "| Model |",
                   "**", "`", "—", "中文", "🚀", "é"):
        check(needle in full, f"report lacks {needle!r}")
    fin3 = objs3[-1]
    check(fin3["load_duration"] < 5e6, f"warm model load_duration {fin3['load_duration']}")


@test
def t_keepalive_and_stream_false(A, B, tmp):
    c = http.client.HTTPConnection("127.0.0.1", A.port, timeout=10)
    texts, ports = [], []
    for stream in (True, False):
        c.request("POST", "/api/generate", json.dumps({
            "model": "gemma3", "prompt": "hello", "stream": stream,
            "options": {"fake_tokens": 12, "seed": 3}}))
        r = c.getresponse()
        d = r.read()
        ports.append(c.sock.getsockname()[1])
        if stream:
            check(r.getheader("Transfer-Encoding") == "chunked", "chunked")
            objs = [json.loads(x) for x in d.decode().splitlines()]
            texts.append("".join(o["response"] for o in objs))
        else:
            check(r.getheader("Content-Type") == "application/json; charset=utf-8", "ctype")
            check(r.getheader("Content-Length") == str(len(d)), "content-length")
            o = json.loads(d)
            check(o["done"] is True and o["eval_count"] == 12 and o["done_reason"] == "stop", o)
            texts.append(o["response"])
    check(texts[0] == texts[1], "stream:false text differs from the streamed text")
    check(ports[0] == ports[1], "connection was not reused")
    A.wait_record(lambda x: x["client_port"] == ports[0] and x["request_on_connection"] == 2)
    recs = [x for x in A.records() if x["client_port"] == ports[0]]
    check([x["request_on_connection"] for x in recs] == [1, 2], recs)
    # Connection: close is honoured
    r = Raw(A.port, "GET", "/api/version", headers={"Connection": "close"})
    r.read_head()
    check(r.headers.get("connection") == "close", r.headers)
    r.read_length_body()
    try:
        r.fill()
        raise Fail("server kept the connection after Connection: close")
    except EOFError:
        pass
    r.close()
    # HTTP/1.0: no chunking, body until close
    r = Raw(A.port, "POST", "/api/generate", {"model": "gemma3", "prompt": "x",
            "options": {"fake_tokens": 3}}, version="HTTP/1.0")
    r.read_head()
    check("transfer-encoding" not in r.headers, "chunked to an HTTP/1.0 client")
    try:
        while True:
            r.fill()
    except EOFError:
        pass
    check(json.loads(r.buf.decode().splitlines()[-1])["done"] is True, "HTTP/1.0 body")
    r.close()


@test
def t_chat_and_thinking(A, B, tmp):
    body = {"model": "gemma3", "messages": [{"role": "user", "content": "Analyse this."}],
            "think": True, "options": {"fake_tokens": 6, "fake_think_tokens": 4}}
    r, chunks, objs, times = gen_stream(A.port, body)
    th = [o for o in objs if o["message"].get("thinking")]
    check(len(th) == 4 and objs.index(th[-1]) == 3, "4 thinking lines first")
    check(all(o["message"]["content"] == "" and o["message"]["role"] == "assistant" for o in th), th)
    ans = objs[4:-1]
    check(len(ans) == 6 and all("thinking" not in o["message"] for o in ans), ans)
    fin = objs[-1]
    check(fin["done"] and fin["message"] == {"role": "assistant", "content": ""}, fin)
    check("context" not in fin and fin["eval_count"] == 10, fin)
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["t_first_thinking_mono"] < rec["t_first_content_mono"], rec)
    near(rec["t_first_content_mono"] - rec["t_first_thinking_mono"], 4 / RATE, 0.004 * TOL,
         "thinking pieces at the rate")
    # qwen3* thinks by default; think:false turns it off
    _, _, objs, _ = gen_stream(A.port, {"model": "qwen3:8b", "prompt": "x",
                                        "options": {"fake_tokens": 3, "fake_think_tokens": 2}})
    check([bool(o.get("thinking")) for o in objs] == [True, True, False, False, False, False],
          objs)
    check(objs[0]["response"] == "", "thinking line carries empty response")
    _, _, objs, _ = gen_stream(A.port, {"model": "qwen3:8b", "prompt": "x", "think": False,
                                        "options": {"fake_tokens": 3, "fake_think_tokens": 2}})
    check(not any(o.get("thinking") for o in objs), "think:false")


@test
def t_length_load_unload_ps(A, B, tmp):
    _, _, objs, _ = gen_stream(A.port, {"model": "gemma3", "prompt": "x",
                                        "options": {"num_predict": 7}})
    check(objs[-1]["done_reason"] == "length" and objs[-1]["eval_count"] == 7, objs[-1])
    r, d = post(A.port, "/api/generate", {"model": "gemma3:1b", "prompt": ""})
    o = json.loads(d)
    check(o["done"] is True and o["done_reason"] == "load", o)
    _, d = get(A.port, "/api/ps")
    check("gemma3:1b" in [m["name"] for m in json.loads(d)["models"]], d)
    r, d = post(A.port, "/api/chat", {"model": "gemma3:1b", "messages": [], "keep_alive": 0})
    check(json.loads(d)["done_reason"] == "unload", d)
    _, d = get(A.port, "/api/ps")
    check("gemma3:1b" not in [m["name"] for m in json.loads(d)["models"]], d)
    # a load-time option change forces a reload (load_duration again)
    for num_ctx, cold in ((2048, True), (2048, False), (4096, True)):
        _, d = post(A.port, "/api/generate", {"model": "gemma3:1b", "prompt": "x", "stream": False,
                    "options": {"num_ctx": num_ctx, "fake_tokens": 1, "fake_ttft_ms": 0}})
        ld = json.loads(d)["load_duration"] / 1e9
        if cold:
            near(ld, LOAD_MS * MS, 0.015 * TOL, f"cold load num_ctx={num_ctx}")
        else:
            check(ld < 0.005, f"warm load_duration {ld}")


@test
def t_openai_sse(A, B, tmp):
    body = {"model": "gemma3", "messages": [{"role": "user", "content": "hi"}], "stream": True,
            "stream_options": {"include_usage": True}, "fake_tokens": 5}
    r = Raw(A.port, "POST", "/v1/chat/completions", body)
    check(r.read_head() == 200 and r.headers["content-type"] == "text/event-stream", r.headers)
    ev = sse_events(r.read_chunks())
    r.close()
    check(ev[-1] == "data: [DONE]", ev[-1])
    objs = [json.loads(e[len("data: "):]) for e in ev[:-1]]
    check(all(e.startswith("data: ") for e in ev), "data: prefix")
    first, content, fin, usage = objs[0], objs[1:-2], objs[-2], objs[-1]
    check(first["choices"][0]["delta"] == {"role": "assistant", "content": ""}, first)
    check(first["object"] == "chat.completion.chunk" and first["system_fingerprint"] == "fp_ollama", first)
    check(len(content) == 5 and all(c["choices"][0]["delta"].get("content") for c in content), content)
    check(all(c["choices"][0]["finish_reason"] is None for c in content), "finish_reason null")
    check(fin["choices"][0]["delta"] == {} and fin["choices"][0]["finish_reason"] == "stop", fin)
    check(usage["choices"] == [] and usage["usage"]["completion_tokens"] == 5, usage)
    check(usage["usage"]["total_tokens"] == usage["usage"]["prompt_tokens"] + 5, usage)
    # without include_usage: no usage chunk; max_tokens → length
    body2 = dict(body, stream_options=None, max_tokens=3)
    r = Raw(A.port, "POST", "/v1/chat/completions", body2)
    r.read_head()
    ev = sse_events(r.read_chunks())
    r.close()
    objs = [json.loads(e[6:]) for e in ev[:-1]]
    check(objs[-1]["choices"][0]["finish_reason"] == "length" and len(objs) == 5, objs[-1])
    check(not any("usage" in o for o in objs), "usage without include_usage")
    # stream absent → one chat.completion object
    r, d = post(A.port, "/v1/chat/completions", {"model": "gemma3", "fake_tokens": 4,
                "messages": [{"role": "user", "content": "hi"}]})
    o = json.loads(d)
    check(o["object"] == "chat.completion" and o["usage"]["completion_tokens"] == 4, o)
    check(o["choices"][0]["finish_reason"] == "stop" and o["choices"][0]["message"]["content"], o)
    # llama.cpp flavour: null content in the first chunk, reasoning_content, timings
    r = Raw(A.port, "POST", "/v1/chat/completions", dict(body, think=True, fake_think_tokens=2),
            {"X-Fake-Flavor": "llamacpp"})
    r.read_head()
    objs = [json.loads(e[6:]) for e in sse_events(r.read_chunks())[:-1]]
    r.close()
    check(objs[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}, objs[0])
    check("reasoning_content" in objs[1]["choices"][0]["delta"], objs[1])
    t = objs[-1]["timings"]
    check(t["predicted_n"] == 7 and t["prompt_n"] == objs[-1]["usage"]["prompt_tokens"], t)
    near(t["predicted_per_second"], RATE * 7 / 6, RATE * 0.05 * TOL, "timings rate")


def fault_stream(A, fault, extra_opts=None, path="/api/generate", how="header", tokens=12):
    opts = {"fake_tokens": tokens, **(extra_opts or {})}
    headers = {}
    model = "gemma3"
    if how == "header":
        headers["X-Fake-Fault"] = fault
    elif how == "option":
        opts["fake_fault"] = fault
    elif how == "model":
        model = "fault-" + fault
    if path == "/v1/chat/completions":
        body = {"model": model, "messages": [{"role": "user", "content": "x"}], "stream": True,
                "stream_options": {"include_usage": True}, **opts}
    else:
        body = {"model": model, "prompt": "x", "options": opts}
    return Raw(A.port, "POST", path, body, headers)


@test
def t_fault_status_errors(A, B, tmp):
    for fault, status in (("notfound", 404), ("http500", 500), ("busy", 503),
                          ("html502", 502), ("empty403", 403)):
        r = fault_stream(A, fault, how="option")
        check(r.read_head() == status, f"{fault}: {r.status}")
        body = r.read_length_body()
        r.close()
        if fault == "http500":
            check(json.loads(body) == {"error": "llama runner process has terminated: signal: killed"}, body)
        if fault == "html502":
            check(body.startswith(b"<html>") and r.headers["content-type"] == "text/html", body)
        if fault == "empty403":
            check(body == b"", body)
    r = fault_stream(A, "http500", path="/v1/chat/completions")
    r.read_head()
    e = json.loads(r.read_length_body())["error"]
    r.close()
    check(r.status == 500 and e["type"] == "api_error" and "killed" in e["message"], e)
    # refuse: the connection closes without a single byte
    r = fault_stream(A, "refuse")
    try:
        r.fill()
        raise Fail("refuse sent bytes")
    except EOFError:
        pass
    r.close()
    try:
        post(A.port, "/api/generate", {"model": "gemma3", "prompt": "x"}, {"X-Fake-Fault": "refuse"})
        raise Fail("refuse gave a response to http.client")
    except http.client.RemoteDisconnected:
        pass


@test
def t_fault_error_mid(A, B, tmp):
    for how in ("header", "option", "model"):
        r = fault_stream(A, "error-mid", how=how)
        check(r.read_head() == 200, r.status)
        lines, rest = lines_of(r.read_chunks())   # ends with the terminating chunk
        r.close()
        objs = [json.loads(x) for x, _ in lines]
        check(len(objs) == 6 and objs[-1] == {"error": "an error was encountered while "
              "running the model: unexpected EOF"} and not any(o.get("done") for o in objs), objs)
    r = fault_stream(A, "error-mid", {"fake_fault_after": 2}, path="/v1/chat/completions")
    r.read_head()
    ev = sse_events(r.read_chunks())
    r.close()
    check(len(ev) == 4 and "[DONE]" not in ev[-1], ev)       # role, 2 content, error
    check(json.loads(ev[-1][6:])["error"]["message"].startswith("an error"), ev[-1])
    r, d = post(A.port, "/api/generate", {"model": "gemma3", "prompt": "x", "stream": False,
                "options": {"fake_fault": "error-mid", "fake_tokens": 10}})
    check(r.status == 500 and "unexpected EOF" in json.loads(d)["error"], d)


@test
def t_fault_reset(A, B, tmp):
    r = fault_stream(A, "reset", {"fake_fault_after": 4})
    r.read_head()
    got = []
    try:
        while True:
            data, _ = r.read_chunk()
            check(data != b"", "terminating chunk after reset")
            got.append(data)
    except ConnectionResetError:
        pass
    except EOFError:
        raise Fail("clean FIN instead of RST")
    r.close()
    check(len(got) == 4, f"{len(got)} chunks before the reset")
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["fault"] == "reset" and rec["pieces"] == 4 and not rec["done_sent"], rec)
    check(rec["client_closed"] is False, "a server reset is not a client close")
    # truncate: clean FIN, no terminating chunk
    r = fault_stream(A, "truncate", {"fake_fault_after": 3})
    r.read_head()
    got = []
    try:
        while True:
            data, _ = r.read_chunk()
            check(data != b"", "terminating chunk after truncate")
            got.append(data)
    except EOFError:
        pass
    r.close()
    check(len(got) == 3, f"{len(got)} chunks before the truncation")
    c = http.client.HTTPConnection("127.0.0.1", A.port, timeout=10)
    c.request("POST", "/api/generate", json.dumps({"model": "gemma3", "prompt": "x"}),
              {"X-Fake-Fault": "reset"})
    resp = c.getresponse()
    try:
        resp.read()
        raise Fail("http.client read a reset body without error")
    except (http.client.IncompleteRead, ConnectionResetError):
        pass
    c.close()


@test
def t_fault_stall_and_client_close(A, B, tmp):
    r = fault_stream(A, "stall", {"fake_fault_after": 3})
    r.read_head()
    for _ in range(3):
        check(r.read_chunk()[0], "expected a piece")
    r.s.settimeout(0.8 * TOL)
    try:
        r.fill()
        raise Fail(f"stall sent more bytes: {r.buf[:80]!r}")
    except socket.timeout:
        pass
    t_close = mono()
    r.close()
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["client_closed"] is True and rec["pieces"] == 3 and rec["fault"] == "stall", rec)
    check(0 <= rec["t_client_closed_mono"] - t_close < 0.1 * TOL, "close noticed late")
    # a plain disconnect mid-stream (what Esc does)
    r = Raw(A.port, "POST", "/api/chat", {"model": "gemma3", "messages": [
        {"role": "user", "content": "x"}], "options": {"fake_tokens": 400}})
    r.read_head()
    for _ in range(5):
        r.read_chunk()
    t_close = mono()
    r.close()
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["client_closed"] is True and 5 <= rec["pieces"] <= 7, rec)
    check(rec["t_client_closed_mono"] - t_close < 0.02 * TOL, "disconnect noticed late")
    check(rec["done_sent"] is False and rec["eval_duration"] > 0, rec)
    # a disconnect during the silent prefill is recorded too
    r = Raw(A.port, "POST", "/api/generate", {"model": "gemma3", "prompt": "x",
            "options": {"fake_ttft_ms": 5000}})
    time.sleep(0.1)   # let the request reach the prefill wait
    r.close()
    rec = A.wait_record(lambda x: x["client_port"] == r.local_port)
    check(rec["client_closed"] and rec["pieces"] == 0 and rec["t_headers_mono"] is None, rec)


@test
def t_fault_nodone_nosentinel(A, B, tmp):
    r = fault_stream(A, "nodone")
    r.read_head()
    lines, rest = lines_of(r.read_chunks())
    r.close()
    objs = [json.loads(x) for x, _ in lines]
    check(len(objs) == 12 and not any(o["done"] for o in objs), objs[-1])
    r = fault_stream(A, "nodone", path="/v1/chat/completions")
    r.read_head()
    ev = sse_events(r.read_chunks())
    r.close()
    check(len(ev) == 13 and "[DONE]" not in ev[-1] and '"finish_reason":null' in ev[-1], ev[-1])
    r = fault_stream(A, "no-sentinel", path="/v1/chat/completions")
    r.read_head()
    ev = sse_events(r.read_chunks())
    r.close()
    check('"finish_reason":"stop"' in ev[-2] and '"usage"' in ev[-1] and "[DONE]" not in ev[-1], ev[-2:])


@test
def t_fault_split_utf8(A, B, tmp):
    r = fault_stream(A, "split-utf8", tokens=20)
    r.read_head()
    chunks = r.read_chunks()
    r.close()
    datas = [d for d, _ in chunks]

    def valid(b):
        try:
            b.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    check(sum(not valid(d) for d in datas) >= 3, "no chunk cut a multi-byte character")
    check(sum(not d.endswith(b"\n") for d in datas) >= 10, "chunks end on line boundaries")
    body = b"".join(datas).decode("utf-8")        # must reassemble to valid UTF-8
    objs = [json.loads(x) for x in body.splitlines()]
    check(objs[-1]["done"] is True and len(objs) == 21, len(objs))
    text = "".join(o["response"] for o in objs)
    check("中文" in text and "🚀" in text and "Résumé" in text, text[:80])
    r, d = post(A.port, "/api/generate", {"model": "gemma3", "prompt": "x", "stream": False,
                "options": {"fake_fault": "split-utf8", "fake_tokens": 10}})
    check(json.loads(d)["response"].startswith("Résumé — 中文 🚀"), d[:80])


@test
def t_fault_escapes(A, B, tmp):
    r = fault_stream(A, "escapes", tokens=20)
    r.read_head()
    raw = b"".join(d for d, _ in r.read_chunks())
    r.close()
    check(not any(b < 0x20 and b != 0x0A for b in raw), "raw control byte on the wire")
    objs = [json.loads(x) for x in raw.decode().splitlines()]
    pieces = [o["response"] for o in objs[:-1]]
    for want in ("\x1b[2J", "\x1b]0;pwned\x07", "\r", "\b", "\u202e"):
        check(any(want in p for p in pieces), f"missing {want!r}")
    check("\u202e".encode() in raw, "U+202E is sent as raw UTF-8")


@test
def t_fault_megaline(A, B, tmp):
    for fault, size in (("megaline", 1.5e6), ("megaline-20", 20 * 1024 * 1024)):
        r = fault_stream(A, fault, tokens=3)
        r.read_head()
        lines, rest = lines_of(r.read_chunks())
        r.close()
        check(rest == b"" and len(lines) == 4, len(lines))
        last = lines[-1][0]
        check(len(last) >= size, f"{fault}: final line is {len(last)} bytes")
        fin = json.loads(last)
        check(fin["done"] is True and len(fin["context"]) > size / 8, "context")


@test
def t_fault_slow_headers_and_think(A, B, tmp):
    r = fault_stream(A, "slow-headers", {"fake_slow_ms": 400})
    r.read_head()
    t_head = r.t_first_byte
    lines, _ = lines_of(r.read_chunks())
    r.close()
    near(t_head - r.t0, 0.4 + TTFT_MS * MS, 0.03 * TOL, "time to the first byte")
    fin = json.loads(lines[-1][0])
    check(fin["load_duration"] < 5e6, "slot wait counted as load")
    check(fin["total_duration"] >= (400 + TTFT_MS) * 1e6, "total_duration misses the wait")
    r = fault_stream(A, "think", how="option", tokens=3)
    r.read_head()
    lines, _ = lines_of(r.read_chunks())
    r.close()
    objs = [json.loads(x) for x, _ in lines]
    check(sum(1 for o in objs if o.get("thinking")) == 24 and objs[0]["thinking"], objs[0])


@test
def t_concurrency(A, B, tmp):
    res, errs = [], []

    def one(i):
        try:
            _, _, objs, _ = gen_stream(A.port, {"model": "gemma3", "prompt": f"p{i}",
                                                "options": {"fake_tokens": 40}})
            res.append(objs[-1]["eval_count"])
        except Exception as e:   # noqa: BLE001 - collected and reported below
            errs.append(repr(e))
    t0 = mono()
    ths = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    dt = mono() - t0
    check(not errs and res == [40] * 6, (errs, res))
    check(dt < (TTFT_MS * MS + 40 / RATE) * 1.8 * TOL, f"6 parallel streams took {dt:.2f}s")


@test
def t_cli_flags_and_sigterm(A, B, tmp):
    """Server B: --fault reset --fault-after 2 --text-file --eval-extra 1 --openai-flavor llamacpp."""
    r = Raw(B.port, "POST", "/api/generate", {"model": "a", "prompt": "x"})
    r.read_head()
    n = 0
    try:
        while r.read_chunk()[0]:
            n += 1
    except ConnectionResetError:
        pass
    r.close()
    check(n == 2, f"--fault reset --fault-after 2 gave {n} chunks")
    _, _, objs, _ = gen_stream(B.port, {"model": "b:7b", "prompt": "x"}, {"X-Fake-Fault": "none"})
    text = "".join(o["response"] for o in objs)
    check(text == open(os.path.join(tmp, "text.txt"), encoding="utf-8").read(), text)
    check(objs[-1]["eval_count"] == len(objs) - 1 + 1, "--eval-extra 1")
    r, d = get(B.port, "/api/version")
    check(json.loads(d)["version"] == "0.9.0", d)
    t = mono()
    B.proc.send_signal(signal.SIGTERM)
    rc = B.proc.wait(5)
    check(rc == 0 and mono() - t < 2, f"SIGTERM: rc={rc}")
    check(not os.path.exists(B.port_file), "port file left behind")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[], help="run tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="show the server logs on failure")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fake-ollama-selftest-")
    with open(os.path.join(tmp, "text.txt"), "w", encoding="utf-8") as f:
        f.write("Hello from a text file — café 中文 🚀.\nKey finding: it streams.\n")
    t_all = mono()
    A = B = None
    failed = 0
    try:
        A = Fake(tmp, "A", "--rate", str(RATE), "--ttft-ms", str(TTFT_MS), "--load-ms",
                 str(LOAD_MS), "--tokens", str(TOKENS), "--quiet")
        B = Fake(tmp, "B", "--fault", "reset", "--fault-after", "2", "--models", "a:latest,b:7b",
                 "--text-file", os.path.join(tmp, "text.txt"), "--eval-extra", "1",
                 "--openai-flavor", "llamacpp", "--version", "0.9.0", "--quiet")
        for fn in TESTS:
            name = fn.__name__[2:]
            if a.k and not any(k in name for k in a.k):
                continue
            t = mono()
            try:
                fn(A, B, tmp)
                print(f"ok {name} ({mono() - t:.2f} s)", flush=True)
            except Exception as e:   # noqa: BLE001 - report and continue
                failed += 1
                msg = str(e) if isinstance(e, Fail) else traceback.format_exc()
                print(f"FAIL {name}: {msg}", flush=True)
    finally:
        for s in (A, B):
            if s:
                s.stop()
        if failed and a.v:
            for n in ("A", "B"):
                p = os.path.join(tmp, n + ".log")
                if os.path.exists(p):
                    print(f"--- server {n} log ---\n" + open(p).read())
        shutil.rmtree(tmp, ignore_errors=True)
    total = mono() - t_all
    print(f"{'FAILED' if failed else 'passed'}: {len(TESTS) - failed if not a.k else '-'} ok, "
          f"{failed} failed in {total:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
