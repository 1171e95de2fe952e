#!/usr/bin/env bash
# A throw-away PKI for the example and consumer tests, made with the openssl
# command as an outside project would (no key is ever committed):
#   DIR/ca.pem                       the CA, trusted by both ends
#   DIR/server.pem DIR/server.key    CN=localhost, SAN DNS:localhost, IP:127.0.0.1
#   DIR/client.pem DIR/client.key    CN=omnitls example client (clientAuth)
# EC P-256 keys, PKCS#8 PEM, valid for two days.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
ossl() { openssl "$@" 2>/dev/null; }

ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout ca.key -out ca.pem -subj "/O=omnitls/CN=omnitls example CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign

leaf() { # name subject extensions
    ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -subj "$2"
    printf '%s\n' "$3" > "$1.ext"
    ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
        -days 2 -extfile "$1.ext" -out "$1.pem"
    rm -f "$1.csr" "$1.ext"
}
leaf server "/O=omnitls/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf client "/O=omnitls/CN=omnitls example client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
rm -f ca.key
