#!/usr/bin/env bash
# CI stage: the whole tree (library, built-in backends, the wolfSSL plugin,
# tools, examples, tests) built with clang's AddressSanitizer +
# UndefinedBehaviorSanitizer (OTLS_SANITIZE=address,undefined), then the
# whole CTest suite: every backend, the cross-backend matrix, the real
# peers. LeakSanitizer runs at the exit of every process. Any report fails:
# reports are fatal (-fno-sanitize-recover=all, halt_on_error), a test
# process that ends non-zero after its test fails the test
# (tests/main.c), and the log is searched for reports as a last check.
#   scripts/ci/sanitizers.sh        (BUILD_DIR, JOBS from the environment)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$here/build-asan}
jobs=${JOBS:-$(nproc)}
start=$(date +%s)

"$here/scripts/install-deps.sh"
# The load and soak tests run smaller here (leaks, not memory growth, are
# what this run checks; RSS means little under ASan's quarantine).
CC=clang cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
    -DOTLS_SANITIZE=address,undefined -DOTLS_SOAK_HANDSHAKES=100 >/dev/null
cmake --build "$build" -j "$jobs" >"$build/build.log" 2>&1 || {
    tail -50 "$build/build.log"
    exit 1
}

supp=$here/tests/sanitizers
# detect_leaks: LeakSanitizer in every process. Child processes that are
# not ours (python3, openssl, gnutls-cli) are not instrumented, so the
# options do nothing there (clang links the run time statically: no
# LD_PRELOAD anywhere).
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export LSAN_OPTIONS=suppressions=$supp/lsan.supp:print_suppressions=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp

export OTLS_LOAD_ROUNDS=${OTLS_LOAD_ROUNDS:-30}
log=$build/ctest.log
set +e
(cd "$build" && ctest -j "$jobs" --output-on-failure --timeout 600) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# The suites print their processes' output only on failure; run once more
# over the whole log anyway, in case a report hid in a passing test's output.
if grep -nE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' "$log"; then
    echo "sanitizers: reports found (above)" >&2
    rc=1
fi
echo "sanitizers: ctest exit $rc, $(($(date +%s) - start)) s including the build"
exit "$rc"
