#!/bin/sh
# run.sh: build every libFuzzer target in tests/fuzz/ with clang (ASan + UBSan) and run
# each for FUZZ_SECONDS (default 60). Crash inputs land in build-fuzz/, never in the tree.
# Used by `make fuzz`; needs clang and its fuzzer runtime (Debian: clang, libclang-rt-dev).
set -eu
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out"
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is not installed (apt-get install clang)" >&2
    exit 1
fi
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Isrc"
cflags="$cflags $(pkg-config --cflags libcjson libcurl libutf8proc md4c inih)"
libs="$(pkg-config --libs libcjson libcurl libutf8proc md4c inih) -lcsv -lm"
# the core minus what a fuzz target never needs (the terminal front-end is not in src/)
core=$(ls src/*.c)
status=0
for target in tests/fuzz/fuzz_*.c; do
    name=$(basename "$target" .c)
    echo "fuzz: building $name"
    # shellcheck disable=SC2086
    clang $cflags "$target" $core $libs -o "$out/$name"
    mkdir -p "$out/$name.corpus"
    echo "fuzz: running $name for ${seconds}s"
    if ! (cd "$out" && "./$name" -max_total_time="$seconds" -print_final_stats=1 \
            "$name.corpus" >"$name.log" 2>&1); then
        echo "fuzz: $name FOUND A PROBLEM: see $out/$name.log" >&2
        status=1
    else
        tail -n 3 "$out/$name.log" | sed "s/^/fuzz: $name: /"
    fi
done
exit $status
