#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them all: native vs omnitls on
# every backend, callgrind instruction counts, wall-clock pairs, memory,
# introspection, certificate decoding against Python, scaling. Writes the
# markdown table of docs/performance.md to $OUT (default
# build-bench-release/performance.md) and prints it.
#
#   bench/run.sh [--quick] [--out FILE] [--backends openssl,mbedtls,wolfssl] [--no-decode]
#                [--parts cg,wall,mem,intro,decode]
#
# --quick: small counts (a check that everything runs; numbers are rough).
# --backends, --no-decode, --parts: a part of the table only (e.g. the
# wall-clock parts on a quiet machine, instruction counts at any time).
# Needs valgrind and /usr/bin/python3 (scripts/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BENCH_BUILD_DIR:-$root/build-bench-release}
args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --out) args+=(--out "$(realpath -m "$2")"); shift 2 ;;
    --quick | --no-decode) args+=("$1"); shift ;;
    --backends | --parts) args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: bench/run.sh [--quick] [--out FILE] [--backends LIST] [--no-decode] [--parts LIST]" >&2; exit 2 ;;
    esac
done
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DOTLS_BUILD_TESTS=OFF \
    -DOTLS_BUILD_EXAMPLES=OFF -DOTLS_BUILD_DOCS=OFF -DOTLS_BUILD_BENCH=ON >"$build-cmake.log" 2>&1 ||
    { cat "$build-cmake.log"; exit 1; }
# Two jobs at most: the machine is shared.
nice -n 10 cmake --build "$build" -j2 >"$build/build.log" 2>&1 || { tail -50 "$build/build.log"; exit 1; }
rm -f "$build-cmake.log"
exec /usr/bin/python3 "$root/bench/run.py" --build "$build" "${args[@]}"
