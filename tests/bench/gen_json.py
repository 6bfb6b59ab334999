#!/usr/bin/env python3
"""Generate a deterministic, realistic LLM benchmark JSON file for the JSON benchmark.

Usage: gen_json.py OUT SIZE_MB [SEED]

The document looks like what an Ollama benchmark harness saves with json.dump(indent=2):
an object with run metadata and host facts, a large "runs" array (one object per request:
model, options {num_gpu, num_ctx, temperature}, TTFT, tokens/s, Ollama's eval/load/prompt
durations in nanoseconds, latency percentiles, ISO timestamps, a few strings such as
"45.2%" or "1,234 ms", now and then a prompt with escapes and non-ASCII text), then a
summary. It stops adding runs once SIZE_MB (10^6 bytes) is reached. The same SIZE_MB and
SEED always give the same bytes.
"""
import json
import random
import sys

MODELS = [
    ("gemma3:270m", 180.0), ("gemma3:1b-it-qat", 95.0), ("gemma3:latest", 41.0),
    ("llama3.1:8b-instruct-q4_K_M", 38.0), ("qwen2.5:7b", 44.0), ("mistral:7b", 47.0),
    ("phi3:mini", 70.0), ("deepseek-r1:14b", 21.0),
]
QUANTS = ["q4_K_M", "q5_K_M", "q8_0", "fp16", "q4_0"]
PROMPTS = [
    "Summarise the benchmark results in three bullet points.",
    "Explain why TTFT grows with num_ctx.",
    "R\u00e9sum\u00e9 des r\u00e9sultats \u2014 \"latence\" et d\u00e9bit\nfin.",
    "List the \\slowest\\ runs\tand their models.",
    "\u5206\u6790\u541e\u5410\u91cf (tokens/s) \U0001F680",
]
TAGS = ["sweep", "gpu", "warm", "cold-start", "retry", "baseline", "chimera"]


def iso(t):
    """Seconds since 2025-11-14 00:00:00 UTC as an ISO 8601 timestamp."""
    day = 14 + t // 86400
    rem = t % 86400
    return "2025-11-%02dT%02d:%02d:%02d.%03dZ" % (
        day, rem // 3600, rem % 3600 // 60, rem % 60, (t * 37) % 1000)


def make_run(rng, i, t):
    model, base_tps = MODELS[rng.randrange(len(MODELS))]
    num_gpu = rng.choice([0, 20, 40, 60, 80, 99])
    num_ctx = rng.choice([512, 1024, 2048, 4096, 8192])
    temperature = rng.choice([0.0, 0.2, 0.7, 1.0, 1.2])
    tps = round(base_tps * rng.uniform(0.7, 1.15) * (0.6 + num_gpu / 250.0), 2)
    eval_count = rng.randint(64, 2048)
    eval_ns = int(eval_count / tps * 1e9)
    load_ns = rng.randint(2_000_000, 9_000_000_000) if rng.random() < 0.1 else rng.randint(
        1_000_000, 40_000_000)
    prompt_eval_count = rng.randint(12, num_ctx // 2)
    prompt_eval_ns = int(prompt_eval_count * rng.uniform(0.2e6, 3e6))
    ttft_ms = round((load_ns + prompt_eval_ns) / 1e6 + rng.uniform(5, 60), 3)
    p50 = round(1000.0 / tps * rng.uniform(0.9, 1.05), 3)
    run = {
        "run_id": i,
        "model": model,
        "quant": rng.choice(QUANTS),
        "options": {"num_gpu": num_gpu, "num_ctx": num_ctx, "temperature": temperature},
        "started_at": iso(t),
        "finished_at": iso(t + int(eval_ns / 1e9) + 1),
        "ttft_ms": ttft_ms,
        "tokens_per_second": tps,
        "eval_count": eval_count,
        "eval_duration_ns": eval_ns,
        "load_duration_ns": load_ns,
        "prompt_eval_count": prompt_eval_count,
        "prompt_eval_duration_ns": prompt_eval_ns,
        "total_duration_ns": load_ns + prompt_eval_ns + eval_ns,
        "latency_ms": {
            "p50": p50,
            "p95": round(p50 * rng.uniform(1.2, 1.6), 3),
            "p99": round(p50 * rng.uniform(1.6, 2.5), 3),
        },
        "gpu_util": "%.1f%%" % rng.uniform(5, 99),
        "throughput_note": "{:,} ms".format(rng.randint(200, 20000)),
        "speed": "%.1fs" % (eval_ns / 1e9),
        "ok": rng.random() > 0.02,
        "error": None,
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
    }
    if rng.random() < 0.05:
        run["prompt"] = rng.choice(PROMPTS)
    if not run["ok"]:
        run["error"] = "context deadline exceeded after %d ms" % rng.randint(1000, 300000)
        run["tokens_per_second"] = None
    return run


def indent(text, prefix):
    return "\n".join(prefix + line for line in text.split("\n"))


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: gen_json.py OUT SIZE_MB [SEED]\n")
        return 2
    out, size_mb = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    rng = random.Random(seed)
    target = int(size_mb * 1_000_000)
    head = {
        "benchmark": "ollama-param-sweep",
        "schema_version": 3,
        "generator": "chimera tests/bench/gen_json.py",
        "host": {
            "hostname": "bench-01",
            "gpu": "NVIDIA GeForce RTX 4090",
            "vram_gb": 24,
            "cpu": "AMD Ryzen 9 7950X",
            "ollama_version": "0.4.7",
        },
    }
    written = 0
    tps_sum = 0.0
    tps_n = 0
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        text = json.dumps(head, indent=2, ensure_ascii=False)
        text = text[:-2] + ',\n  "runs": [\n'
        f.write(text)
        written += len(text.encode("utf-8"))
        i = 0
        t = 0
        while written < target:
            run = make_run(rng, i, t)
            if run["tokens_per_second"] is not None:
                tps_sum += run["tokens_per_second"]
                tps_n += 1
            chunk = ("" if i == 0 else ",\n") + indent(
                json.dumps(run, indent=2, ensure_ascii=rng.random() < 0.5), "    ")
            f.write(chunk)
            written += len(chunk.encode("utf-8"))
            i += 1
            t += rng.randint(5, 90)
        summary = {
            "runs": i,
            "tokens_per_second_mean": round(tps_sum / max(tps_n, 1), 4),
            "throughput": "%.2f%%" % (100.0 * tps_n / max(i, 1)),
        }
        tail = "\n  ],\n  \"summary\": " + indent(json.dumps(summary, indent=2),
                                                  "  ").lstrip() + "\n}\n"
        f.write(tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
