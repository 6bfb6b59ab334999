#!/usr/bin/env python3
"""Generate chimera's synthetic sample tree of LLM benchmark artifacts.

Usage: gen_tree.py DEST [--edge-cases] [--files N] [--seed S] [--expect-json FILE]

The tree looks like a real Ollama benchmarking workspace (reports/, csv_data/,
artifacts/), but every number and sentence is made up here. The output is
deterministic for a given seed, and every file, directory and symlink gets a
fixed mtime in 2025. DEST is only deleted if it holds the `.chimera-sample`
marker that this script writes, or if it is an empty directory.

stdout shows counts per top folder and what the SPEC §5 ingest walk should
find. --expect-json writes the same data as JSON, for tests to compare with
`chimera inventory --json` (give a path outside DEST).
--files N sets the number of regular files (not counting the marker or the
edge cases). N below the default size keeps the first N default files; N
above it adds small generated files under reports/sweeps/ and csv_data/archive/.
"""
import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
import time

MARKER = b".chimera-sample"
INGEST = {b"reports": (b"csv", b"json", b"md"), b"csv_data": (b"csv", b"json")}
TYPES = (("csv", b"csv", "CSV"), ("json", b"json", "JSON"), ("markdown", b"md", "MARKDOWN"))
DAY = 86400
PROMPTS = [
    "Summarise the changelog of a file-sync tool in three bullets.",
    "Explain a race condition to a junior engineer.",
    "Write a haiku about cache misses.",
    "List three risks of raising num_ctx on a laptop GPU.",
    "Draft release notes for a new --dry-run flag.",
]
FAMILIES = {  # folder -> (model tag, typical tok/s)
    "gemma3": [("gemma3:270m", 285.0), ("gemma3:1b-it-qat", 176.0), ("gemma3:latest", 101.0)],
    "llama3": [("llama3.1:8b-instruct-q4_0", 77.0), ("llama3.1:8b-instruct-q5_K_M", 65.0),
               ("llama3.1:8b-instruct-q8_0", 47.0)],
    "qwen2.5": [("qwen2.5:3b", 118.0), ("qwen2.5:7b-instruct", 69.0)],
}


def ext_of(name):
    """Lower-cased extension of a bytes name, without the dot (b'' if none)."""
    dot = name.rfind(b".")
    return name[dot + 1:].lower() if dot > 0 else b""


def utc(t):
    """Format an epoch second as the data summary does."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def stamp(t, fmt="%Y%m%d-%H%M%S"):
    return time.strftime(fmt, time.gmtime(t))


def slug(tag):
    return tag.replace(":", "_").replace("/", "_")


class Tree:
    """Writes under DEST (bytes paths) and records what the ingest walk must see."""

    def __init__(self, root):
        self.root = root
        self.files = []       # (rel, size, mtime, failure reason or None)
        self.links = []       # rel paths of symlinks
        self.dirs = {b""}     # every directory we created, relative
        self.newest = {}      # dir rel -> newest mtime of its direct entries
        self.locked = []      # dirs to chmod 000 at the very end
        self.specials = []    # FIFOs and other non-regular, non-link entries

    def _touch_parent(self, rel, mtime):
        parent = os.path.dirname(rel)
        if parent not in self.dirs:
            os.makedirs(os.path.join(self.root, parent), exist_ok=True)
            p = parent
            while p not in self.dirs:
                self.dirs.add(p)
                p = os.path.dirname(p)
        self.newest[parent] = max(self.newest.get(parent, 0), mtime)

    def write(self, rel, data, mtime, fail=None):
        """Create file rel with bytes data and mtime; fail = why ingest must reject it."""
        rel = os.fsencode(rel)
        if isinstance(data, str):
            data = data.encode()
        self._touch_parent(rel, mtime)
        fd = os.open(os.path.join(self.root, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
            os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)
        self.files.append((rel, len(data), mtime, fail))

    def mkdir(self, rel, mtime):
        rel = os.fsencode(rel)
        self._touch_parent(os.path.join(rel, b"x"), mtime)

    def symlink(self, rel, target, mtime):
        rel = os.fsencode(rel)
        self._touch_parent(rel, mtime)
        path = os.path.join(self.root, rel)
        os.symlink(os.fsencode(target), path)
        os.utime(path, (mtime, mtime), follow_symlinks=False)
        self.links.append(rel)

    def finish(self):
        """Give every directory a fixed mtime (deepest first), then lock folders."""
        for d in sorted(self.dirs, key=lambda p: -p.count(b"/") - (p != b"")):
            t = self.newest.get(d, 1735689600)
            os.utime(os.path.join(self.root, d) if d else self.root, (t, t))
            if d:
                parent = os.path.dirname(d)
                self.newest[parent] = max(self.newest.get(parent, 0), t)
        for d in self.locked:
            os.chmod(os.path.join(self.root, d), 0)


# ---------------------------------------------------------------- CSV family
def to_csv(header, rows, delimiter=",", quoting=csv.QUOTE_MINIMAL, newline="\n"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def one_run(rng, tps, num_gpu=999, num_ctx=2048, temp=0.8, cold=False):
    """One Ollama generate call with self-consistent timings (ms)."""
    offload = 1.0 if num_gpu >= 80 else 0.55 + num_gpu / 180.0
    tps = tps * offload * (1.0 - (num_ctx - 1024) / 40000.0) * rng.gauss(1.0, 0.025)
    eval_count = rng.randint(48, 720)
    eval_ms = eval_count / tps * 1000.0
    load_ms = rng.uniform(900, 2600) if cold else rng.uniform(35, 120)
    prompt_ms = rng.uniform(6, 60) * (num_ctx / 2048.0) ** 0.5
    ttft = load_ms + prompt_ms + rng.uniform(2, 15)
    total = load_ms + prompt_ms + eval_ms + rng.uniform(3, 25)
    return {"ttft_ms": round(ttft, 2), "tokens_per_sec": round(eval_count / eval_ms * 1000, 2),
            "eval_count": eval_count, "eval_duration_ms": round(eval_ms, 2),
            "load_duration_ms": round(load_ms, 2), "prompt_eval_ms": round(prompt_ms, 2),
            "total_duration_ms": round(total, 2)}


BENCH_COLS = ["model", "quant", "num_gpu", "num_ctx", "temperature", "run", "ttft_ms",
              "tokens_per_sec", "eval_count", "eval_duration_ms", "load_duration_ms",
              "prompt_eval_ms", "total_duration_ms", "timestamp"]
GRID = [(g, c, t) for g in (40, 80, 999) for c in (1024, 2048, 4096) for t in (0.2, 0.6, 1.0)]


def bench_rows(rng, tag, tps, t, configs, runs):
    """Rows of BENCH_COLS for every (num_gpu, num_ctx, temperature) x run."""
    quant = tag.split("-")[-1] if "-q" in tag else "default"
    rows, first = [], True
    for g, c, temp in configs:
        for r in range(1, runs + 1):
            m = one_run(rng, tps, g, c, temp, cold=first)
            first = False
            t += int(m["total_duration_ms"] / 1000) + 2
            rows.append([tag, quant, g, c, temp, r] + [m[k] for k in BENCH_COLS[6:13]]
                        + [stamp(t, "%Y-%m-%dT%H:%M:%SZ")])
    return rows


def csv_param_tuning(rng, tag, tps, t):
    return to_csv(BENCH_COLS, bench_rows(rng, tag, tps, t, GRID, 1))


def csv_tuning_summary(rng, tag, tps):
    """Per-config means, in seconds like the older scripts wrote them."""
    rows = []
    for g, c, temp in GRID:
        ms = [one_run(rng, tps, g, c, temp) for _ in range(3)]
        rows.append([f"g{g}_c{c}_t{temp}", g, c, temp,
                     round(sum(m["tokens_per_sec"] for m in ms) / 3, 4),
                     round(sum(m["ttft_ms"] for m in ms) / 3000, 4),
                     round(sum(m["load_duration_ms"] for m in ms) / 3000, 4)])
    rows.sort(key=lambda r: -r[4])
    return to_csv(["config_name", "num_gpu", "num_ctx", "temperature", "mean_tokens_s",
                   "mean_ttft_s", "mean_load_s"], rows)


def csv_baseline(rng, tps):
    """Per-prompt baseline in seconds; the last prompt sometimes errors out."""
    rows = []
    for i, p in enumerate(PROMPTS):
        m = one_run(rng, tps, cold=i == 0)
        err = "timeout after 120 s" if i == 4 and rng.random() < 0.5 else ""
        rows.append([p, m["ttft_ms"] / 1000, m["tokens_per_sec"], m["load_duration_ms"] / 1000,
                     m["prompt_eval_ms"] / 1000, m["eval_duration_ms"] / 1000, m["eval_count"],
                     m["eval_count"] * 4 + rng.randint(0, 90), err])
    return to_csv(["prompt", "ttft_s", "tokens_s", "load_s", "prompt_eval_s", "eval_s",
                   "eval_count", "response_chars", "error"], rows)


def csv_quant_bench(rng, t, delimiter=",", quoting=csv.QUOTE_ALL):
    rows = []
    for tag, tps in FAMILIES["llama3"]:
        for i, p in enumerate(PROMPTS):
            m = one_run(rng, tps, cold=i == 0)
            t += 3
            rows.append([stamp(t, "%Y-%m-%dT%H:%M:%S"), tag, tag.split("-")[-1], i + 1, p,
                         m["ttft_ms"], m["tokens_per_sec"], m["eval_count"], ""])
    return to_csv(["timestamp", "model", "tag", "prompt_index", "prompt_text", "ttft_ms",
                   "tokens_per_sec", "eval_count", "error"], rows, delimiter, quoting)


def csv_prompt_suite(rng, tag, tps, t, failed):
    """Runs of one timestamped suite; a failed suite has zeros and an error text."""
    rows = []
    for i, p in enumerate(PROMPTS):
        m = one_run(rng, tps, cold=i == 0)
        if failed:
            m = {k: 0 for k in m}
        err = "connection refused: is `ollama serve` running?" if failed else ""
        rows.append([stamp(t + i * 4, "%Y-%m-%dT%H:%M:%S+00:00"), tag, i + 1, p, m["ttft_ms"],
                     m["tokens_per_sec"], m["eval_count"], err,
                     json.dumps({"temperature": 0.3, "top_p": 0.9})])
    return to_csv(["timestamp", "model", "prompt_index", "prompt_text", "ttft_ms",
                   "tokens_per_sec", "eval_count", "error", "options"], rows)


def csv_scenarios(rng):
    """Windows-exported summary with CRLF line ends and spaces in column names."""
    rows = []
    for name in ("Cold start", "Warm cache", "Long context", "Short answer", "JSON mode"):
        n = rng.randint(40, 400)
        ms = rng.uniform(900, 6000)
        rows.append([name, round(ms, 2), n, round(n / ms * 1000, 2), "TRUE"])
    return to_csv(["Test Name", "Generation Time (ms)", "Tokens", "Tokens per Second",
                   "Success"], rows, newline="\r\n")


# --------------------------------------------------------------- JSON family
def dump(obj, compact=False):
    return json.dumps(obj, indent=None if compact else 2) + "\n"


def json_bench_summary(rng, tag, tps, t):
    """Nested result file: summary.*, latency_ms.p95, runs[i].ttft_ms, numeric strings."""
    runs = [dict(run=i + 1, **one_run(rng, tps, 80, 2048, 0.6, cold=i == 0)) for i in range(6)]
    warm = sorted(r["ttft_ms"] for r in runs[1:])
    avg = sum(r["tokens_per_sec"] for r in runs) / len(runs)
    return dump({
        "generated_at": stamp(t, "%Y-%m-%dT%H:%M:%S+00:00"), "model": tag,
        "options": {"num_gpu": 80, "num_ctx": 2048, "temperature": 0.6, "top_p": 0.9},
        "summary": {"avg_tokens_per_second": round(avg, 2), "runs": len(runs),
                    "gpu_utilization": f"{rng.uniform(30, 95):.1f}%",
                    "total_tokens_generated": f"{sum(r['eval_count'] for r in runs):,}",
                    "throughput_gain_vs_baseline": f"{rng.uniform(-5, 40):.1f}%",
                    "ttft_first_call": f"{runs[0]['ttft_ms'] / 1000:.2f}s",
                    "wall_time": f"{sum(r['total_duration_ms'] for r in runs) / 1000:.2f}s"},
        "latency_ms": {"p50": warm[len(warm) // 2], "p95": warm[-1], "p99": warm[-1],
                       "sum": f"{sum(r['ttft_ms'] for r in runs):,.1f}"},
        "runs": runs, "host": "http://127.0.0.1:11434", "notes": None})


def json_prompt_suite(rng, tag, t, failed):
    mean = None if failed else round(rng.uniform(60, 110), 2)
    return dump({"generated_at": stamp(t, "%Y-%m-%dT%H:%M:%S+00:00"), "prompt_count": 5,
                 "prompts": PROMPTS, "models": [{
                     "model": tag, "prompt_count": 5, "completed": 0 if failed else 5,
                     "options": {"temperature": 0.3, "top_p": 0.9},
                     "mean_ttft_s": None if failed else round(rng.uniform(0.08, 0.9), 3),
                     "mean_tokens_s": mean}]}, compact=rng.random() < 0.5)


def json_baseline(rng, tag, tps):
    results = []
    for i, p in enumerate(PROMPTS):
        m = one_run(rng, tps, cold=i == 0)
        results.append({"prompt": p, "ttft_s": m["ttft_ms"] / 1000,
                        "tokens_s": m["tokens_per_sec"], "eval_count": m["eval_count"]})
    return dump({"model": tag, "results": results})


def json_compilation(rng, model, device, t):
    backends = {}
    names = ("eager", "jit", "torch_compile", "onnx") + (("tensorrt",) if device == "cuda" else ())
    for name in names:
        mean = rng.uniform(0.05, 3.0)
        backends[name] = {"backend": name, "compilation": None if name == "eager" else {
            "success": rng.random() > 0.1, "compile_time_s": round(rng.uniform(0.02, 9.0), 4),
            "metadata": {"graph_preview": [f"%{i} = aten::linear(...)" for i in range(3)]}},
            "benchmark": {"mean_time_ms": round(mean, 4), "std_time_ms": round(mean * 0.2, 4),
                          "min_time_ms": round(mean * 0.7, 4), "max_time_ms": round(mean * 1.9, 4),
                          "throughput_samples_per_s": round(4000 / mean, 1)}}
    return dump({"generated_at": stamp(t, "%Y-%m-%dT%H:%M:%S+00:00"),
                 "model": {"name": model, "device": device, "dtype": "float32", "batch_size": 4},
                 "settings": {"runs": 10, "warmup_runs": 3, "backends": list(backends)},
                 "backends": backends})


def json_system_metrics(rng, t):
    samples = [{"timestamp": t + i * 5, "system": {
        "cpu_percent": round(rng.uniform(5, 40), 1),
        "memory_percent": f"{rng.uniform(60, 80):.1f}%",
        "memory_used_gb": round(rng.uniform(9, 13), 3)},
        "gpu": [{"gpu_id": 0, "utilization": f"{rng.uniform(20, 99):.0f}%",
                 "memory_used_mb": f"{rng.uniform(3000, 9000):,.1f}",
                 "power_w": round(rng.uniform(40, 150), 1)}]} for i in range(6)]
    return dump({"export_timestamp": t, "metrics_count": len(samples), "metrics": samples})


def json_timing_baseline(rng, name, t):
    runs = []
    for _ in range(3):
        p50 = rng.uniform(0.05, 0.09)
        runs.append({"samples": 10, "p50_ms": p50, "p95_ms": p50 * 1.2, "mean_ms": p50 * 1.03})
    return dump({"test_name": name, "runs": 3, "timing_stats": {
        "run_results": runs,
        "latency_percentiles": {"p50": runs[1]["p50_ms"], "p95": runs[2]["p95_ms"]},
        "cv_percent": round(rng.uniform(0.2, 3), 3)}, "timestamp": t}, compact=True)


def json_agent_metrics(rng, label, tag, t, m):
    calls = [{"stage": s, "prompt": f"({s} prompt elided)", "response": f"({s} text elided)",
              "metrics": m if s == "report" else one_run(rng, 40.0, 80, 512, 1.0)}
             for s in ("analysis", "report")]
    return dump({"agent": label, "model": tag, "host": "http://127.0.0.1:11434",
                 "options": {"num_gpu": 80, "num_ctx": 512, "temperature": 1},
                 "calls": calls, "aggregates": {"throughput_tok_s": m["tokens_per_sec"],
                                                "ttft_ms": m["ttft_ms"]},
                 "timestamp": stamp(t, "%Y-%m-%dT%H:%M:%SZ"),
                 "system": {"os": "Linux", "cpu_count": 16}})


def json_misc(rng, which):
    if which == "quant":
        return dump({q: {"accuracy": round(rng.uniform(0.4, 0.9), 3),
                         "model_size_bytes": rng.randint(2000, 4000)}
                     for q in ("baseline", "qat", "int8", "fp8")}, compact=True)
    if which == "kernel":
        return dump({k: {"mean_time_ms": rng.uniform(0.03, 25), "std_time_ms": rng.uniform(0, 5)}
                     for k in ("attention", "tensor_core_512", "fused_linear_gelu")})
    return dump({"cycles_completed": rng.randint(3, 9), "anomalies_detected": rng.randint(0, 9),
                 "success_rate": round(rng.random(), 3), "patterns_discovered": []})


# ----------------------------------------------------------- Markdown family
def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def md_family_report(rng, family, models, t):
    rows = [(f"`{tag}`", f"{tps * rng.uniform(0.95, 1.02):.2f}", f"{rng.uniform(60, 200):.1f}")
            for tag, tps in models]
    best = max(rows, key=lambda r: float(r[1]))
    return (f"# {family} benchmark report\n\n**Date:** {stamp(t, '%Y-%m-%d')}  \n"
            f"**Host:** synthetic workstation, 12 GB VRAM\n\n## Results\n\n"
            + md_table(["Model", "Mean tok/s", "Warm TTFT (ms)"], rows)
            + f"\n## Best configuration\n\n```yaml\n# chosen by the sweep\nnum_gpu: 999\n"
            f"num_ctx: 2048\n# lower temperature kept TTFT stable\ntemperature: 0.6\n```\n\n"
            f"## Findings\n\n- {best[0]} is the fastest at {best[1]} tok/s.\n"
            f"- The first call of each sweep pays the model load (1-3 s TTFT).\n"
            f"- num_gpu below 80 moves layers to the CPU and costs up to 40% throughput.\n")


def md_lessons(rng, t):
    return (f"# Prompt suite lessons {stamp(t, '%Y-%m-%d')}\n\n## Context\n\n"
            "The suite sends five short prompts to each quantisation in turn.\n\n"
            "```bash\n# warm the model first, then run the suite\n"
            "ollama run llama3.1:8b-instruct-q4_0 ''\n# sweep three tags\n"
            "python run_suite.py --tags q4_0,q5_K_M,q8_0\n```\n\n"
            "## Lessons\n\n1. **Warm-up matters**: the first prompt pays the load time.\n"
            "2. Pin `OLLAMA_HOST` to 127.0.0.1; 0.0.0.0 is not a client address.\n"
            f"3. q4_0 kept ~{rng.uniform(74, 79):.1f} tok/s, q8_0 about 40% less.\n")


def md_compilation(rng, model, device, t):
    rows = [(b, "yes", f"{rng.uniform(0, 6):.4f}", f"{rng.uniform(0.05, 3):.3f}")
            for b in ("eager", "jit", "torch_compile", "onnx")]
    return (f"# Compilation benchmark: {model} on {device}\n\nGenerated: "
            f"{stamp(t, '%Y-%m-%dT%H:%M:%SZ')}\n\n"
            + md_table(["Backend", "Success", "Compile Time (s)", "Mean (ms)"], rows))


def md_agent_report(rng, label, persona, tag, t, m, nfiles):
    ana, rep = rng.uniform(15, 30), m["total_duration_ms"] / 1000
    return (f"# {label}\n# Technical Report: benchmark artifact review\n\n"
            f"**Date:** {utc(t)}  \n**Agent Type:** {label} ({persona})  \n**Model:** {tag}  \n"
            "**Configuration:** num_gpu=80, num_ctx=512, temp=1, top_p=default, top_k=default, "
            "repeat_penalty=default\n\n---\n\n## Executive Summary\n\n"
            f"The sweep covers {nfiles} files. Throughput is stable; "
            "TTFT is dominated by model load.\n\n"
            "## Workflow Summary\n\n"
            f"- Files analysed: {nfiles}\n- Execution time: {ana + rep + 0.01:.2f}s "
            f"(ingest 0.01s | analysis {ana:.2f}s | report {rep:.2f}s)\n\n"
            f"```\nTotal files analyzed: {nfiles}\n# (abridged)\n```\n\n## Metrics\n"
            f"- Throughput: {m['tokens_per_sec']:.2f} tok/s\n- TTFT: {m['ttft_ms']:.2f} ms\n"
            f"- Total Duration: {m['total_duration_ms']:.2f} ms\n"
            f"- Tokens Generated: {m['eval_count']}\n- Prompt Eval: {m['prompt_eval_ms']:.2f} ms\n"
            f"- Eval Duration: {m['eval_duration_ms']:.2f} ms\n"
            f"- Load Duration: {m['load_duration_ms']:.2f} ms\n\n## Key Findings\n\n"
            "- Key finding: the num_gpu=999 runs are the fastest.\n\n## Recommendations\n\n"
            "1. Consider a warm-up call before timing.\n\n## Persona Prompt\n\n"
            f"You are {persona}, a careful benchmark analyst.\n")


def binary_blob(rng, magic, size):
    return magic + bytes([0]) * 4 + rng.randbytes(size)


# -------------------------------------------------------- the default tree
def default_tree(rng, t0):
    """[(rel, data, mtime)] of the realistic tree, in a fixed order."""
    out = []
    t = t0

    def add(rel, data, step=3600):
        nonlocal t
        t += rng.randint(step // 2, step)
        out.append((rel, data, t))

    add("reports/README.md", "# Benchmark reports\n\nSynthetic sample tree for chimera's tests.\n"
        "Every number here is generated.\n\n## Layout\n\n- `gemma3/`, `llama3/`, `qwen2.5/`: "
        "per-family sweeps\n- `ollama/`: timestamped prompt-suite runs\n")
    for fam, models in FAMILIES.items():
        for tag, tps in models:
            base = f"reports/{fam}/{slug(tag)}"
            add(base + "_baseline.csv", csv_baseline(rng, tps))
            add(base + "_baseline.json", json_baseline(rng, tag, tps))
            add(base + "_param_tuning.csv", csv_param_tuning(rng, tag, tps, t))
            add(base + "_param_tuning_summary.csv", csv_tuning_summary(rng, tag, tps))
        add(f"reports/{fam}/{fam}_benchmark_report.md", md_family_report(rng, fam, models, t))
    add("reports/llama3/baseline_system_metrics.json", json_system_metrics(rng, t))
    add("reports/llama3/baseline_system_report.txt", "SYSTEM REPORT\nCPU 13.1% avg\nGPU 41% avg\n")
    for model in ("mlp", "conv", "transformer"):
        for device in ("cpu", "cuda"):
            name = f"reports/compilation/{model}_{device}_bench_{stamp(t)}"
            add(name + ".json", json_compilation(rng, model, device, t), 900)
            add(name + ".md", md_compilation(rng, model, device, t), 60)
    add("reports/compilation/compilation_lessons.md", md_lessons(rng, t))
    for i in range(6):
        tag, tps = rng.choice(FAMILIES["llama3"] + FAMILIES["gemma3"][2:])
        t += rng.randint(600, 3 * DAY)
        run, failed = f"reports/ollama/{stamp(t)}", i < 2
        add(run + "/prompt_suite_runs.csv", csv_prompt_suite(rng, tag, tps, t, failed), 60)
        add(run + "/prompt_suite_summary.json", json_prompt_suite(rng, tag, t, failed), 10)
        if i % 2:
            add(run + f"/{slug(tag)}_bench_summary.json", json_bench_summary(rng, tag, tps, t), 10)
    add("reports/ollama/prompt_suite_lessons.md", md_lessons(rng, t))
    add("reports/ollama/ollama_serve.txt", "".join(
        f"time={stamp(t + i, '%Y-%m-%dT%H:%M:%S')} level=INFO msg=\"llama runner started\"\n"
        for i in range(20)))
    for i, (label, persona) in enumerate((("Chimera Agent A", "DataCollector-9000"),
                                          ("Chimera Agent B", "InsightAgent"))):
        t += rng.randint(DAY, 4 * DAY)
        m = one_run(rng, 41.0, 80, 512, 1.0)
        run = f"reports/agent_runs/{stamp(t)}-{'chimera' if i else 'baseline'}"
        add(run + "/report.md", md_agent_report(rng, label, persona, "gemma3:latest", t, m, 61), 60)
        add(run + "/metrics.json", json_agent_metrics(rng, label, "gemma3:latest", t, m), 1)
    add("reports/diagnostics/self_check.json", json_misc(rng, "diag"))
    add("reports/quantization/quantization_report.json", json_misc(rng, "quant"))
    add("reports/quantization/quantization_report.md", "# Quantization\n\n"
        + md_table(["variant", "accuracy"], [("int8", "0.75"), ("fp8", "0.75")]))
    add("reports/kernel_optimization/kernel_benchmarks.json", json_misc(rng, "kernel"))
    add("reports/profiling/ncu_ollama.ncu-rep", binary_blob(rng, b"NVR\x00", 6000))
    add("reports/profiling/ncu_kernels.csv", to_csv(
        ["kernel", "duration_us", "sm_throughput_pct"],
        [(f"kernel_{i}", round(rng.uniform(2, 900), 2), round(rng.uniform(5, 95), 1))
         for i in range(40)]))
    add("csv_data/ollama_param_tuning.csv", csv_param_tuning(rng, *FAMILIES["llama3"][0], t))
    add("csv_data/ollama_param_tuning_summary.csv", csv_tuning_summary(rng, *FAMILIES["llama3"][0]))
    add("csv_data/ollama_quant_bench.csv", csv_quant_bench(rng, t))
    add("csv_data/ollama_quant_bench_eu.csv", csv_quant_bench(rng, t, ";", csv.QUOTE_MINIMAL))
    add("csv_data/baseline_performance_summary.csv", csv_scenarios(rng))
    for i in range(2):
        tag, tps = FAMILIES["gemma3"][i]
        add(f"csv_data/baseline_test_results_{t + i}.json", json_bench_summary(rng, tag, tps, t))
    add(f"csv_data/chimera_metrics_{stamp(t, '%Y%m%d_%H%M%S')}.json", json_system_metrics(rng, t))
    add("csv_data/notes.md", "# Notes\n\nNot ingested: csv_data/ takes csv and json only.\n")
    for name in ("comprehensive", "demo", "inference", "ollama"):
        name += "_baseline"
        add(f"csv_data/baselines/{name}_{t}.json", json_timing_baseline(rng, name, t), 600)
    add("artifacts/multiagent_summary.csv", csv_tuning_summary(rng, "gemma3:latest", 101.0))
    add("artifacts/multiagent_summary.md", "# Multi-agent summary\n\nOutside the ingest walk.\n")
    add("artifacts/throughput_chart.png", binary_blob(rng, b"\x89PNG\r\n\x1a\n", 3000))
    add("artifacts/sweep_log.txt", "sweep finished: 27 configs, 0 errors\n")
    return out


# ------------------------------------------------------- bulk (fast path)
def bulk_tree(tree, rng, t0, count):
    """Add `count` small files in nested run folders; cheap templates, ~40 per folder."""
    tags = [tag for models in FAMILIES.values() for tag, _ in models]
    folder, t, made = None, t0, 0
    while made < count:
        t += rng.randint(30, 600)
        idx = made // 40
        tag = tags[idx % len(tags)]
        if idx % 5 == 4:
            folder = f"csv_data/archive/{stamp(t, '%Y-%m')}/batch_{idx:05d}/"
        else:
            folder = f"reports/sweeps/{slug(tag)}/{stamp(t, '%Y-%m')}/{stamp(t)}_{idx:05d}/"
        for j in range(min(40, count - made)):
            mt, tps = t + j, rng.uniform(20, 300)
            k = j % 20 if not folder.startswith("csv") else j % 10
            if k < 9:
                name, data = f"run_{j:03d}.csv", (
                    "model,num_gpu,num_ctx,ttft_ms,tokens_per_sec,eval_count\n" + "".join(
                        f"{tag},{80 + r},{512 << (r % 3)},{tps * 2 + r:.2f},{tps + r / 7:.2f},"
                        f"{200 + r}\n"
                        for r in range(8)))
            elif k < 16:
                name, data = f"summary_{j:03d}.json", (
                    f'{{"model": "{tag}", "summary": {{"avg_tokens_per_second": {tps:.2f}, '
                    f'"gpu_utilization": "{tps % 100:.1f}%"}}, '
                    f'"latency_ms": {{"p50": {tps * 1.5:.2f}, '
                    f'"p95": {tps * 2.5:.2f}}}, "runs": [{{"ttft_ms": {tps * 2:.2f}}}]}}\n')
            elif k < 19:
                name, data = f"notes_{j:03d}.md", (
                    f"# Run {idx}.{j}\n\n## Metrics\n- Throughput: {tps:.2f} tok/s\n"
                    f"- TTFT: {tps * 3:.2f} ms\n- Tokens Generated: {int(tps * 9)}\n")
            else:
                name, data = f"ollama_{j:03d}.txt", f"load ok in {tps:.0f} ms\n"
            tree.write(folder + name, data, mt)
        made += min(40, count - made)


# ----------------------------------------------------------------- edge cases
def edge_files(rng):
    """(path, content, why ingest must reject it or None) for --edge-cases.

    reports/edge_cases/ is inside the ingest walk; edge/ is only seen by the tree pane."""
    e, b = "reports/edge_cases/", os.fsencode
    return [
        (e + "binary_named.json", b"\x00\x01JSON?" + rng.randbytes(4000), "invalid JSON"),
        (e + "trailing_comma.json", '{"tokens_per_sec": 41.5, "runs": [1, 2,],}\n',
         "invalid JSON (trailing comma)"),
        (e + "truncated.json", '{"summary": {"avg_tokens_per_second": 41.',
         "invalid JSON (truncated)"),
        (e + "empty.json", b"", "invalid JSON (empty file)"),
        (e + "unterminated_quote.csv", 'model,notes,tokens_per_sec\n'
         'gemma3,"this quote never closes,41.5\nllama3,ok,77.0\n', None),
        (e + "ragged_rows.csv", "model,ttft_ms,tokens_per_sec\ngemma3,650.1\n"
         "llama3,120.5,77.2,extra,cells\nqwen2.5,99.0,69.1\n", None),
        (e + "latin1_units.csv", "metric,unit,value\nttft,\xb5s,650\n".encode("latin-1"),
         "invalid UTF-8"),
        (e + "latin1_notes.md", "# Notes\n\nLatency in \xb5s, 54\xb0C.\n".encode("latin-1"),
         "invalid UTF-8"),
        (e + "utf16_export.csv", "\ufeffkernel,duration_us\nk0,12.5\n".encode("utf-16-le"),
         "invalid UTF-8 (UTF-16 with a byte order mark)"),
        (e + "empty.csv", b"", None),
        (e + "megaline.csv", b'model,notes,tokens_per_sec\ngemma3,"' + b"x" * (2 << 20)
         + b'",41.5\n', None),
        (e + "UPPER.CSV", "model,tokens_per_sec\ngemma3,41.5\n", None),
        (e + "Mixed.Json", '{"latency_ms": {"p95": 812.5}}\n', None),
        (e + "NOTES.MD", "# Upper-case extension\n\n## Metrics\n- TTFT: 650.12 ms\n", None),
        (e + "not_a_file.json/inner.csv", "model,ttft_ms\ngemma3,650\n", None),
        (e + "\x1b[31mred\x1b[0m.csv", "model,ttft_ms\nred,1\n", None),
        (e + "tab\there.json", '{"ttft_ms": 1}\n', None),
        (e + "new\nline.md", "# newline in name\n", None),
        (b(e) + b"bad_\xff\xfe_name.csv", "model,ttft_ms\nx,1\n", None),
        (e + "l" * 196 + ".csv", "model,ttft_ms\nlong,1\n", None),
        (e + "\U0001f680_速度_ベンチ.md", "# 速度 🚀\n\n- TTFT: 650.12 ms\n", None),
        (e + "locked/secret.txt", "not an artifact, so root and non-root agree\n", None),
        ("edge/\x1b]0;pwned\x07title.md", "# OSC title sequence in the name\n", None),
        ("edge/bell\x07\x7fdel.csv", "a,b\n1,2\n", None),
        (b"edge/latin1_\xb5s.json", b'{"ok": 1}\n', None),
        ("edge/" + "w" * 196 + ".json", '{"ok": 1}\n', None),
        ("edge/deep_nesting.json", "[" * 5000 + "]" * 5000 + "\n", None),
        ("edge/" + "/".join(f"d{i}" for i in range(40)) + "/deep.csv", "a\n1\n", None),
        ("edge/unreadable/hidden.csv", "a\n1\n", None),
    ]


EDGE_LINKS = [  # (link, target): loops, a dangling link, links to files
    ("reports/edge_cases/loop", "."), ("reports/edge_cases/a/b", "../a"),
    ("reports/edge_cases/link_to_upper.csv", "UPPER.CSV"),
    ("reports/edge_cases/dangling.json", "missing.json"),
    ("edge/loop", "."), ("edge/up", ".."), ("edge/dangling.md", "nowhere/none.md"),
    ("edge/to_report.csv", "../reports/edge_cases/UPPER.CSV"),
]


def edge_cases(tree, rng, t):
    """Write the edge files and links, lock two folders, and add a FIFO named .csv."""
    for i, (rel, data, fail) in enumerate(edge_files(rng)):
        tree.write(rel, data, t + i, fail)
    t += 60
    tree.mkdir("reports/edge_cases/a", t)
    for rel, target in EDGE_LINKS:
        tree.symlink(rel, target, t)
    tree.locked += [b"reports/edge_cases/locked", b"edge/unreadable"]
    try:  # opening a FIFO for reading blocks until a writer comes: never open one
        os.mkfifo(os.path.join(tree.root, b"edge/pipe.csv"))
        os.utime(os.path.join(tree.root, b"edge/pipe.csv"), (t, t))
        tree.specials.append(b"edge/pipe.csv")
    except OSError as exc:
        print(f"gen_tree.py: no FIFO in edge/: {exc}", file=sys.stderr)


# --------------------------------------------------------------- expectations
def expectation(tree, args):
    """What SPEC §5 ingest must report, from the bookkeeping (not from re-reading files)."""
    def show(rel):
        return rel.decode("utf-8", "replace")
    per_type = {label: [] for label, _, _ in TYPES}
    failures, folders, size = [], {}, 0
    for rel, nbytes, mtime, fail in tree.files:
        top, ext = rel.split(b"/", 1)[0], ext_of(os.path.basename(rel))
        if top == rel:
            continue
        f = folders.setdefault(show(top), {"csv": 0, "json": 0, "md": 0, "other": 0})
        f[ext.decode() if ext in (b"csv", b"json", b"md") else "other"] += 1
        if ext not in INGEST.get(top, ()):
            continue
        if fail:
            failures.append({"path": show(rel), "path_hex": rel.hex(), "reason": fail})
            continue
        label = next(lb for lb, e, _ in TYPES if e == ext)
        per_type[label].append((rel, mtime))
        size += nbytes
    types, text = {}, []
    total = sum(len(v) for v in per_type.values())
    text.append(f"Total files analyzed: {total}")
    for label, _, upper in TYPES:
        items = sorted(per_type[label])
        if not items:
            continue
        latest = max(m for _, m in items)
        first = [show(r) for r, _ in items[:5]]
        types[label] = {"count": len(items), "first_paths": first,
                        "first_paths_hex": [r.hex() for r, _ in items[:5]],
                        "more": max(0, len(items) - 5), "latest_modified": utc(latest),
                        "latest_modified_epoch": latest}
        text += ["", f"{upper} Files ({len(items)})"] + [f"  - {p}" for p in first]
        if len(items) > 5:
            text.append(f"  ... and {len(items) - 5} more")
        text.append(f"  Latest modified: {utc(latest)}")
    return {
        "generator": "tests/sample/gen_tree.py", "seed": args.seed, "files": args.files,
        "edge_cases": args.edge_cases,
        "rule": "reports/ (csv,json,md) + csv_data/ (csv,json); extensions case-insensitive; "
                "regular files only (symlinks neither followed nor counted); failures excluded: "
                "invalid UTF-8, invalid or empty JSON; NUL bytes are valid UTF-8; ragged rows, "
                "an unterminated quote and an empty CSV are fine",
        "total_files_analyzed": total, "total_file_size_bytes": size, "types": types,
        "failures": failures, "symlinks": sorted(show(s) for s in tree.links),
        "special_files": [show(s) for s in tree.specials],
        "folders": folders, "regular_files": len(tree.files),
        "data_summary_text": "\n".join(text) + "\n",
    }


# ------------------------------------------------------------------- driver
def prepare_dest(dest):
    """Create DEST, or wipe it when it is our own earlier output; refuse otherwise."""
    if not os.path.lexists(dest):
        os.makedirs(dest)
        return
    if not os.path.isdir(dest) or os.path.islink(dest):
        print(f"gen_tree.py: {os.fsdecode(dest)} exists and is not a directory; refusing",
              file=sys.stderr)
        sys.exit(2)
    if not os.listdir(dest):
        return
    if not os.path.isfile(os.path.join(dest, MARKER)):
        print(f"gen_tree.py: {os.fsdecode(dest)} is not empty and has no {MARKER.decode()} "
              "marker, so it is not a tree made by this script; refusing to delete it "
              "(pick another DEST or empty it yourself)", file=sys.stderr)
        sys.exit(2)
    os.chmod(dest, 0o755)
    for dirpath, dirnames, _ in os.walk(dest):  # undo chmod 000 so rmtree can descend
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                os.chmod(p, 0o755)
    shutil.rmtree(dest)
    os.makedirs(dest)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dest")
    ap.add_argument("--edge-cases", action="store_true", help="add reports/edge_cases/ and edge/")
    ap.add_argument("--files", type=int, help="number of regular files (default tree: 95)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--expect-json", metavar="FILE", help="write the ingest expectation here")
    args = ap.parse_args()
    if args.files is not None and args.files < 0:
        ap.error("--files must be >= 0")
    dest = os.path.abspath(os.fsencode(args.dest))
    if args.expect_json and os.path.abspath(args.expect_json).startswith(os.fsdecode(dest) + "/"):
        ap.error("--expect-json must be outside DEST (it would be counted as an artifact)")
    prepare_dest(dest)

    rng = random.Random(args.seed)
    t0 = 1735689600 + 5 * DAY + rng.randrange(120) * DAY + rng.randrange(DAY)  # Jan-May 2025
    tree = Tree(dest)
    tree.write(MARKER, f"chimera sample tree, seed {args.seed}; safe to delete\n", t0)
    tree.files.pop()  # the marker is bookkeeping, not part of the tree's content
    specs = default_tree(rng, t0)
    wanted = len(specs) if args.files is None else args.files
    for rel, data, mtime in specs[:wanted]:
        tree.write(rel, data, mtime)
    if wanted > len(specs):
        bulk_tree(tree, random.Random(args.seed * 7919 + 1), specs[-1][2], wanted - len(specs))
    if args.edge_cases:
        edge_cases(tree, random.Random(args.seed * 7919 + 2), specs[-1][2] + DAY)
    tree.finish()

    exp = expectation(tree, args)
    if args.expect_json:  # before printing, so a closed stdout cannot lose it
        with open(args.expect_json, "w", encoding="utf-8") as fh:
            json.dump(exp, fh, indent=2, ensure_ascii=True)
            fh.write("\n")
    print(f"chimera sample tree in {os.fsdecode(dest)}: seed {args.seed}, "
          f"{exp['regular_files']} regular files, {len(tree.links)} symlinks, "
          f"edge cases {'on' if args.edge_cases else 'off'}")
    print(f"{'folder':<12}{'csv':>8}{'json':>8}{'md':>8}{'other':>8}")
    for name, c in sorted(exp["folders"].items()):
        print(f"{name[:12]:<12}{c['csv']:>8}{c['json']:>8}{c['md']:>8}{c['other']:>8}")
    print(f"ingest (SPEC §5): {exp['total_files_analyzed']} parsed, {len(exp['failures'])} "
          f"failing, {exp['total_file_size_bytes']} bytes")
    for f in exp["failures"]:
        print(f"  fails: {f['path']!r}: {f['reason']}")
    print("expected data summary:\n" + exp["data_summary_text"], end="")


if __name__ == "__main__":
    main()
