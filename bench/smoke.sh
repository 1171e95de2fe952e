#!/usr/bin/env bash
# A smoke run of one benchmark program with tiny sizes (CTest bench.*):
# proves it builds a connection, moves data and reports, not how fast.
#   bench/smoke.sh BENCH_BIN_DIR PROGRAM
# PROGRAM: openssl, mbedtls, wolfssl (native), omnitls-<backend>, decode.
set -euo pipefail
bin=$1
prog=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/bench_pki" "$dir"
check() { # a line of key=value output with the wanted key
    local out
    out=$("$@")
    echo "$out"
    grep -q '^mode=\|^decode=' <<<"$out"
}
case "$prog" in
decode)
    # A few certificates of the system bundle when there is one; the test
    # leaf always.
    { ls /etc/ssl/certs/*.pem 2>/dev/null | head -5 || true; } >"$dir/list"
    echo "$dir/root.pem" >>"$dir/list"
    check "$bin/bench_decode" --list "$dir/list" --leaf "$dir/server.der" --reps 2
    ;;
omnitls-*)
    b=${prog#omnitls-}
    for v in 1.2 1.3; do
        if [ "$b" = mbedtls ] && [ "$v" = 1.3 ]; then continue; fi # mbedTLS 2.28: TLS 1.2 only
        check "$bin/bench_omnitls" hs --backend "$b" --pki "$dir" --tls "$v" --n 2 --threads 2
        check "$bin/bench_omnitls" bulk --backend "$b" --pki "$dir" --tls "$v" --bytes 100000 --heap-shift 1040
        check "$bin/bench_omnitls" mem --backend "$b" --pki "$dir" --tls "$v" --n 2
        check "$bin/bench_omnitls" coremem --backend "$b" --pki "$dir" --tls "$v" --n 2
        out=$("$bin/bench_omnitls" introspect --backend "$b" --pki "$dir" --tls "$v" --n 100)
        echo "$out"
        # Introspection must not allocate once a value is known.
        if grep '^mode=introspect.*status=' <<<"$out" | grep -v ' allocs=0 core_allocs=0$'; then
            echo "introspection allocated" >&2
            exit 1
        fi
    done
    ;;
*)
    for v in 1.2 1.3; do
        set +e
        out=$("$bin/bench_$prog" hs --pki "$dir" --tls "$v" --n 2 --threads 2 --heap-shift 16)
        rc=$?
        set -e
        echo "$out"
        if [ $rc -eq 77 ] && [ "$prog" = mbedtls ] && [ "$v" = 1.3 ]; then continue; fi
        [ $rc -eq 0 ]
        check "$bin/bench_$prog" bulk --pki "$dir" --tls "$v" --bytes 100000 --heap-shift 1040
        check "$bin/bench_$prog" mem --pki "$dir" --tls "$v" --n 2
    done
    ;;
esac
