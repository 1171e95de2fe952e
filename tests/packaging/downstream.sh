#!/usr/bin/env bash
# examples/downstream, a project that tests its code against every backend
# with omnitls_add_test(), built and run against this build installed in a
# temporary prefix:
#   downstream.sh BUILD_DIR SOURCE_DIR LIBDIR CC "BACKENDS" "PLUGIN_BACKENDS"
# Checks that one test per backend ran on that backend, that `ctest -L <b>`
# runs that column alone, and that a backend the package lacks (unknown, or
# a plugin whose module is gone) stops the configure step with a clear
# message, or is left out with a warning under SKIP_MISSING.
set -euo pipefail
build=$1
src=$2
libdir=$3
cc=$4
backends=$5
plugins=$6
cmake=${CMAKE_COMMAND:-cmake}
ctest=$(dirname "$cmake")/ctest
[ -x "$ctest" ] || ctest=ctest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }
unset LD_LIBRARY_PATH CMAKE_PREFIX_PATH OMNITLS_BACKEND OMNITLS_PLUGIN_PATH

"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" || {
    cat "$work/install.log"
    fail "install"
}
[ -e "$prefix/$libdir/cmake/omnitls/OmnitlsAddTest.cmake" ] || fail "OmnitlsAddTest.cmake not installed"

# CMake wraps messages: match them on the log's words, one line.
logged() { tr -s ' \n' '  ' <"$work/configure.log" | grep -q "$1"; }

configure() { # build-dir extra-args...
    local dir=$1
    shift
    "$cmake" -S "$src/examples/downstream" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" "$@" >"$work/configure.log" 2>&1
}

step "configure and build examples/downstream"
bdir=$work/ds
configure "$bdir" || {
    cat "$work/configure.log"
    fail "configure"
}
grep "registered:" "$work/configure.log"
"$cmake" --build "$bdir" >"$work/build.log" 2>&1 || {
    cat "$work/build.log"
    fail "build"
}

step "ctest: every column"
(cd "$bdir" && "$ctest" -V -j2 >"$work/ctest.log" 2>&1) || {
    cat "$work/ctest.log"
    fail "ctest"
}
n=0
for b in $backends; do
    grep -q "Test #[0-9]*: echo\[$b\] .* Passed" "$work/ctest.log" || fail "echo[$b] did not pass"
    grep -q "echo ok on backend $b: TLSv1" "$work/ctest.log" || fail "echo[$b] did not run on $b"
    n=$((n + 1))
done
ran=$(grep -c "Test #[0-9]*: echo\[" "$work/ctest.log" || true)
[ "$ran" -eq "$n" ] || fail "$ran echo tests ran, expected one per backend ($n)"
grep "echo ok on backend" "$work/ctest.log" | sed 's/^[0-9]*: //'

step "ctest -L <backend>: one column"
for b in $backends; do
    (cd "$bdir" && "$ctest" -V -L "$b" >"$work/label.log" 2>&1) || {
        cat "$work/label.log"
        fail "ctest -L $b"
    }
    got=$(grep -o "Test #[0-9]*: echo\[[a-z0-9_]*\]" "$work/label.log" | sed 's/.*: //' | tr '\n' ' ')
    [ "$got" = "echo[$b] " ] || fail "ctest -L $b ran: $got"
    grep -q "echo ok on backend $b:" "$work/label.log" || fail "ctest -L $b: not on $b"
    echo "ctest -L $b: $got"
done

step "a backend the package lacks"
if configure "$work/ds-missing" -DDOWNSTREAM_BACKENDS="nosuchbackend"; then
    fail "configure succeeded with BACKENDS nosuchbackend"
fi
logged "was built without the nosuchbackend backend; it has: " ||
    fail "no clear message: $(cat "$work/configure.log")"
echo "BACKENDS nosuchbackend: refused at configure time"
first=${backends%% *}
configure "$work/ds-skip" -DDOWNSTREAM_BACKENDS="$first;nosuchbackend" -DDOWNSTREAM_SKIP_MISSING=ON ||
    fail "SKIP_MISSING: configure failed: $(cat "$work/configure.log")"
logged "echo\[nosuchbackend\] not added" || fail "SKIP_MISSING: no warning"
grep -q "registered: echo\[$first\]$" "$work/configure.log" || fail "SKIP_MISSING: wrong tests"
echo "SKIP_MISSING: nosuchbackend left out with a warning"
for p in $plugins; do
    mv "$prefix/$libdir/omnitls/plugins/omnitls-$p.so" "$work/"
    if configure "$work/ds-noplugin" -DDOWNSTREAM_BACKENDS="$p"; then
        fail "configure succeeded without the $p plugin module"
    fi
    logged "the $p plugin is not installed" ||
        fail "no clear message for the missing $p plugin: $(cat "$work/configure.log")"
    mv "$work/omnitls-$p.so" "$prefix/$libdir/omnitls/plugins/"
    echo "plugin $p missing: refused at configure time"
done
step "the omnitls tree added with add_subdirectory() instead of find_package()"
sdir=$work/ds-subdir
# In a sanitizer build CFLAGS carry -fsanitize=...: the omnitls tree built
# here must know (its plugins then leave the run time's symbols to the
# executable, as the outer build's do).
san=""
case "${CFLAGS:-}" in
*-fsanitize=*)
    san=${CFLAGS##*-fsanitize=}
    san=${san%% *}
    ;;
esac
"$cmake" -S "$src/examples/downstream" -B "$sdir" -DDOWNSTREAM_OMNITLS_SOURCE="$src" \
    -DOTLS_SANITIZE="$san" -DCMAKE_C_COMPILER="$cc" >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log"
    fail "configure with add_subdirectory"
}
grep "registered:" "$work/configure.log"
"$cmake" --build "$sdir" -j2 >"$work/build.log" 2>&1 || {
    cat "$work/build.log"
    fail "build with add_subdirectory"
}
(cd "$sdir" && "$ctest" -V -j2 >"$work/ctest.log" 2>&1) || {
    cat "$work/ctest.log"
    fail "ctest with add_subdirectory"
}
for b in $backends; do
    grep -q "echo ok on backend $b: TLSv1" "$work/ctest.log" || fail "add_subdirectory: echo[$b] did not run on $b"
done
ran=$(grep -c "Test #[0-9]*: " "$work/ctest.log" || true)
[ "$ran" -eq "$(($(echo $backends | wc -w) + 1))" ] ||
    fail "add_subdirectory: $ran tests ran, expected the PKI fixture and one per backend"
echo "add_subdirectory: every column passed, no omnitls test added to the project"
echo "downstream: all passed"
