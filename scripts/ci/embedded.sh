#!/usr/bin/env bash
# CI stage for issue 9 (docs/embedded.md): ARM cross builds under qemu and the
# Cortex-M4 footprint. Builds under the clone's build-cross and build-size.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export JOBS=${JOBS:-2}

# The bare-metal compiler; cross-arm.sh installs its own tools.
if ! dpkg-query -W -f='${Status}' gcc-arm-none-eabi 2>/dev/null | grep -q "install ok installed"; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends gcc-arm-none-eabi
fi

start=$(date +%s)
CROSS_DIR="$here/build-cross" "$here/scripts/cross-arm.sh"
SIZE_DIR="$here/build-size" "$here/scripts/embedded-size.sh"
echo "embedded stage: $(($(date +%s) - start)) s" >&2
