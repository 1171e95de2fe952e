#!/usr/bin/env python3
"""Differential check of omnitls's certificate decoder against CPython.

    diff_python.py CERT_DUMP [--mutate N] [--seed S] [--insertion-order] FILE...

For each FILE (PEM or DER certificate) and, with --mutate, N random
mutations of it (byte flips, length and tag changes, truncations, splices),
runs CPython's ssl._ssl._test_decode_cert and omnitls's cert_dump on the
same bytes and compares: the JSON must be identical, and where CPython
refuses the certificate omnitls must refuse it too. Exit status 1 on any
difference.

The expectations are CPython's on OpenSSL 3.0 (Debian 12's python3). On
another studied OpenSSL generation (3.5: Debian 13) a difference passes only
when a named rule of openssl_rules.py explains it (an OpenSSL change, checked
on the certificate); such certificates are listed and counted.
--require-studied-openssl skips (exit --skip-code) on any other OpenSSL,
--require-openssl-3.0 on anything but 3.0."""
import argparse
import base64
import json
import os
import random
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import der as D  # noqa: E402
import openssl_rules as R  # noqa: E402


def load(path):
    """The DER in path (PEM or DER); None for text that is not one clean
    PEM certificate (a fuzzer's corpus holds such), which is skipped."""
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        try:
            body = data.split(b"-----BEGIN CERTIFICATE-----")[1].split(b"-----END")[0]
            return base64.b64decode(b"".join(body.split()), validate=True)
        except (IndexError, ValueError):
            return None
    return data


def python_json(der, sort_keys):
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(D.pem(der))
        try:
            r = ssl._ssl._test_decode_cert(path)
        except Exception as e:  # noqa: BLE001
            return None, "%s: %s" % (type(e).__name__, e)
        return json.dumps(r, sort_keys=sort_keys,
                          default=lambda b: {"__bytes_hex__": b.hex()}), None
    finally:
        os.unlink(path)


def omnitls_json(tool, ders, insertion):
    paths = []
    try:
        for der in ders:
            fd, path = tempfile.mkstemp(suffix=".der")
            with os.fdopen(fd, "wb") as f:
                f.write(der)
            paths.append(path)
        cmd = [tool] + (["--insertion-order"] if insertion else []) + paths
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
        return out.decode("utf-8").split("\n")[: len(ders)]
    finally:
        for p in paths:
            os.unlink(p)


def mutate(der, rng):
    b = bytearray(der)
    kind = rng.randrange(8)
    if not b:
        return bytes(b)
    i = rng.randrange(len(b))
    if kind == 0:
        b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        b[i] = rng.randrange(256)
    elif kind == 2:
        b[i] = rng.choice([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0C, 0x10, 0x13, 0x14,
                           0x16, 0x17, 0x18, 0x1A, 0x1C, 0x1E, 0x1F, 0x30, 0x31, 0x80, 0x81,
                           0xA0, 0xA3, 0xFF])
    elif kind == 3:
        del b[i:i + rng.randrange(1, 4)]
    elif kind == 4:
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
    elif kind == 5:
        j = rng.randrange(len(b))
        n = rng.randrange(1, 16)
        b[i:i] = b[j:j + n]
    elif kind == 6:
        b[i] = (b[i] + rng.choice([-1, 1])) & 0xFF
    else:
        b = b[: rng.randrange(len(b))]
    return bytes(b)


# --- structure-aware mutation: parse to a tree, change a node, re-encode ---

class Node:
    __slots__ = ("ident", "content", "children", "prefix", "long_len")

    def __init__(self, ident, content):
        self.ident = ident
        self.content = content
        self.children = None
        self.prefix = b""
        self.long_len = False


def parse_seq(b):
    """Parses b as consecutive DER elements; None unless it parses exactly
    (the same walk as the rules': openssl_rules.split_elements)."""
    els = R.split_elements(b)
    if els is None:
        return None
    return [Node(bytes(b[s:s + il]), bytes(b[s + hl:s + hl + n])) for s, il, hl, n, _ in els]


def build(node, depth=0):
    if depth < 12:
        if node.ident[0] & 0x20:
            node.children = parse_seq(node.content)
        elif node.ident[0] in (0x04, 0x03):  # encapsulated DER (extnValue, keys)
            pre = node.content[:1] if node.ident[0] == 0x03 else b""
            kids = parse_seq(node.content[len(pre):])
            if kids:
                node.children, node.prefix = kids, pre
    for k in node.children or []:
        build(k, depth + 1)
    return node


def encode(node):
    if node.children is not None:
        content = node.prefix + b"".join(encode(k) for k in node.children)
    else:
        content = node.content
    if node.long_len:
        ln = bytes([0x82]) + len(content).to_bytes(2, "big")
    else:
        ln = D.length(len(content))
    return node.ident + ln + content


def nodes(node, parent=None, acc=None):
    acc = [] if acc is None else acc
    acc.append((node, parent))
    for k in node.children or []:
        nodes(k, node, acc)
    return acc


IDENTS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0C, 0x10, 0x12, 0x13, 0x14, 0x16, 0x17,
          0x18, 0x1A, 0x1C, 0x1E, 0x30, 0x31, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
          0x88, 0x89, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0x2C, 0x24, 0x00]
CONTENTS = [b"", b"\x00", b"\xff", b"\x00\x00", b"\x07", b"a\x00b", b"\xc0\xa8", b"\xed\xa0\x80",
            "é".encode(), "\U0001F600".encode(), b"\x00\xd8\x3d", b"\x00\x00\xd8\x00",
            b"\x00\x11\x00\x00", b"200101000000Z", b"20200101000000.5+0130", b"991231235959-1200",
            b"\x2a\x03", b"\x80\x01", b"\x01\x80", b"\x7f", b"line\nbreak", b"x" * 300,
            b"\x55\x1d\x11", b"\x2b\x06\x01\x05\x05\x07\x30\x01"]


def mutate_tree(der, rng, donors):
    root = parse_seq(der)
    if not root:
        return mutate(der, rng)
    root = build(root[0])
    all_nodes = nodes(root)
    node, parent = rng.choice(all_nodes)
    kind = rng.randrange(8)
    if kind == 0:
        node.ident = bytes([rng.choice(IDENTS)])
    elif kind == 1:
        node.children = None
        node.content = rng.choice(CONTENTS)
    elif kind == 2 and parent is not None:
        parent.children.remove(node)
    elif kind == 3 and parent is not None:
        i = parent.children.index(node)
        parent.children.insert(i, node)
    elif kind == 4:
        donor = rng.choice(donors)
        droot = parse_seq(donor)
        if droot:
            dn, _ = rng.choice(nodes(build(droot[0])))
            if parent is not None:
                parent.children[parent.children.index(node)] = dn
    elif kind == 5:
        node.long_len = True
    elif kind == 6 and node.children is None:
        c = bytearray(node.content)
        if c:
            c[rng.randrange(len(c))] = rng.randrange(256)
        node.content = bytes(c)
    elif kind == 7 and parent is not None:
        a, b = rng.sample(range(len(parent.children)), 2) if len(parent.children) > 1 else (0, 0)
        parent.children[a], parent.children[b] = parent.children[b], parent.children[a]
    return encode(root)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--mutate", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--insertion-order", action="store_true")
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--tree", action="store_true", help="structure-aware mutations")
    ap.add_argument("--require-openssl-3.0", dest="require30", action="store_true",
                    help="skip unless this Python's ssl module uses OpenSSL 3.0")
    ap.add_argument("--require-studied-openssl", dest="require_studied", action="store_true",
                    help="skip unless this Python's ssl module uses an OpenSSL generation "
                         "openssl_rules.py knows (3.0, 3.5)")
    ap.add_argument("--skip-code", type=int, default=77)
    args = ap.parse_args()
    if args.require30 and not ssl.OPENSSL_VERSION.startswith("OpenSSL 3.0."):
        print("skipped: this Python's ssl module uses %s, the expectations are OpenSSL 3.0's"
              % ssl.OPENSSL_VERSION)
        sys.exit(args.skip_code)
    rules = R.rules_for(ssl.OPENSSL_VERSION_INFO, ssl.OPENSSL_VERSION)
    if rules is None:
        if args.require_studied:
            print("skipped: this Python's ssl module uses %s; the expectations are OpenSSL "
                  "3.0's, and only the differences of OpenSSL 3.5 were studied "
                  "(tests/cert/tools/openssl_rules.py)" % ssl.OPENSSL_VERSION)
            sys.exit(args.skip_code)
        rules = []  # unstudied: every difference counts
    print("%s: rules %s" % (ssl.OPENSSL_VERSION, " ".join(r.name for r in rules) or "none"))
    files = []
    for f in args.files:
        if os.path.isdir(f):
            files += sorted(os.path.join(f, n) for n in os.listdir(f)
                            if n.endswith((".pem", ".der")))
        else:
            files.append(f)
    if not files:
        raise SystemExit("no certificate files given")
    args.files = files
    rng = random.Random(args.seed)
    cases = []
    donors = [d for d in (load(p) for p in args.files) if d is not None]
    for path in args.files:
        der = load(path)
        if der is None:
            continue
        cases.append((path, der))
        for k in range(args.mutate):
            m = der
            for _ in range(rng.randrange(1, 3)):
                m = mutate_tree(m, rng, donors) if args.tree else mutate(m, rng)
            cases.append(("%s#%d" % (path, k), m))
    counts = {"same": 0, "both_refuse": 0}
    counts.update((r.name, 0) for r in rules)
    counts["diff"] = 0
    sort_keys = not args.insertion_order

    def ask_python(der):
        return python_json(der, sort_keys)

    def ask_omnitls(der):
        return omnitls_json(args.tool, [der], args.insertion_order)[0]

    shown = 0
    batch = 200
    for start in range(0, len(cases), batch):
        chunk = cases[start:start + batch]
        ours = omnitls_json(args.tool, [c[1] for c in chunk], args.insertion_order)
        for (label, der), mine in zip(chunk, ours):
            theirs, err = python_json(der, sort_keys)
            if theirs is not None and mine == theirs:
                counts["same"] += 1
                continue
            if theirs is None and mine.startswith("ERROR"):
                counts["both_refuse"] += 1
                continue
            o = R.Outcome(label, der, theirs, err, mine, ask_python, ask_omnitls,
                          R.ground_truth(label, sort_keys))
            why = next(((r, w) for r, w in ((r, r.explain(o)) for r in rules) if w), None)
            if why:
                counts[why[0].name] += 1
                print("%s %s: %s" % (why[0].name, label, why[1]))
            else:
                counts["diff"] += 1
                if shown < args.show:
                    shown += 1
                    print("DIFF %s\n  der:    %s\n  python: %s\n  omnitls: %s" % (
                        label, der.hex(), theirs if theirs is not None else "refused: " + err,
                        mine[:600]))
    print(" ".join("%s=%d" % kv for kv in counts.items()))
    if counts["same"] == 0:
        print("no certificate decoded identically: nothing was compared")
        sys.exit(1)
    sys.exit(1 if counts["diff"] else 0)


if __name__ == "__main__":
    main()
