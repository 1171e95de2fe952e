#!/usr/bin/env bash
# CI stage: the threaded load run of load.threads (tests/load/load_run.c)
# under ThreadSanitizer: the tree built with clang and OTLS_SANITIZE=thread,
# then otls_load, the same run as a plain program (Criterion's runner
# switches stacks in a way TSan cannot follow and crashes under it), with 8
# threads x OTLS_LOAD_ROUNDS connections per backend on every backend
# (backends first used concurrently, shared contexts, answers compared with
# one thread's); then otls_reload (a server context reloaded while its
# connections' handshakes run). Any report fails (halt_on_error, non-zero exit).
# Suppressions, each with its reason: tests/sanitizers/tsan.supp.
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
cmake --build "$build" -j "$jobs" --target otls_load otls_reload >"$build/build.log" 2>&1 || {
    tail -50 "$build/build.log"
    exit 1
}

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$here/tests/sanitizers/tsan.supp"
export OTLS_LOAD_THREADS=${OTLS_LOAD_THREADS:-8}
export OTLS_LOAD_ROUNDS=${OTLS_LOAD_ROUNDS:-25}
log=$build/tsan.log
set +e
"$build/tests/load/otls_load" "$OTLS_LOAD_THREADS" "$OTLS_LOAD_ROUNDS" >"$log" 2>&1
rc=$?
set -e
cat "$log" | grep -v '^    #' | head -60
if grep -q 'WARNING: ThreadSanitizer' "$log"; then
    echo "tsan: reports found (full log: $log)" >&2
    rc=1
fi
grep -q '^\[load\] .* every answer identical' "$log" || rc=1
# A server context reloaded while its connections' handshakes run in
# other threads (tests/load/reload.c).
"$build/tests/load/otls_reload" >"$build/tsan-reload.log" 2>&1 || rc=1
grep -v '^    #' "$build/tsan-reload.log" | head -30
grep -q 'WARNING: ThreadSanitizer' "$build/tsan-reload.log" && rc=1
echo "tsan: exit $rc, $(($(date +%s) - start)) s including the build"
exit "$rc"
