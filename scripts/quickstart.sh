#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a built omnitls:
#   scripts/quickstart.sh demo   install what is missing, build, run `omnitls demo`
#   scripts/quickstart.sh test   install what is missing, build, run the test suite
# Environment: BUILD_DIR (default: build), JOBS (default: nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
jobs=${JOBS:-$(nproc)}

usage() {
    echo "usage: $0 demo|test [demo options...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
action=$1
shift

"$here/scripts/install-deps.sh"

cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTLS_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"

case "$action" in
demo)
    exec "$build_dir/tools/cli/omnitls" demo "$@"
    ;;
test)
    cd "$build_dir"
    exec ctest -j "$jobs" --output-on-failure --timeout 600 "$@"
    ;;
*)
    usage
    ;;
esac
