#!/usr/bin/env python3
"""Compare two `omnitls demo` reports (JSON) from different builds of the
same demo, e.g. native x86-64 and armhf under qemu (scripts/cross-arm.sh).

Keys, choices and shapes must be equal; values that come from the run's
fresh PKI and random handshake (certificates, binding bytes) are compared by
length, and within each report the client's and the server's channel
bindings must be identical. Exit 1 with the differences listed."""
import json
import sys

SAME = ("backend", "role", "version", "cipher", "cipher_iana", "compression",
        "shared_ciphers", "alpn", "sni")


def load(path):
    with open(path) as f:
        return json.load(f)


def check(ref, got, where, errors):
    if set(ref) != set(got):
        errors.append("%s: keys differ: %s vs %s" % (where, sorted(ref), sorted(got)))
    for key in SAME:
        if ref.get(key) != got.get(key):
            errors.append("%s.%s: %r vs %r" % (where, key, ref.get(key), got.get(key)))
    for key in ("unverified_chain", "verified_chain"):
        if len(ref.get(key) or []) != len(got.get(key) or []):
            errors.append("%s.%s: %d vs %d certificates" % (where, key, len(ref.get(key) or []),
                                                            len(got.get(key) or [])))
    rb, gb = ref.get("channel_binding") or {}, got.get("channel_binding") or {}
    if sorted(rb) != sorted(gb):
        errors.append("%s.channel_binding: %s vs %s" % (where, sorted(rb), sorted(gb)))
    for name in rb:
        if name in gb and (rb[name] is None) != (gb[name] is None):
            errors.append("%s.channel_binding.%s: %r vs %r" % (where, name, rb[name], gb[name]))
        elif name in gb and rb[name] is not None and len(rb[name]) != len(gb[name]):
            errors.append("%s.channel_binding.%s: %d vs %d hex digits"
                          % (where, name, len(rb[name]), len(gb[name])))


def main():
    ref, got = load(sys.argv[1]), load(sys.argv[2])
    errors = []
    for side in ("client", "server"):
        if side not in ref or side not in got:
            errors.append("%s: missing" % side)
            continue
        check(ref[side], got[side], side, errors)
    for name, report in (("reference", ref), ("compared", got)):
        if report.get("client", {}).get("channel_binding") != report.get("server", {}).get("channel_binding"):
            errors.append("%s: client and server channel bindings differ" % name)
    for e in errors:
        print("compare-demo: " + e, file=sys.stderr)
    if errors:
        return 1
    c = got["client"]
    print("compare-demo: same fields: %s %s %s, bindings %s" % (
        c["version"], c["cipher"][0], c["cipher_iana"]["id"],
        ", ".join("%s=%d bytes" % (k, len(v) // 2) for k, v in sorted(c["channel_binding"].items()) if v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
