#!/usr/bin/env bash
# The shared library exports the public otls_* API and nothing else (hidden
# visibility by default, OTLS_API on the API), and the static library
# defines no global name outside the otls_/oti_ prefixes, so neither can
# clash with a program's or a TLS library's symbols.
#   check_symbols.sh NM LIBOMNITLS.so LIBOMNITLS.a
set -euo pipefail
nm=$1
shared=$2
static=$3
status=0

# Names the toolchain may add to any shared object.
allowed='^(otls_[A-Za-z0-9_]+|_init|_fini|_edata|_end|__bss_start)$'
exported=$("$nm" -D --defined-only "$shared" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//')
echo "$(echo "$exported" | grep -c .) symbols exported by $(basename "$shared")"
bad=$(echo "$exported" | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
    echo "FAIL: exported outside the otls_ API:" >&2
    echo "$bad" >&2
    status=1
fi

globals=$("$nm" -g --defined-only "$static" | awk 'NF >= 3 { print $3 }')
bad=$(echo "$globals" | grep -Ev '^(otls_|oti_)' || true)
if [ -n "$bad" ]; then
    echo "FAIL: global names in $(basename "$static") outside otls_/oti_:" >&2
    echo "$bad" | sort -u >&2
    status=1
fi
exit $status
