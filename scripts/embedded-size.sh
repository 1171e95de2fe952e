#!/usr/bin/env bash
# omnitls's own footprint on a bare-metal Cortex-M4 (issue 9): compiles the
# minimal profile's sources (core + mbedTLS backend, not mbedTLS itself) with
# arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -ffunction-sections
# -fdata-sections against the mbedTLS headers, for each decoder setting, and
# prints two measures in bytes:
#   objects: every object's .text/.rodata/.data/.bss summed (all code, even
#            what no program calls);
#   linked:  a program that takes the address of every public function,
#            linked with --gc-sections and -nostdlib (unresolved libc and
#            mbedTLS symbols ignored): omnitls's code a firmware using the
#            whole API carries.
# Each is measured with two mbedTLS configurations (cmake/embedded/):
#   baremetal: Debian's config minus what bare metal lacks (rows OFF,
#              COMPACT, FULL);
#   firmware:  a firmware's TLS 1.2 ECDHE-ECDSA AES-GCM/ChaCha20 P-256
#              config after mbedTLS's config-suite-b.h (rows fw-OFF,
#              fw-COMPACT): what the linked mbedTLS cannot do is compiled
#              out of omnitls too (the cipher-suite table, for one).
# --files: also each object's share of the linked bytes (from the linker map).
# Environment: SIZE_DIR (default: build-size in the tree).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${SIZE_DIR:-$here/build-size}
files=0
[ "${1:-}" = --files ] && files=1
mkdir -p "$out"
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "embedded-size: $cc not found (apt-get install gcc-arm-none-eabi)" >&2; exit 1; }
cflags=(-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -std=c11
    -Wall -Wextra -Wpedantic -Werror -fvisibility=hidden -I"$here/cmake/embedded")
mbedtls_config() { # baremetal | firmware
    echo "-DMBEDTLS_CONFIG_FILE=\"mbedtls_$1_config.h\""
}

# Only the mbedtls/ headers of the host, not its libc's.
mkdir -p "$out/mbedtls-include"
ln -sfn /usr/include/mbedtls "$out/mbedtls-include/mbedtls"

measure() { # DECODER [firmware]
    local decoder=$1 config=${2:-baremetal} cfg=$out/cfg-$1 obj=$out/obj-$1 label=$1
    if [ "$config" = firmware ]; then
        obj=$out/obj-fw-$1
        label=fw-$1
    fi
    # A configure-only native build of the profile gives the sources, the
    # definitions and the generated headers, so this list cannot drift.
    cmake -S "$here" -B "$cfg" -DOTLS_PROFILE=minimal -DOTLS_DECODER="$decoder" \
        -DOTLS_BUILD_EXAMPLES=OFF -DOTLS_BUILD_BENCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
    rm -rf "$obj"
    mkdir -p "$obj"
    python3 - "$cfg/compile_commands.json" >"$obj/list" <<'PY'
import json, shlex, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    args = shlex.split(e["command"])
    # The static library's objects and the backend's; not the shared copy.
    if "/omnitls.dir/" in e["command"]:
        continue
    if e["file"] in seen:
        continue
    seen.add(e["file"])
    keep = [a for a in args if a.startswith("-D") and not a.startswith("-DOTI_PLUGIN_DIRS")
            or a.startswith("-I")]
    print(e["file"] + "\t" + " ".join(shlex.quote(a) for a in keep))
PY
    while IFS=$'\t' read -r src flags; do
        eval "extra=($flags)"
        $cc "${cflags[@]}" "$(mbedtls_config "$config")" "${extra[@]}" -I"$out/mbedtls-include" \
            -c "$src" -o "$obj/$(basename "$src").o"
    done <"$obj/list"
    # A program that keeps every public function.
    local api
    api=$(arm-none-eabi-nm "$obj"/*.o | awk '$2 == "T" && $3 ~ /^otls_/ {print $3}' | sort -u)
    {
        echo "typedef void (*fn)(void);"
        for f in $api; do echo "extern void $f(void);"; done
        echo "const fn otls_keep[] = {"
        for f in $api; do echo "    $f,"; done
        echo "};"
        echo "void _start(void);"
        echo "void _start(void) { for (;;) ((volatile const fn *)otls_keep)[0](); }"
    } >"$obj/keep.c"
    $cc -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -c "$obj/keep.c" -o "$obj/keep.o"
    $cc -mcpu=cortex-m4 -mthumb -nostdlib -Wl,--gc-sections -Wl,-e,_start \
        -Wl,--unresolved-symbols=ignore-all -Wl,-Map="$obj/linked.map" -o "$obj/linked.elf" "$obj"/*.o
    # keep.o's own bytes (the table: 4 bytes a function, and _start) are
    # taken off the linked sizes.
    python3 - "$label" "$obj" <<'PY'
import glob, subprocess, sys
decoder, obj = sys.argv[1], sys.argv[2]
def sections(path):
    sums = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    out = subprocess.run(["arm-none-eabi-size", "-A", path], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        name, size = parts[0], int(parts[1])
        for key in sums:
            if name == "." + key or name.startswith("." + key + "."):
                sums[key] += size
    return sums
objs = [p for p in glob.glob(obj + "/*.o") if not p.endswith("/keep.o")]
total = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
for p in objs:
    for k, v in sections(p).items():
        total[k] += v
linked = sections(obj + "/linked.elf")
keep = sections(obj + "/keep.o")
for k in linked:
    linked[k] -= keep[k]
for name, s in (("objects", total), ("linked", linked)):
    print("%-10s %-7s text %6d  rodata %6d  text+rodata %6d (%5.1f KiB)  data %4d  bss %4d"
          % (decoder, name, s["text"], s["rodata"], s["text"] + s["rodata"],
             (s["text"] + s["rodata"]) / 1024.0, s["data"], s["bss"]))
PY
    [ $files = 1 ] && python3 - "$obj/linked.map" <<'PY'
import collections, re, sys
# Input sections kept in the output: a name line may wrap before its
# address/size/object columns.
size = collections.Counter()
pending = None
text = open(sys.argv[1]).read().split("Linker script and memory map", 1)[1]
for line in text.splitlines():
    m = re.match(r"^ (\.(?:text|rodata)\S*)\s*$", line)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r"^ (\.(?:text|rodata)\S*)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)$", line)
    if m and (m.group(1) or pending) and not m.group(3).endswith("keep.o"):
        size[m.group(3).rsplit("/", 1)[-1][:-2]] += int(m.group(2), 16)
    pending = None
for name, n in size.most_common():
    print("    %6d  %s" % (n, name))
PY
    return 0
}

# Per-connection RAM: struct sizes in the target's layout (the OFF build's
# flags: the same structs in every decoder setting).
state_sizes() { # [firmware]
    local obj=$out/obj-OFF flags config=${1:-baremetal}
    flags=$(awk -F'\t' '/core\/conn.c\t/ {print $2}' "$obj/list")
    eval "extra=($flags)"
    $cc "${cflags[@]}" "$(mbedtls_config "$config")" "${extra[@]}" -I"$out/mbedtls-include" -I"$here/core" \
        -c "$here/cmake/embedded/conn_state_sizes.c" -o "$out/conn_state_sizes.o"
    arm-none-eabi-nm -S "$out/conn_state_sizes.o" | while read -r _ size _ name; do
        case $name in size_*) printf "  %-26s %5d bytes\n" "${name#size_}" "$((16#$size))" ;; esac
    done
}

echo "Cortex-M4 -mthumb -Os, $(arm-none-eabi-gcc -dumpversion), mbedTLS headers $(grep -o '"[0-9.]*"' /usr/include/mbedtls/version.h | head -1)"
for d in OFF COMPACT FULL; do
    measure "$d"
done
for d in OFF COMPACT; do
    measure "$d" firmware
done
echo "per-connection and per-context state (Cortex-M4 layout, Debian's mbedTLS config):"
state_sizes
echo "the same with the firmware config (cmake/embedded/mbedtls_firmware_config.h):"
state_sizes firmware
