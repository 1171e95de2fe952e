#!/bin/sh
# A throw-away PKI for the embedded checks, made with the openssl CLI at test
# time (no key is ever committed): DIR/ca.pem, DIR/chain.pem (leaf for
# localhost, then the CA), DIR/key.pem. EC P-256.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -subj "/CN=omnitls embedded test root" -days 2 -out ca.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
    -subj "/CN=localhost" -out leaf.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out leaf.pem 2>/dev/null
cat leaf.pem ca.pem >chain.pem
rm -f ca.key leaf.csr leaf.ext ca.srl
