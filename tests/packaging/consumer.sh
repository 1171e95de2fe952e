#!/usr/bin/env bash
# omnitls as another project uses it: install this build into a temporary
# prefix, then build the examples (examples/, a standalone CMake project)
# against the installed tree four ways, with find_package and with
# pkg-config, shared and static, and run each build's programs against each
# other on 127.0.0.1 (run_examples.sh). Also checks the install tree and the
# package's components.
#   consumer.sh BUILD_DIR SOURCE_DIR LIBDIR CC "BACKENDS" "PLUGIN_BACKENDS"
set -euo pipefail
build=$1
src=$2
libdir=$3
cc=$4
backends=$5
plugins=$6
here=$(cd "$(dirname "$0")" && pwd)
cmake=${CMAKE_COMMAND:-cmake}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }

# The consumer must see only the installed tree.
unset LD_LIBRARY_PATH PKG_CONFIG_LIBDIR CMAKE_PREFIX_PATH
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
export OMNITLS_PLUGIN_PATH=$prefix/$libdir/omnitls/plugins

step "cmake --install $build --prefix <tmp>"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" || {
    cat "$work/install.log"
    fail "install"
}
(cd "$prefix" && find . \( -type f -o -type l \) | sort | grep -v '/html/' | sed 's/^\.\///')
major=$(sed -n 's/^#define OTLS_VERSION_MAJOR \([0-9]*\)$/\1/p' "$prefix/include/omnitls/version.h")
for f in include/omnitls/omnitls.h include/omnitls/provider.h include/omnitls/version.h \
    "$libdir/libomnitls.so" "$libdir/libomnitls.so.$major" "$libdir/libomnitls.a" \
    "$libdir/cmake/omnitls/omnitlsConfig.cmake" "$libdir/cmake/omnitls/omnitlsConfigVersion.cmake" \
    "$libdir/cmake/omnitls/omnitlsTargets.cmake" "$libdir/cmake/omnitls/omnitlsStaticTargets.cmake" \
    "$libdir/pkgconfig/omnitls.pc" "$libdir/pkgconfig/omnitls-static.pc" \
    share/man/man3/omnitls.3 share/man/man3/otls_handshake.3 share/man/man3/otls_read.3; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
for p in $plugins; do
    [ -e "$OMNITLS_PLUGIN_PATH/omnitls-$p.so" ] || fail "plugin $p not installed"
done
soname=$(objdump -p "$prefix/$libdir/libomnitls.so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libomnitls.so.$major" ] || fail "SONAME is '$soname', not libomnitls.so.$major"
echo "SONAME $soname"
if [ -x "$prefix/bin/omnitls" ]; then
    "$prefix/bin/omnitls" --version || fail "the installed omnitls tool does not run"
    "$prefix/bin/omnitls" backends
fi

step "test PKI (openssl command)"
"$here/make_pki.sh" "$work/pki"

needs_shared() { # binary yes|no
    if readelf -d "$1" | grep -q "NEEDED.*libomnitls\.so"; then
        [ "$2" = yes ] || fail "$1 links libomnitls.so: not static"
    else
        [ "$2" = no ] || fail "$1 does not link libomnitls.so"
    fi
}

for kind in shared static; do
    step "find_package(omnitls), $kind"
    bdir=$work/cmake-$kind
    static=OFF
    [ $kind = static ] && static=ON
    "$cmake" -S "$src/examples" -B "$bdir" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" -DOMNITLS_EXAMPLES_STATIC=$static >"$work/configure.log" || {
        cat "$work/configure.log"
        fail "configure ($kind)"
    }
    grep "omnitls" "$work/configure.log"
    grep -q "found .*$prefix/" "$work/configure.log" || fail "the package was not found in $prefix"
    "$cmake" --build "$bdir" >"$work/build.log" 2>&1 || {
        cat "$work/build.log"
        fail "build ($kind)"
    }
    needs_shared "$bdir/https_client" "$([ $kind = shared ] && echo yes || echo no)"
    "$here/run_examples.sh" "$bdir" "$work/pki"
    # The installed plugins, loaded from the prefix.
    for p in $plugins; do
        step "find_package(omnitls), $kind, plugin $p"
        OMNITLS_BACKEND=$p "$here/run_examples.sh" "$bdir" "$work/pki"
    done
done

for kind in shared static; do
    pc=omnitls
    [ $kind = static ] && pc=omnitls-static
    step "pkg-config $pc"
    flags=$(pkg-config --cflags --libs "$pc")
    echo "cc ... $flags"
    bdir=$work/pc-$kind
    mkdir -p "$bdir"
    for ex in https_client tls_server channel_binding nonblocking_poll; do
        # shellcheck disable=SC2086 # the flags are words
        # CFLAGS/LDFLAGS: a sanitizer build's consumers are instrumented too.
        "$cc" ${CFLAGS:-} -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$bdir/$ex" "$src/examples/$ex.c" \
            $flags ${LDFLAGS:-} -Wl,-rpath,"$(pkg-config --variable=libdir omnitls)" ||
            fail "pkg-config build of $ex ($kind)"
    done
    needs_shared "$bdir/https_client" "$([ $kind = shared ] && echo yes || echo no)"
    "$here/run_examples.sh" "$bdir" "$work/pki"
done
static_libs=$(pkg-config --static --libs omnitls)
echo "pkg-config --static --libs omnitls: $static_libs"
case " $backends " in *" openssl "*)
    case " $plugins " in *" openssl "*) ;; *)
        pkg-config --print-requires-private omnitls | grep -q libssl ||
            fail "omnitls.pc: libssl missing from Requires.private" ;;
    esac ;;
esac

step "find_package(omnitls COMPONENTS ...)"
for comp in $backends static; do
    "$cmake" -S "$here/components" -B "$work/comp-$comp" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" -DWANT="$comp" >"$work/comp.log" 2>&1 || {
        cat "$work/comp.log"
        fail "component $comp not found"
    }
    grep "components $comp found" "$work/comp.log"
done
if "$cmake" -S "$here/components" -B "$work/comp-none" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DWANT="nosuchbackend" >"$work/comp.log" 2>&1; then
    fail "COMPONENTS nosuchbackend was found"
fi
grep -q "built without the nosuchbackend backend" "$work/comp.log" ||
    fail "no clear message for a missing component: $(cat "$work/comp.log")"
echo "COMPONENTS nosuchbackend: refused as expected"
echo "consumer: all passed"
