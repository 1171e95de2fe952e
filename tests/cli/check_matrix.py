#!/usr/bin/env python3
"""End-to-end checks of `omnitls matrix`. Usage: check_matrix.py OMNITLS CASE

interop-json      --json: the schema, one cell per backend pair x version x
                  key, n/a exactly where a backend lacks the version, and
                  the agreement the tool claims recomputed from its facts
interop-text      the default table: one row per cell, the summary line
interop-markdown  --markdown: a table of the same cells
usage             bad arguments exit 2 with a message
peer-p256         openssl s_server, P-256 chain, TLS 1.2, one suite: all
                  backends connect and agree (exit 0)
peer-ed25519      openssl s_server with an Ed25519 leaf: mbedTLS 2.28
                  cannot use it (exit 1), OpenSSL and wolfSSL connect
peer-sha1         a chain signed with SHA-1: OpenSSL and mbedTLS refuse it
                  at verification, wolfSSL accepts it (exit 1)
peer-tls13        the P-256 server, --tls 1.3: backends without TLS 1.3 are
                  n/a with the library's reason, the others agree (exit 0)
peer-refused      nothing listens: every backend fails to connect (exit 1)

The servers' keys are made at test time in a temporary directory."""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

OMNITLS = sys.argv[1]
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def fail(msg):
    print("check_matrix: FAIL: " + msg)
    sys.exit(1)


def run(*args, want_rc=None):
    p = subprocess.run([OMNITLS, "matrix", *args], capture_output=True, text=True, timeout=240)
    if want_rc is not None and p.returncode != want_rc:
        fail(f"omnitls matrix {' '.join(args)}: exit {p.returncode}, expected {want_rc}\n"
             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def backends():
    out = subprocess.run([OMNITLS, "backends", "--json"], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


# --- the interop matrix ----------------------------------------------------

def expect_na(client, server, tls):
    return tls == "1.3" and not ("tls1.3" in client["features"] and "tls1.3" in server["features"])


def check_chain(c, what):
    if not isinstance(c, dict) or set(c) != {"length", "sha256"}:
        fail(f"{what}: not a chain object: {c}")
    if c["length"] != len(c["sha256"]) or not all(SHA256_HEX.match(x) for x in c["sha256"]):
        fail(f"{what}: bad chain {c}")


def interop_json():
    p = run("--json", want_rc=0)
    doc = json.loads(p.stdout)
    for k in ("schema", "mode", "omnitls_version", "backends", "cells", "summary", "agree"):
        if k not in doc:
            fail(f"no {k}")
    if doc["schema"] != 1 or doc["mode"] != "interop" or doc["agree"] is not True:
        fail(f"schema/mode/agree: {doc['schema']} {doc['mode']} {doc['agree']}")
    bs = backends()
    if [b["name"] for b in doc["backends"]] != [b["name"] for b in bs]:
        fail("backends differ from `omnitls backends`")
    by_name = {b["name"]: b for b in bs}
    cells = doc["cells"]
    want = {(c, s, t, k) for c in by_name for s in by_name for t in ("1.2", "1.3")
            for k in ("ec", "rsa")}
    got = {(c["client"], c["server"], c["tls"], c["key"]) for c in cells}
    if got != want or len(cells) != len(want):
        fail(f"cells: {sorted(got ^ want)}")
    counts = {"ok": 0, "disagree": 0, "failed": 0, "n/a": 0}
    for c in cells:
        name = f"{c['client']}->{c['server']} TLS {c['tls']} {c['key']}"
        counts[c["result"]] += 1
        if expect_na(by_name[c["client"]], by_name[c["server"]], c["tls"]):
            if c["result"] != "n/a" or "TLS 1.3" not in (c["reason"] or ""):
                fail(f"{name}: expected n/a with a reason, got {c['result']} {c['reason']}")
            if c["client_facts"] is not None or c["version"] is not None:
                fail(f"{name}: n/a cell has facts")
            continue
        if c["result"] != "ok" or c["reason"] is not None or c["disagreements"]:
            fail(f"{name}: {c['result']}: {c['reason']} {c['disagreements']}")
        cf, sf = c["client_facts"], c["server_facts"]
        # Recompute what the tool claims: the ends agree on every shared fact.
        for k in ("version", "cipher", "cipher_iana", "alpn", "tls-unique",
                  "tls-server-end-point", "tls-exporter"):
            if cf[k] != sf[k]:
                fail(f"{name}: ends differ on {k} ({cf[k]} / {sf[k]}) but the tool says ok")
        if cf["version"] != "TLSv" + c["tls"] or c["version"] != cf["version"]:
            fail(f"{name}: version {cf['version']}")
        if c["cipher"] != cf["cipher"] or not cf["cipher_iana"].startswith("0x"):
            fail(f"{name}: cipher {c['cipher']} / {cf['cipher_iana']}")
        for side, f in (("client", cf), ("server", sf)):
            check_chain(f["unverified_chain"], f"{name} {side} unverified")
            check_chain(f["verified_chain"], f"{name} {side} verified")
            u, v = f["unverified_chain"]["sha256"], f["verified_chain"]["sha256"]
            if not SHA256_HEX.match(f["peer_cert_sha256"] or "") or u[0] != f["peer_cert_sha256"]:
                fail(f"{name} {side}: the peer certificate must lead the chain")
            if len(u) != 2 or len(v) != 3 or v[:2] != u:
                fail(f"{name} {side}: chains {u} / {v}: expected leaf+intermediate, then the root")
        # One PKI per key type: both ends chain to the same root through the
        # same intermediate, and the two leaves differ.
        if cf["verified_chain"]["sha256"][1:] != sf["verified_chain"]["sha256"][1:]:
            fail(f"{name}: the ends chain to different CAs")
        if cf["peer_cert_sha256"] == sf["peer_cert_sha256"]:
            fail(f"{name}: both ends saw the same leaf")
        if cf["tls-exporter"] is None or len(cf["tls-exporter"]) != 64:
            fail(f"{name}: no tls-exporter ({cf['errors']})")
        if c["tls"] == "1.3" and ("tls-unique" not in cf["errors"] or cf["tls-unique"] is not None):
            fail(f"{name}: tls-unique must be refused on TLS 1.3")
    if doc["summary"] != dict(counts, cells=len(cells)):
        fail(f"summary {doc['summary']} vs {counts}")
    if counts["ok"] == 0:
        fail("no cell ran")
    print(f"interop-json: {len(cells)} cells, {counts}")


def interop_text(markdown):
    p = run(*(["--markdown"] if markdown else []), want_rc=0)
    lines = p.stdout.splitlines()
    names = [b["name"] for b in backends()]
    n = len(names) ** 2 * 4
    if markdown:
        if lines[0] != "| client | server | TLS | key | version | cipher | result |":
            fail(f"markdown header: {lines[0]}")
        rows = [ln for ln in lines[2:] if ln.startswith("| ")]
    else:
        if not lines[0].split() == ["client", "server", "tls", "key", "version", "cipher", "result"]:
            fail(f"text header: {lines[0]}")
        rows = [ln for ln in lines[1:] if ln.split() and ln.split()[0] in names]
    if len(rows) != n:
        fail(f"{len(rows)} rows, expected {n}:\n{p.stdout}")
    for r in rows:
        result = r.strip("| ").split("|")[-1].strip() if markdown else r.split(None, 6)[-1]
        if not (result == "ok" or result.startswith("n/a: ")):
            fail(f"row: {r}")
    m = re.search(r"^(\d+) cells: (\d+) ok, 0 disagree, 0 failed, (\d+) n/a$", p.stdout, re.M)
    if not m or int(m.group(1)) != n or int(m.group(2)) + int(m.group(3)) != n:
        fail(f"summary line missing or wrong:\n{p.stdout}")
    print(f"interop-{'markdown' if markdown else 'text'}: {n} rows")


def usage():
    bad = [["--json", "--markdown"], ["--cafile", "x.pem"], ["--servername", "a"],
           ["--peer"], ["--peer", "nohost"], ["--peer", "127.0.0.1:0"],
           ["--peer", "127.0.0.1:99999"], ["--peer", "::1:443"], ["--peer", "h:1", "--tls", "1.1"],
           ["--peer", "h:1", "--alpn", "h2,,x"], ["--peer", "h:1", "--alpn="],
           ["--frobnicate"], ["extra"]]
    for args in bad:
        p = run(*args, want_rc=2)
        if "omnitls matrix: " not in p.stderr or p.stdout:
            fail(f"{args}: no message on stderr, or output on stdout")
    print(f"usage: {len(bad)} bad argument lists exit 2")


# --- --peer against openssl s_server ----------------------------------------

def ossl(d, *args):
    subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)


def make_ca(d, key_args, sha="-sha256"):
    ossl(d, "req", "-x509", sha, *key_args, "-nodes", "-days", "2", "-keyout", "ca.key",
         "-out", "ca.pem", "-subj", "/CN=omnitls matrix test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign")


def make_leaf(d, key_args, sha="-sha256"):
    with open(os.path.join(d, "leaf.ext"), "w", encoding="ascii") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ossl(d, "req", "-newkey", *key_args, "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
         "-subj", "/CN=localhost")
    ossl(d, "x509", "-req", sha, "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-set_serial", "0x%s" % os.urandom(8).hex(), "-days", "2", "-extfile", "leaf.ext",
         "-out", "leaf.pem")


P256 = ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]


class Server:
    """openssl s_server on 127.0.0.1, a free port chosen by the kernel."""

    def __init__(self, d, extra):
        self.p = subprocess.Popen(
            # timeout: the server never outlives a test that was killed.
            ["timeout", "300", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", "leaf.pem", "-key",
             "leaf.key", "-www", *extra], cwd=d, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.port = None
        deadline = time.time() + 10
        while time.time() < deadline:
            line = self.p.stdout.readline()
            m = re.match(r"ACCEPT 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
            if not line and self.p.poll() is not None:
                break
        if not self.port:
            self.stop()
            fail("openssl s_server did not start")

    def stop(self):
        # SIGTERM: timeout(1) passes it on to the server.
        self.p.terminate()
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def peer(d, extra_server, *args):
    srv = Server(d, extra_server)
    try:
        p = run("--peer", f"127.0.0.1:{srv.port}", "--cafile", os.path.join(d, "ca.pem"),
                "--servername", "localhost", "--json", *args)
        text = run("--peer", f"127.0.0.1:{srv.port}", "--cafile", os.path.join(d, "ca.pem"),
                   "--servername", "localhost", *args)
    finally:
        srv.stop()
    doc = json.loads(p.stdout)
    if doc["schema"] != 1 or doc["mode"] != "peer" or doc["peer"]["port"] != srv.port:
        fail(f"peer header: {doc['schema']} {doc['mode']} {doc['peer']}")
    names = [b["name"] for b in backends()]
    if [c["backend"] for c in doc["clients"]] != names:
        fail("one client per backend expected")
    if text.returncode != p.returncode:
        fail("text and JSON modes disagree on the exit status")
    return p.returncode, {c["backend"]: c for c in doc["clients"]}, doc, text.stdout


def check_ok_client(c, d):
    if c["result"] != "ok" or c["error"] is not None or c["verify"] != "ok":
        fail(f"{c['backend']}: {c['result']} {c['verify']} {c['error']}")
    leaf = subprocess.run(["openssl", "x509", "-in", os.path.join(d, "leaf.pem"), "-outform",
                           "DER"], check=True, capture_output=True).stdout
    if c["peer_cert_sha256"] != hashlib.sha256(leaf).hexdigest():
        fail(f"{c['backend']}: peer_cert_sha256 is not the server's certificate")
    if c["unverified_chain"]["sha256"][0] != c["peer_cert_sha256"]:
        fail(f"{c['backend']}: chain does not start with the leaf")
    if c["peer_cert"]["subject"] != [[["commonName", "localhost"]]]:
        fail(f"{c['backend']}: peer_cert {c['peer_cert']}")


def peer_p256():
    with tempfile.TemporaryDirectory() as d:
        make_ca(d, ["-newkey", *P256])
        make_leaf(d, P256)
        rc, cl, doc, text = peer(d, ["-serverpref", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
                                 "--tls", "1.2", "--alpn", "h2")
        if rc != 0 or doc["agree"] is not True or doc["differences"]:
            fail(f"exit {rc}, differences {doc['differences']}:\n{text}")
        for c in cl.values():
            check_ok_client(c, d)
            if c["version"] != "TLSv1.2" or c["cipher"] != "ECDHE-ECDSA-AES128-GCM-SHA256":
                fail(f"{c['backend']}: {c['version']} {c['cipher']}")
            if c["verified_chain"]["length"] != 2:
                fail(f"{c['backend']}: verified chain {c['verified_chain']}")
            if c["channel_binding"]["tls-server-end-point"] != c["peer_cert_sha256"]:
                fail(f"{c['backend']}: tls-server-end-point of an ecdsa-with-SHA256 leaf")
            if not c["channel_binding"]["tls-exporter"]:
                fail(f"{c['backend']}: no tls-exporter")
        if "*" in "".join(ln[:1] for ln in text.splitlines()):
            fail("text mode marks a difference where there is none")
        print(f"peer-p256: {len(cl)} backends agree")


def peer_ed25519():
    with tempfile.TemporaryDirectory() as d:
        make_ca(d, ["-newkey", *P256])
        make_leaf(d, ["ed25519"])
        rc, cl, doc, text = peer(d, [])
        if rc != 1 or doc["agree"] is not False or "result" not in doc["differences"]:
            fail(f"exit {rc}, differences {doc['differences']}")
        for name, c in cl.items():
            if name == "mbedtls":
                # mbedTLS 2.28 has no Ed25519: it cannot offer the signature
                # algorithm, so the server has nothing to sign with.
                if c["result"] == "ok" or not c["error"] or c["version"] is not None:
                    fail(f"mbedtls connected to an Ed25519 server: {c}")
            else:
                check_ok_client(c, d)
                ep = c["channel_binding"]["tls-server-end-point"]
                if ep != c["peer_cert_sha256"]:
                    fail(f"{name}: tls-server-end-point {ep} (the CA signed with SHA-256)")
        if not re.search(r"^\* result +\S+ +ok$", text, re.M):
            fail(f"text mode does not mark the result row:\n{text}")
        print("peer-ed25519: " + ", ".join(f"{n} {c['result']}" for n, c in cl.items()))


def peer_sha1():
    with tempfile.TemporaryDirectory() as d:
        rsa = ["rsa:2048"]
        make_ca(d, ["-newkey", *rsa], sha="-sha1")
        make_leaf(d, rsa, sha="-sha1")
        # OpenSSL's own server refuses to use a SHA-1 chain at the default
        # security level: lower it there, the point is what clients do.
        rc, cl, doc, text = peer(d, ["-cipher", "DEFAULT:@SECLEVEL=0"])
        if rc != 1 or "verify" not in doc["differences"]:
            fail(f"exit {rc}, differences {doc['differences']}")
        refuse = {"openssl": "too weak", "mbedtls": "unacceptable hash"}
        for name, c in cl.items():
            if name in refuse:
                if c["result"] != "OTLS_ERR_VERIFY" or c["verify"] != "failed" or \
                        refuse[name] not in c["error"]:
                    fail(f"{name} should refuse a SHA-1 chain: {c['result']} {c['error']}")
            elif name == "wolfssl":
                check_ok_client(c, d)
        print("peer-sha1: " + ", ".join(f"{n} {c['result']}" for n, c in cl.items()))


def peer_tls13():
    with tempfile.TemporaryDirectory() as d:
        make_ca(d, ["-newkey", *P256])
        make_leaf(d, P256)
        rc, cl, doc, text = peer(d, ["-serverpref", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
                                 "--tls", "1.3")
        if rc != 0 or doc["agree"] is not True or doc["differences"]:
            fail(f"exit {rc}, differences {doc['differences']}:\n{text}")
        features = {b["name"]: b["features"] for b in doc["backends"]}
        for name, c in cl.items():
            if "tls1.3" in features[name]:
                check_ok_client(c, d)
                if c["version"] != "TLSv1.3" or c["cipher"] != "TLS_AES_256_GCM_SHA384":
                    fail(f"{name}: {c['version']} {c['cipher']}")
            elif c["result"] != "n/a" or "OTLS_ERR_UNSUPPORTED" not in c["error"] or \
                    "TLS 1.3" not in c["error"]:
                fail(f"{name} has no TLS 1.3: expected n/a with the reason, got {c}")
        print("peer-tls13: " + ", ".join(f"{n} {c['result']}" for n, c in cl.items()))


def peer_refused():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    p = run("--peer", f"127.0.0.1:{port}", "--json", want_rc=1)
    doc = json.loads(p.stdout)
    for c in doc["clients"]:
        if c["result"] != "OTLS_ERR_IO" or "connect" not in c["error"]:
            fail(f"{c['backend']}: {c['result']} {c['error']}")
    print(f"peer-refused: {len(doc['clients'])} backends fail to connect")


CASES = {"interop-json": interop_json, "interop-text": lambda: interop_text(False),
         "interop-markdown": lambda: interop_text(True), "usage": usage,
         "peer-p256": peer_p256, "peer-ed25519": peer_ed25519, "peer-sha1": peer_sha1, "peer-tls13": peer_tls13,
         "peer-refused": peer_refused}

if __name__ == "__main__":
    CASES[sys.argv[2]]()
