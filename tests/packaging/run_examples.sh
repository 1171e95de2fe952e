#!/usr/bin/env bash
# Runs the four examples against each other on 127.0.0.1:
#   run_examples.sh BIN_DIR PKI_DIR
# tls_server (client certificates required) serves https_client and
# nonblocking_poll, each with a client certificate, then refuses a client
# without one; channel_binding checks that both ends derive the same
# tls-exporter value. OMNITLS_BACKEND, if set, picks the backend of all.
set -euo pipefail
bin=$1
pki=$2
work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*; do echo "--- $(basename "$f")"; cat "$f"; done >&2
    exit 1
}

timeout 60 "$bin/tls_server" 0 "$pki/server.pem" "$pki/server.key" "$pki/ca.pem" 3 \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on' "$work/server.out" && break
    sleep 0.1
done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.out")
[ -n "$port" ] || fail "tls_server did not start"
echo "tls_server: $(head -1 "$work/server.out")"

timeout 20 "$bin/https_client" 127.0.0.1 "$port" "$pki/ca.pem" "$pki/client.pem" \
    "$pki/client.key" >"$work/https_client.out" 2>"$work/https_client.err" ||
    fail "https_client"
grep -q '^hello, omnitls example client' "$work/https_client.out" || fail "https_client: no greeting"
echo "https_client: $(cat "$work/https_client.err")"

timeout 20 "$bin/nonblocking_poll" 127.0.0.1 "$port" "$pki/ca.pem" "$pki/client.pem" \
    "$pki/client.key" >"$work/nonblocking_poll.out" 2>"$work/nonblocking_poll.err" ||
    fail "nonblocking_poll"
grep -q '^hello, omnitls example client' "$work/nonblocking_poll.out" ||
    fail "nonblocking_poll: no greeting"
echo "nonblocking_poll: $(cat "$work/nonblocking_poll.err")"

# No client certificate: the server must refuse the connection.
if timeout 20 "$bin/https_client" 127.0.0.1 "$port" "$pki/ca.pem" \
    >"$work/refused.out" 2>"$work/refused.err"; then
    fail "a client without a certificate was served"
fi
wait "$server_pid" || fail "tls_server exited with an error"
server_pid=
[ "$(grep -c '^client omnitls example client: {' "$work/server.out")" = 2 ] ||
    fail "tls_server did not print two client certificates"
grep -q '"commonName", "omnitls example client"' "$work/server.out" ||
    fail "tls_server: the client certificate's subject is missing"
grep -q '^handshake:' "$work/server.err" || fail "tls_server did not report the refused handshake"
echo "refused: $(head -1 "$work/server.err")"

timeout 20 "$bin/channel_binding" "$pki/server.pem" "$pki/server.key" "$pki/ca.pem" \
    >"$work/channel_binding.out" 2>"$work/channel_binding.err" || fail "channel_binding"
grep -q '^client: server says match' "$work/channel_binding.out" ||
    fail "channel_binding: no match"
sed 's/^/channel_binding: /' "$work/channel_binding.out"
echo "examples: all passed"
