#!/usr/bin/env bash
# Cross builds for ARM Linux, run under qemu-user (issue 9), in one command:
#   arm64: the core and mbedTLS test suites (Criterion), every test that runs
#          natively, through CTest with qemu-aarch64 as the emulator;
#   armhf: the minimal profile and the CLI (Debian 12 has no Criterion for
#          armhf); `omnitls demo` with mbedTLS on both sides under qemu-arm
#          must print the same report fields as the native build.
# The target's -dev packages are downloaded (apt-get download) and unpacked
# into a sysroot folder; nothing is installed for a foreign architecture.
# Environment: CROSS_DIR (default: build-cross in the tree), JOBS (default 2),
# CROSS_STAGES (default: "arm64 armhf").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${CROSS_DIR:-$here/build-cross}
jobs=${JOBS:-2}
stages=" ${CROSS_STAGES:-arm64 armhf} "
mkdir -p "$out"

# Host tools; apt-get only for what is missing.
need=(crossbuild-essential-arm64 crossbuild-essential-armhf qemu-user)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
    "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends "${missing[@]}"
fi
# Package indexes for the two architectures (adding an architecture only
# lets apt read its indexes; nothing foreign gets installed).
# (Read the list first: with pipefail, grep -q closing the pipe early would
# make the test fail and refresh the indexes on every run.)
foreign=$(dpkg --print-foreign-architectures)
for arch in arm64 armhf; do
    if ! grep -qx "$arch" <<<"$foreign"; then
        "${as_root[@]}" dpkg --add-architecture "$arch"
        refresh=1
    fi
done
if [ "${refresh:-0}" = 1 ] || ! apt-cache show libmbedtls-dev:armhf >/dev/null 2>&1; then
    "${as_root[@]}" apt-get update -qq -o DPkg::Lock::Timeout=900 || true
fi

# The compiler's libc and the host's tools are left out of the sysroot.
skip='^(libc6|libc6-dev|libc-dev-bin|linux-libc-dev|libgcc-s1|gcc-12-base|pkg-config|pkgconf|pkgconf-bin|libpkgconf3|rpcsvc-proto|libcrypt-dev|libnsl-dev|libtirpc-dev):'

# sysroot ARCH PACKAGES...: the packages and their dependencies, unpacked.
sysroot() {
    local arch=$1
    shift
    local root=$out/sysroot-$arch debs=$out/debs-$arch
    if [ -f "$root/.done" ]; then
        return
    fi
    mkdir -p "$root" "$debs"
    local pkgs
    pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances --no-pre-depends "${@/%/:$arch}" 2>/dev/null |
        grep -E "^[a-z0-9].*:$arch\$" | grep -Ev "$skip" | sort -u)
    (cd "$debs" && apt-get download -qq $pkgs)
    for d in "$debs"/*.deb; do
        dpkg -x "$d" "$root"
    done
    touch "$root/.done"
}

echo "== arm64: sysroot" >&2
sysroot arm64 libmbedtls-dev libcriterion-dev libssl-dev
echo "== armhf: sysroot" >&2
sysroot armhf libmbedtls-dev libssl-dev

cross_configure() { # ARCH TRIPLE BUILD_DIR CMAKE_ARGS...
    local arch=$1 triple=$2 dir=$3
    shift 3
    # Criterion re-executes the test binary; under qemu-user without
    # binfmt_misc that needs this shim (see the file). No benchmarks: they
    # measure this machine, and a host script would run them (binfmt_misc).
    $triple-gcc -shared -fPIC -O2 -o "$out/exec-shim-$arch.so" "$here/cmake/cross/qemu_exec_shim.c"
    cmake -S "$here" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchain-$triple.cmake" \
        -DOTLS_CROSS_SYSROOT="$out/sysroot-$arch" -DOTLS_CROSS_EXEC_SHIM="$out/exec-shim-$arch.so" \
        -DOTLS_WERROR=ON \
        -DOTLS_WITH_OPENSSL=OFF -DOTLS_WITH_WOLFSSL=OFF -DOTLS_WITH_MBEDTLS=ON \
        -DOTLS_BUILD_DOCS=OFF -DOTLS_BUILD_BENCH=OFF "$@" >/dev/null
    nice -n 10 cmake --build "$dir" -j "$jobs"
}

demo() { # OUTPUT COMMAND...: omnitls demo, mbedTLS on both sides, as JSON
    local to=$1
    shift
    "$@" demo --client-backend mbedtls --server-backend mbedtls >"$to"
}

# The native reference for both demos: a native build of the minimal profile.
native_reference() {
    [ "${native_done:-0}" = 1 ] && return
    native_done=1
    cmake -S "$here" -B "$out/native-minimal" -DOTLS_PROFILE=minimal -DOTLS_BUILD_TOOLS=ON -DOTLS_WERROR=ON >/dev/null
    nice -n 10 cmake --build "$out/native-minimal" -j "$jobs"
    (cd "$out/native-minimal" && ctest --output-on-failure -L embedded)
    demo "$out/demo-native.json" "$out/native-minimal/tools/cli/omnitls"
}

if [[ $stages == *" arm64 "* ]]; then
echo "== arm64: build (mbedTLS backend) and test under qemu-aarch64" >&2
cross_configure arm64 aarch64-linux-gnu "$out/arm64"
# The core and mbedTLS suites: every test except the ones that run a host
# program over the build (format: clang-format; packaging: a native install
# and consumer build; peers/docs: host tools; cert.python_diff and
# cert.python_rules: the host's CPython runs the ARM cert_dump; cli.*:
# system(), popen() or Python run the ARM CLI from a host program; both
# need binfmt_misc). The CLI runs below.
(cd "$out/arm64" && ctest -j "$jobs" --output-on-failure -LE '^(packaging|peers|docs)$' \
    -E '^(format|cert\.python_(diff|rules)|cli\..*)$')
native_reference
demo "$out/demo-arm64.json" qemu-aarch64 -L /usr/aarch64-linux-gnu \
    -E "LD_LIBRARY_PATH=$out/sysroot-arm64/usr/lib/aarch64-linux-gnu:$out/sysroot-arm64/lib/aarch64-linux-gnu" \
    "$out/arm64/tools/cli/omnitls"
python3 "$here/scripts/ci/compare-demo.py" "$out/demo-native.json" "$out/demo-arm64.json"
fi

if [[ $stages == *" armhf "* ]]; then
echo "== armhf: minimal profile + CLI, omnitls demo under qemu-arm" >&2
cross_configure armhf arm-linux-gnueabihf "$out/armhf" -DOTLS_PROFILE=minimal -DOTLS_BUILD_TOOLS=ON
# The embedded checks (symbols with the cross nm, the lwIP example under qemu).
(cd "$out/armhf" && ctest --output-on-failure -L embedded)
native_reference
demo "$out/demo-armhf.json" qemu-arm -L /usr/arm-linux-gnueabihf \
    -E "LD_LIBRARY_PATH=$out/sysroot-armhf/usr/lib/arm-linux-gnueabihf:$out/sysroot-armhf/lib/arm-linux-gnueabihf" \
    "$out/armhf/tools/cli/omnitls"
python3 "$here/scripts/ci/compare-demo.py" "$out/demo-native.json" "$out/demo-armhf.json"
fi
echo "cross-arm: done (stages:$stages)" >&2
