#!/bin/sh
# tests/bench/run.sh: chimera's benchmarks, each against a baseline measured in the same run.
#
#   BUILD=build sh tests/bench/run.sh        (what `make bench` runs)
#
# Takes $BUILD/chimera and $BUILD/tests/bench_{scan,csv,json}. Generates its data in a
# temporary folder under /dev/shm when that has >= 1 GiB free (else under /tmp, or under
# $BENCH_TMP when set) and removes it on exit. Prints each measurement as it goes, then a
# table. A number that misses its target is reported, never an error: the exit status is
# 0 unless a program crashed or could not run. MB = 10^6 bytes throughout.
# Knobs (environment): BENCH_FILES (tree size, 100000), BENCH_CSV_MB (200), BENCH_JSON_MB
# (100), BENCH_RUNS (scan rounds, 5), BENCH_DATA_RUNS (CSV/JSON rounds, 3), BENCH_PAINT_RUNS
# (15), CHIMERA_CORPUS (the folder for the first-paint test), BENCH_STREAM_TOKENS (pieces per
# call, 2000), BENCH_STREAM_RATE (tok/s, 500), BENCH_STREAM_RUNS (streamed analyses, 3),
# BENCH_KEY_SAMPLES (keys per latency test, 200).
set -u

BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
FILES=${BENCH_FILES:-100000}
CSV_MB=${BENCH_CSV_MB:-200}
CSV_SMALL_MB=$((CSV_MB / 4))
JSON_MB=${BENCH_JSON_MB:-100}
RUNS=${BENCH_RUNS:-5}
DRUNS=${BENCH_DATA_RUNS:-3}
PRUNS=${BENCH_PAINT_RUNS:-15}
CORPUS=${CHIMERA_CORPUS:-$ROOT/../shared/corpus/chimeraforge}
STOKENS=${BENCH_STREAM_TOKENS:-2000}
SRATE=${BENCH_STREAM_RATE:-500}
SKEYS=${BENCH_KEY_SAMPLES:-200}
SRUNS=${BENCH_STREAM_RUNS:-3}

case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/chimera
BSCAN=$BUILD/tests/bench_scan
BCSV=$BUILD/tests/bench_csv
BJSON=$BUILD/tests/bench_json

for b in "$BIN" "$BSCAN" "$BCSV" "$BJSON"; do
    if [ ! -x "$b" ]; then
        echo "bench: $b is missing: build it first (make BUILD=${BUILD##*/} bench)" >&2
        exit 1
    fi
done
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "bench: $PYTHON is needed for the data generators" >&2
    exit 1
fi

# --- scratch space ----------------------------------------------------------------------

free_kb() {
    df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'
}
if [ -n "${BENCH_TMP:-}" ]; then
    BASE=$BENCH_TMP
elif [ -d /dev/shm ] && [ "$(free_kb /dev/shm || echo 0)" -ge 1048576 ] 2>/dev/null; then
    BASE=/dev/shm
else
    BASE=${TMPDIR:-/tmp}
fi
WORK=$(mktemp -d "$BASE/chimera-bench.XXXXXX") || exit 1
GEN_PIDS=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    for p in $GEN_PIDS; do
        kill "$p" 2>/dev/null
    done
    chmod -R u+rwX "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

CRASHED=0
TABLE=$WORK/table.txt
: >"$TABLE"

# A child's wall time, CPU time and peak RSS (wait4), stdout to a file or /dev/null:
#   t_run OUT CMD ARGS...  ->  x_seconds=... x_cpu=... x_rss_kb=... x_rc=...
cat >"$WORK/t_run.py" <<'EOF'
import os, sys, time
out = os.devnull if sys.argv[1] == "-" else sys.argv[1]
argv = sys.argv[2:]
acts = [(os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
t0 = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
except OSError as e:
    print("x_seconds=0 x_cpu=0 x_rss_kb=0 x_rc=127")
    sys.stderr.write("bench: cannot run %s: %s\n" % (argv[0], e))
    sys.exit(1)
_, status, ru = os.wait4(pid, 0)
t1 = time.perf_counter()
rc = os.waitstatus_to_exitcode(status)
print("x_seconds=%.4f x_cpu=%.4f x_rss_kb=%d x_rc=%d"
      % (t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc))
sys.exit(0 if rc == 0 else 1)
EOF
t_run() {
    "$PYTHON" "$WORK/t_run.py" "$@"
}

# kv LINE KEY: the value of KEY= in a line of key=value pairs.
kv() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# calc EXPR: awk arithmetic, printed with the given format (default %.2f).
calc() {
    awk "BEGIN { printf \"${2:-%.2f}\", ($1) }"
}
# ratio A B [FORMAT]: A / B, or "-" when either is missing, not a number or B is 0.
ratio() {
    awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {
        if (a !~ /^[0-9.eE+-]+$/ || b !~ /^[0-9.eE+-]+$/ || b + 0 == 0) { print "-"; exit }
        printf f, a / b }'
}
# verdict VALUE OP LIMIT: "ok" or "MISS" (OP: le, lt, ge).
verdict() {
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
        if (v == "" || v == "nan") { print "n/a"; exit }
        ok = (op == "le") ? v + 0 <= l + 0 : (op == "lt") ? v + 0 < l + 0 : v + 0 >= l + 0
        print ok ? "ok" : "MISS" }'
}
row() {
    printf '%-34s %-22s %-28s %-12s %-14s %s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$TABLE"
}
crash() {
    echo "bench: FAILED: $*" >&2
    CRASHED=1
}
say() {
    printf '%s\n' "$*"
}

# --- context ------------------------------------------------------------------------------

say "chimera bench: binaries from $BUILD, data in $WORK"
say "machine: $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null), $(uname -sr)"
LOAD1=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if [ "$(calc "$LOAD1 >= $(nproc 2>/dev/null || echo 1) * 0.5" %d)" = 1 ]; then
    say "note: the machine is busy (load $LOAD1): wall-clock numbers will be noisy; the CPU"
    say "      times printed beside them are steadier"
fi
HAVE_JQ=1
if ! command -v jq >/dev/null 2>&1; then
    HAVE_JQ=0
    say "note: jq is not installed (apt-get install -y jq): the JSON ratio against jq is skipped"
fi

# --- data ---------------------------------------------------------------------------------

say ""
say "== generating data (tree of $FILES files, CSV $CSV_MB and $CSV_SMALL_MB MiB, JSON $JSON_MB MB)"
T0=$(date +%s)
"$PYTHON" "$ROOT/tests/sample/gen_tree.py" "$WORK/tree" --files "$FILES" >/dev/null &
P_TREE=$!
"$PYTHON" "$ROOT/tests/bench/gen_csv.py" "$WORK/big.csv" "$CSV_MB" &
P_CSV=$!
"$PYTHON" "$ROOT/tests/bench/gen_json.py" "$WORK/big.json" "$JSON_MB" &
P_JSON=$!
"$PYTHON" "$ROOT/tests/bench/gen_csv.py" "$WORK/small.csv" "$CSV_SMALL_MB" &
P_SMALL=$!
GEN_PIDS="$P_TREE $P_CSV $P_JSON $P_SMALL"
GEN_OK_TREE=1 GEN_OK_CSV=1 GEN_OK_JSON=1 GEN_OK_SMALL=1
wait $P_TREE || { crash "gen_tree.py"; GEN_OK_TREE=0; }
wait $P_CSV || { crash "gen_csv.py $CSV_MB"; GEN_OK_CSV=0; }
wait $P_JSON || { crash "gen_json.py $JSON_MB"; GEN_OK_JSON=0; }
wait $P_SMALL || { crash "gen_csv.py $CSV_SMALL_MB"; GEN_OK_SMALL=0; }
GEN_PIDS=""
say "generated in $(($(date +%s) - T0)) s"

# --- 1 + 4. tree scan -----------------------------------------------------------------------

if [ $GEN_OK_TREE = 1 ]; then
    TREE=$WORK/tree
    say ""
    say "== scan: $TREE (bench_scan vs find -printf '%s %T@\\n'), warm-up then $RUNS rounds"
    "$BSCAN" "$TREE" scan >/dev/null || crash "bench_scan scan (warm-up)"
    t_run - find "$TREE" -printf '%s %T@\n' >/dev/null || crash "find (warm-up)"
    "$BSCAN" "$TREE" watch >/dev/null || crash "bench_scan watch (warm-up)"
    S_SEC="" S_CPU="" S_RPF="" S_HPF="" S_PEAK="" F_SEC="" F_CPU="" W_SEC="" W_CPU="" TRUE_SEC=""
    ENTRIES=""
    i=1
    while [ $i -le "$RUNS" ]; do
        if line=$("$BSCAN" "$TREE" scan); then
            say "  scan    $line"
            S_SEC="$S_SEC $(kv "$line" seconds)" S_CPU="$S_CPU $(kv "$line" cpu_seconds)"
            S_RPF="$S_RPF $(kv "$line" rss_per_file_b)" S_HPF="$S_HPF $(kv "$line" heap_per_file_b)"
            S_PEAK="$S_PEAK $(kv "$line" peak_rss_kb)" ENTRIES=$(kv "$line" files)
        else
            crash "bench_scan scan"
        fi
        if line=$(t_run - find "$TREE" -printf '%s %T@\n'); then
            say "  find    $line"
            F_SEC="$F_SEC $(kv "$line" x_seconds)" F_CPU="$F_CPU $(kv "$line" x_cpu)"
        else
            crash "find"
        fi
        if line=$("$BSCAN" "$TREE" watch); then
            say "  watch   $line"
            W_SEC="$W_SEC $(kv "$line" seconds)" W_CPU="$W_CPU $(kv "$line" cpu_seconds)"
        else
            crash "bench_scan watch"
        fi
        line=$(t_run - true) && TRUE_SEC="$TRUE_SEC $(kv "$line" x_seconds)"
        i=$((i + 1))
    done
    if line=$("$BSCAN" "$TREE" events); then
        say "  events  $line"
        EV_US=$(kv "$line" us_per_event) EV_N=$(kv "$line" events)
    else
        crash "bench_scan events"
        EV_US="" EV_N=""
    fi
    # shellcheck disable=SC2086
    {
        ms=$(median $S_SEC) mc=$(median $S_CPU) fs=$(median $F_SEC) fc=$(median $F_CPU)
        ws=$(median $W_SEC) wc=$(median $W_CPU) rpf=$(median $S_RPF) hpf=$(median $S_HPF)
        peak=$(median $S_PEAK) ts=$(median $TRUE_SEC)
    }
    if [ -n "$S_SEC" ] && [ -n "$F_SEC" ]; then
        r=$(calc "$ms / $fs")
        say "  median: scan $ms s (cpu $mc s), find $fs s (cpu $fc s; process start alone $ts s)," \
            "ratio $r (cpu ratio $(calc "$mc / $fc"))"
        row "scan $ENTRIES entries" "$(calc "$ms" %.3f) s" "find -printf $(calc "$fs" %.3f) s" \
            "${r}x" "<= 1.10x" "$(verdict "$r" le 1.10)"
    fi
    if [ -n "$W_SEC" ] && [ -n "$F_SEC" ]; then
        r=$(calc "$ws / $fs")
        say "  median: scan with watches $ws s (cpu $wc s): the watches add" \
            "$(calc "($wc - $mc) * 1000" %.0f) ms of CPU; following changes costs" \
            "${EV_US:-?} us/event (${EV_N:-?} events)"
        row "scan + inotify watches" "$(calc "$ws" %.3f) s" "find -printf $(calc "$fs" %.3f) s" \
            "${r}x" "(info)" "-"
        [ -n "$EV_US" ] && row "live update, per event" "$EV_US us" "-" "-" "(info)" "-"
    fi
    if [ -n "$S_RPF" ]; then
        say "  median: RSS growth per entry $rpf B (malloc'd $hpf B), peak RSS $peak kB"
        row "RSS per entry ($ENTRIES)" "$(calc "$rpf" %.0f) B" "heap $(calc "$hpf" %.0f) B/entry" \
            "-" "< 150 B" "$(verdict "$rpf" lt 150)"
        row "peak RSS, $ENTRIES-entry scan" "$(calc "$peak / 1024" %.1f) MiB" \
            "= $(calc "$peak * 1024 / $ENTRIES" %.0f) B/entry" "-" "(info)" "-"
    fi
fi

# --- 2. CSV statistics ------------------------------------------------------------------------

if [ $GEN_OK_CSV = 1 ]; then
    CSV=$WORK/big.csv
    CSV_BYTES=$(wc -c <"$CSV")
    CSV_MBR=$(calc "$CSV_BYTES / 1e6" %.0f)
    say ""
    say "== csv: $CSV ($CSV_MBR MB): bench_csv full vs cat > /dev/null and wc -l, $DRUNS rounds"
    t_run - cat "$CSV" >/dev/null
    C_SEC="" C_CPU="" C_PEAK="" H_SEC="" CAT_SEC="" WC_SEC=""
    i=1
    while [ $i -le "$DRUNS" ]; do
        if line=$("$BCSV" "$CSV" full); then
            say "  full    $line"
            C_SEC="$C_SEC $(kv "$line" seconds)" C_CPU="$C_CPU $(kv "$line" cpu_seconds)"
            C_PEAK="$C_PEAK $(kv "$line" peak_rss_kb)"
        else
            crash "bench_csv full"
        fi
        if line=$(t_run - cat "$CSV"); then
            say "  cat     $line"
            CAT_SEC="$CAT_SEC $(kv "$line" x_seconds)"
        else
            crash "cat"
        fi
        if line=$(t_run - wc -l "$CSV"); then
            say "  wc -l   $line"
            WC_SEC="$WC_SEC $(kv "$line" x_seconds)"
        else
            crash "wc -l"
        fi
        if line=$("$BCSV" "$CSV" harvest); then
            say "  harvest $line"
            H_SEC="$H_SEC $(kv "$line" seconds)"
        else
            crash "bench_csv harvest"
        fi
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    {
        cs=$(median $C_SEC) cc=$(median $C_CPU) cpk=$(median $C_PEAK) hs=$(median $H_SEC)
        cats=$(median $CAT_SEC) wcs=$(median $WC_SEC)
    }
    if [ -n "$C_SEC" ]; then
        cmb=$(calc "$CSV_BYTES / 1e6 / $cs" %.0f)
        say "  median: full $cs s = $cmb MB/s (cpu ${cc:-?} s), peak RSS $cpk kB"
        if [ -n "$CAT_SEC" ]; then
            catmb=$(calc "$CSV_BYTES / 1e6 / $cats" %.0f)
            ccmb=0
            [ -n "$cc" ] && ccmb=$(calc "$CSV_BYTES / 1e6 / $cc" %.0f)
            v=$(verdict "$cmb" ge 200)
            # a busy machine stretches wall time: say when the CPU time alone meets it
            [ "$v" = MISS ] && [ "$(verdict "$ccmb" ge 200)" = ok ] && v="MISS (cpu ok)"
            row "csv full stats, $CSV_MBR MB" "$cmb MB/s (cpu $ccmb)" "cat $catmb MB/s" \
                "$(calc "$cmb / $catmb")x" ">= 200 MB/s" "$v"
        fi
        if [ -n "$WC_SEC" ]; then
            wcmb=$(calc "$CSV_BYTES / 1e6 / $wcs" %.0f)
            row "csv full stats, $CSV_MBR MB" "$cmb MB/s" "wc -l $wcmb MB/s" \
                "$(calc "$cmb / $wcmb")x" "(info)" "-"
        fi
        [ -n "$H_SEC" ] && row "csv harvest mode (inventory)" \
            "$(calc "$CSV_BYTES / 1e6 / $hs" %.0f) MB/s" "-" "-" "(info)" "-"
    fi
    if [ -n "$C_SEC" ] && [ $GEN_OK_SMALL = 1 ]; then
        SMALL=$WORK/small.csv
        SMALL_BYTES=$(wc -c <"$SMALL")
        if line=$("$BCSV" "$SMALL" full); then
            say "  small   $line"
            spk=$(kv "$line" peak_rss_kb)
            r=$(calc "$cpk / $spk")
            say "  peak RSS: $cpk kB on $CSV_MBR MB, $spk kB on" \
                "$(calc "$SMALL_BYTES / 1e6" %.0f) MB: ratio $r for $(calc "$CSV_BYTES / $SMALL_BYTES" %.1f)x the data"
            row "csv peak RSS $CSV_MBR vs $(calc "$SMALL_BYTES / 1e6" %.0f) MB" \
                "$(calc "$cpk / 1024" %.1f) MiB" "$(calc "$spk / 1024" %.1f) MiB" "${r}x" \
                "<= 1.10x" "$(verdict "$r" le 1.10)"
        else
            crash "bench_csv full (small file)"
        fi
    fi
fi

# --- 3. JSON harvest ------------------------------------------------------------------------

if [ $GEN_OK_JSON = 1 ]; then
    JSON=$WORK/big.json
    JSON_BYTES=$(wc -c <"$JSON")
    JSON_MBR=$(calc "$JSON_BYTES / 1e6" %.0f)
    say ""
    say "== json: $JSON ($JSON_MBR MB): bench_json harvest vs jq length, $DRUNS rounds"
    t_run - cat "$JSON" >/dev/null
    J_SEC="" J_PEAK="" JQ_SEC="" JQ_RSS=""
    i=1
    while [ $i -le "$DRUNS" ]; do
        if line=$("$BJSON" "$JSON" harvest); then
            say "  harvest $line"
            J_SEC="$J_SEC $(kv "$line" seconds)" J_PEAK="$J_PEAK $(kv "$line" peak_rss_kb)"
        else
            crash "bench_json harvest"
        fi
        if [ $HAVE_JQ = 1 ]; then
            if line=$(t_run - jq length "$JSON"); then
                say "  jq      $line"
                JQ_SEC="$JQ_SEC $(kv "$line" x_seconds)" JQ_RSS="$JQ_RSS $(kv "$line" x_rss_kb)"
            else
                crash "jq length"
            fi
        fi
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    {
        js=$(median $J_SEC) jpk=$(median $J_PEAK) jqs=$(median $JQ_SEC) jqr=$(median $JQ_RSS)
    }
    jqmb=""
    [ -n "$JQ_SEC" ] && jqmb=$(calc "$JSON_BYTES / 1e6 / $jqs" %.1f)
    if [ -n "$J_SEC" ]; then
        jmb=$(calc "$JSON_BYTES / 1e6 / $js" %.0f)
        if [ -n "$jqmb" ]; then
            r=$(calc "$jmb / $jqmb")
            say "  median: harvest $js s = $jmb MB/s; jq $jqs s = $jqmb MB/s (peak RSS $jqr kB)"
            row "json harvest, $JSON_MBR MB" "$jmb MB/s" "jq length $jqmb MB/s" "${r}x" \
                ">= 3x jq" "$(verdict "$r" ge 3)"
        else
            say "  median: harvest $js s = $jmb MB/s (no jq: ratio skipped)"
            row "json harvest, $JSON_MBR MB" "$jmb MB/s" "jq missing" "-" ">= 3x jq" "n/a"
        fi
        r=$(calc "$jpk * 1024 / $JSON_BYTES")
        bl="-"
        [ -n "$JQ_RSS" ] && bl="jq $(calc "$jqr / 1024" %.0f) MiB"
        row "json harvest peak RSS" "$(calc "$jpk / 1024" %.1f) MiB" "$bl" "${r}x file" \
            "< 4x file" "$(verdict "$r" lt 4)"
    fi
    for m in validate cjson jsondoc; do
        if line=$("$BJSON" "$JSON" $m); then
            say "  $m $line"
            s=$(kv "$line" seconds) pk=$(kv "$line" peak_rss_kb)
            mb=$(calc "$JSON_BYTES / 1e6 / $s" %.0f)
            if [ -n "$jqmb" ]; then
                rr="$(calc "$mb / $jqmb")x"
                bl="jq length $jqmb MB/s"
            else
                rr="-" bl="-"
            fi
            case $m in
            validate) name="json validate only (ref)" ;;
            cjson) name="json cJSON whole doc (ref)" ;;
            *) name="json jsondoc tree (ref)" ;;
            esac
            row "$name" "$mb MB/s" "$bl" "$rr" "(info)" \
                "rss $(calc "$pk * 1024 / $JSON_BYTES")x file"
        else
            crash "bench_json $m"
        fi
    done
fi

# --- 5. time to first paint -------------------------------------------------------------------

say ""
if [ -d "$CORPUS" ]; then
    PDIR=$(cd "$CORPUS" && pwd) PNAME="corpus ${PDIR##*/}"
else
    "$PYTHON" "$ROOT/tests/sample/gen_tree.py" "$WORK/sample" >/dev/null || crash "gen_tree.py (sample)"
    PDIR=$WORK/sample PNAME="generated sample tree"
    say "note: $CORPUS does not exist: first paint is measured on the generated sample tree"
fi
say "== first paint: $PNAME ($PDIR), 100x30 pty, $PRUNS runs"
if line=$("$PYTHON" "$ROOT/tests/bench/first_paint.py" --bin "$BIN" --dir "$PDIR" --runs "$PRUNS"); then
    say "  $line"
    pm=$(kv "$line" chimera_median_ms) p9=$(kv "$line" chimera_p90_ms)
    bm=$(kv "$line" baseline_median_ms)
    row "first paint, $PNAME" "$pm ms (p90 $p9)" "printf via pty $bm ms" \
        "$(kv "$line" ratio)x" "< 30 ms" "$(verdict "$pm" lt 30)"
else
    crash "first_paint.py on $PDIR"
fi
if [ $GEN_OK_TREE = 1 ]; then
    # the scan runs in slices after the first paint, so a big tree must not delay it
    if line=$("$PYTHON" "$ROOT/tests/bench/first_paint.py" --bin "$BIN" --dir "$WORK/tree" --runs 5); then
        say "  $line"
        row "first paint, $ENTRIES-entry tree" "$(kv "$line" chimera_median_ms) ms" \
            "printf via pty $(kv "$line" baseline_median_ms) ms" "$(kv "$line" ratio)x" \
            "(info)" "-"
    else
        crash "first_paint.py on the big tree"
    fi
fi

# --- 6. streaming: CPU and terminal bytes per token, keypress latency -------------------------

say ""
say "== streaming: fake Ollama at $SRATE tok/s, $STOKENS tokens per call, 120x40 pty;" \
    "$SRUNS streamed analyses, $SKEYS keys per latency test"
SOUT=$WORK/stream.txt
{
    "$PYTHON" "$ROOT/tests/bench/stream_bench.py" --bin "$BIN" --tmp "$WORK" --tokens "$STOKENS" \
        --rate "$SRATE" --samples "$SKEYS" --cpu-runs "$SRUNS"
    echo $? >"$WORK/stream.rc"
} | tee "$SOUT" | sed 's/^/  /'
[ "$(cat "$WORK/stream.rc" 2>/dev/null)" = 0 ] || crash "stream_bench.py"
line=$(grep '^cpu ' "$SOUT" | head -n 1)
if [ -n "$line" ]; then
    core=$(kv "$line" core_pct) fcore=$(kv "$line" fake_core_pct) us=$(kv "$line" us_per_tok)
    catus=$(kv "$line" cat_us_per_tok) bpt=$(kv "$line" bytes_per_tok)
    tbpt=$(kv "$line" token_bytes_per_tok) cbpt=$(kv "$line" cat_bytes_per_tok)
    br=$(kv "$line" bytes_ratio) ntok=$(kv "$line" tokens)
    row "stream CPU, $SRATE tok/s" "$(calc "$core") % core" "fake server $(calc "$fcore") % core" \
        "$(ratio "$core" "$fcore")x" "< 2% of a core" "$(verdict "$core" lt 2)"
    row "stream CPU per token ($ntok tok)" "$(calc "$us" %.1f) us/tok" \
        "cat of the text $(calc "$catus" %.2f) us/tok" "$(ratio "$us" "$catus" %.0f)x" "(info)" "-"
    row "stream bytes to the tty per token" "$(calc "$bpt" %.1f) B/tok" \
        "text $(calc "$tbpt") B, cat $(calc "$cbpt") B" "${br}x text" "< 2x text" \
        "$(verdict "$br" lt 2)"
fi
ls_=$(grep '^latency mode=stream ' "$SOUT" | head -n 1)
li=$(grep '^latency mode=idle ' "$SOUT" | head -n 1)
le=$(grep '^latency mode=echo ' "$SOUT" | head -n 1)
if [ -n "$ls_" ]; then
    sp99=$(kv "$ls_" p99_ms) ip99=$(kv "$li" p99_ms) ep99=$(kv "$le" p99_ms)
    v=$(verdict "$sp99" lt 20)
    [ "$(kv "$ls_" failures)" != 0 ] && v="$v ($(kv "$ls_" failures) lost)"
    [ "$(kv "$ls_" outside_stream)" != 0 ] && v="$v ($(kv "$ls_" outside_stream) unstreamed)"
    row "key to screen while streaming" "p50 $(calc "$(kv "$ls_" p50_ms)") p99 $(calc "$sp99") ms" \
        "idle p99 $(calc "${ip99:-0}"), echo $(calc "${ep99:-0}")" \
        "$(ratio "$sp99" "$ip99")x idle" "p99 < 20 ms" "$v"
fi
if [ -n "$li" ]; then
    ip50=$(kv "$li" p50_ms) ip99=$(kv "$li" p99_ms) ep50=$(kv "$le" p50_ms) ep99=$(kv "$le" p99_ms)
    row "key to screen, idle" "p50 $(calc "$ip50") p99 $(calc "$ip99") ms" \
        "echo p50 $(calc "${ep50:-0}") p99 $(calc "${ep99:-0}")" "$(ratio "$ip99" "$ep99")x echo" \
        "(info)" "-"
fi

# --- table ----------------------------------------------------------------------------------

say ""
printf '%-34s %-22s %-28s %-12s %-14s %s\n' benchmark chimera baseline ratio target result
cat "$TABLE"
say ""
say "ratios: time ratios for the scan (lower is better), speed ratios (chimera MB/s over the"
say "baseline's) for CSV and JSON, RSS ratios as labelled; medians of the rounds above."
say "streaming: CPU and bytes over the stream of the median of the analyses (CPU / the fake"
say "server's CPU, bytes / the tokens' own bytes); key latencies are p99 over p99."
if [ $CRASHED = 1 ]; then
    say "some benchmarks could not run (see FAILED above)"
    exit 1
fi
exit 0
