#!/usr/bin/env python3
"""Generate a deterministic, realistic LLM benchmark CSV for the CSV reader benchmark.

Usage: gen_csv.py OUT SIZE_MB [SEED]

The rows look like what an Ollama benchmark harness writes: one run per row with the model,
quantisation, GPU offload and context options, then timings with a few decimals. About 1% of
the timing cells are missing (empty or NA, as a timed-out run leaves them), and a free-text
note column is quoted now and then (embedded commas and doubled quotes), so the parser's
slow paths are exercised too. The same SIZE_MB and SEED always give the same bytes.
"""
import random
import sys
import time

HEADER = ("run_id,model,quant,num_gpu,num_ctx,temperature,ttft_ms,tokens_per_sec,"
          "eval_duration_ms,load_duration_ms,prompt_tokens,completion_tokens,timestamp,notes\n")

MODELS = [
    ("gemma3:270m", 180.0), ("gemma3:1b-it-qat", 95.0), ("gemma3:latest", 41.0),
    ("llama3.1:8b-instruct", 38.0), ("qwen2.5:7b", 44.0), ("mistral:7b", 47.0),
    ("phi3:mini", 70.0), ("deepseek-r1:14b", 21.0),
]
QUANTS = ["q4_K_M", "q5_K_M", "q8_0", "fp16", "q4_0"]
NOTES = ["", "", "", "", "", "", "warm", "cold start", '"retry, after OOM"',
         '"prompt ""long"" variant"', "baseline"]


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: gen_csv.py OUT SIZE_MB [SEED]\n")
        return 2
    out = sys.argv[1]
    target = int(float(sys.argv[2]) * 1024 * 1024)
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20251114)
    written = 0
    run = 0
    t0 = 1763140410  # 2025-11-14 17:13:30 UTC
    with open(out, "w", encoding="ascii", newline="") as f:
        f.write(HEADER)
        written += len(HEADER)
        lines = []
        while written < target:
            run += 1
            model, base = MODELS[rng.randrange(len(MODELS))]
            quant = QUANTS[rng.randrange(len(QUANTS))]
            num_gpu = rng.choice((0, 20, 40, 80, 99))
            num_ctx = rng.choice((512, 1024, 2048, 4096, 8192))
            temp = rng.choice(("0", "0.2", "0.7", "1", "1.2"))
            tps = max(0.5, rng.gauss(base, base * 0.08))
            ttft = max(20.0, rng.gauss(650.0, 120.0))
            completion = rng.randrange(64, 1024)
            eval_ms = completion / tps * 1000.0
            load_ms = rng.expovariate(1 / 300.0)
            prompt = rng.randrange(16, 2048)
            ts = t0 + run * 7 + rng.randrange(5)
            r = rng.random()
            ttft_s = "%.3f" % ttft if r > 0.01 else ("" if r < 0.005 else "NA")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
            line = "r%07d,%s,%s,%d,%d,%s,%s,%.3f,%.3f,%.3f,%d,%d,%s,%s\n" % (
                run, model, quant, num_gpu, num_ctx, temp, ttft_s, tps, eval_ms, load_ms,
                prompt, completion, stamp, NOTES[rng.randrange(len(NOTES))])
            lines.append(line)
            written += len(line)
            if len(lines) >= 4096:
                f.write("".join(lines))
                lines = []
        f.write("".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
