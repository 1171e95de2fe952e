#!/usr/bin/env bash
# CI stage: the threaded load test (tests/load/test_load.c) under
# ThreadSanitizer: the tree built with clang and OTLS_SANITIZE=thread, then
# load.threads with 8 threads x OTLS_LOAD_ROUNDS handshakes per backend on
# every backend (backends first used concurrently, shared contexts). Any
# report fails (halt_on_error; the test process's exit code fails the test,
# tests/main.c). Suppressions, each with its reason: tests/sanitizers/tsan.supp.
#   scripts/ci/tsan.sh        (BUILD_DIR, JOBS, OTLS_LOAD_ROUNDS from the environment)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$here/build-tsan}
jobs=${JOBS:-$(nproc)}
start=$(date +%s)

"$here/scripts/install-deps.sh"
mkdir -p "$build"
CC=clang cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DOTLS_SANITIZE=thread -DOTLS_BUILD_EXAMPLES=OFF -DOTLS_BUILD_DOCS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target test_load >"$build/build.log" 2>&1 || {
    tail -50 "$build/build.log"
    exit 1
}

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$here/tests/sanitizers/tsan.supp"
export OTLS_LOAD_THREADS=${OTLS_LOAD_THREADS:-8}
export OTLS_LOAD_ROUNDS=${OTLS_LOAD_ROUNDS:-25}
log=$build/tsan.log
set +e
(cd "$build" && ctest -R '^load\.threads$' --output-on-failure --timeout 900 -V) >"$log" 2>&1
rc=$?
set -e
grep -E '^\[load\]|tests passed|Failed|ThreadSanitizer' "$log" || true
if grep -q 'WARNING: ThreadSanitizer' "$log"; then
    grep -A40 'WARNING: ThreadSanitizer' "$log" | head -80
    echo "tsan: reports found" >&2
    rc=1
fi
grep -q '^[0-9]*: \[load\] .* every answer identical' "$log" || {
    tail -40 "$log"
    echo "tsan: the load test did not complete" >&2
    rc=1
}
echo "tsan: exit $rc, $(($(date +%s) - start)) s including the build"
exit "$rc"
