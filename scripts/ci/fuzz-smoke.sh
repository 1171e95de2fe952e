#!/usr/bin/env bash
# CI stage: every libFuzzer target of fuzz/ for a bounded time from its seed
# corpus, so a crash, leak, sanitizer report or broken invariant that a
# change brings in shows up. The long runs are recorded in
# docs/reliability.md. Needs clang (libFuzzer) and the conformance
# certificates in ../shared/conformance/certs (fuzz_cert's seeds).
#   scripts/ci/fuzz-smoke.sh        (BUILD_DIR, JOBS, FUZZ_SECONDS from the environment)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$here/build-fuzz}
jobs=${JOBS:-$(nproc)}
secs=${FUZZ_SECONDS:-25}
start=$(date +%s)

"$here/scripts/install-deps.sh"
mkdir -p "$build"
CC=clang cmake -S "$here" -B "$build" -DOTLS_BUILD_FUZZ=ON -DOTLS_BUILD_TESTS=OFF \
    -DOTLS_BUILD_EXAMPLES=OFF -DOTLS_BUILD_DOCS=OFF >/dev/null
cmake --build "$build" -j "$jobs" >"$build/build.log" 2>&1 &&
    cmake --build "$build" --target fuzz_cert_seeds >>"$build/build.log" 2>&1 || {
    tail -50 "$build/build.log"
    exit 1
}

f=$build/fuzz
seeds=$f/seeds-tls
targets=$(cd "$f" && ls fuzz_cert fuzz_clienthello fuzz_pem fuzz_handshake_*)
rc=0
for t in $targets; do
    case $t in
    fuzz_cert) args=(-dict="$here/fuzz/cert.dict" -max_len=16384 "$f/seeds") ;;
    fuzz_clienthello) args=("$seeds/hello") ;;
    fuzz_pem) args=(-max_len=16384 "$seeds/pem") ;;
    fuzz_handshake_*) args=("$seeds/handshake") ;;
    esac
    corpus=$f/smoke-corpus/$t
    rm -rf "$corpus"
    mkdir -p "$corpus"
    log=$f/smoke-$t.log
    if (cd "$f" && "./$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
        "$corpus" "${args[@]}") >"$log" 2>&1; then
        echo "fuzz-smoke: $t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs, $(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
    else
        echo "fuzz-smoke: $t FAILED" >&2
        grep -B5 -A40 -E '==ERROR|SUMMARY|deadly signal|Test unit written' "$log" | head -80 >&2
        rc=1
    fi
done
echo "fuzz-smoke: exit $rc, $(($(date +%s) - start)) s including the build"
exit "$rc"
