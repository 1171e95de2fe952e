#!/usr/bin/env bash
# Installs the Debian packages omnitls needs to build and test, only those
# missing. Runs apt-get as root (directly, or through sudo).
set -euo pipefail

packages=(
    cmake gcc make pkg-config clang-format git
    libssl-dev openssl
    libmbedtls-dev libwolfssl-dev
    libcriterion-dev
    python3
    gnutls-bin
    doxygen groff-base
    valgrind
    debootstrap
    clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "omnitls: installing ${missing[*]}" >&2
as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "omnitls: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
