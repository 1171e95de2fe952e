#!/usr/bin/env python3
"""Checks one `omnitls demo` report: valid JSON, every field present, and the
two ends agreeing on what they must agree on. Usage:
check_demo.py REPORT.json CLIENT_BACKEND SERVER_BACKEND TLS(1.2|1.3|any) VERIFY"""
import base64
import json
import sys

FIELDS = ["backend", "role", "version", "cipher", "cipher_iana", "compression",
          "shared_ciphers", "peer_cert_der", "unverified_chain", "verified_chain",
          "channel_binding", "errors", "alpn", "sni"]


def fail(msg):
    print("check_demo: " + msg)
    sys.exit(1)


def main():
    path, cb, sb, tls, verify = sys.argv[1:6]
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    c, s = report["client"], report["server"]
    for side, r in (("client", c), ("server", s)):
        missing = [k for k in FIELDS if k not in r]
        if missing:
            fail(f"{side} lacks {missing}")
        if r["role"] != side:
            fail(f"{side} says role {r['role']}")
    if c["backend"] != cb or s["backend"] != sb:
        fail("backends differ from the request")
    if tls != "any" and c["version"] != "TLSv" + tls:
        fail(f"version {c['version']} for --tls {tls}")
    for k in ("version", "cipher", "cipher_iana", "alpn"):
        if c[k] != s[k]:
            fail(f"the ends disagree on {k}: {c[k]} vs {s[k]}")
    if c["compression"] is not None or s["compression"] is not None:
        fail("compression must be null")
    if c["shared_ciphers"] is not None:
        fail("shared_ciphers must be null on the client")
    if not s["shared_ciphers"] or c["cipher"] not in s["shared_ciphers"]:
        fail("the server's shared ciphers must hold the negotiated suite")
    # The client always sees the server's leaf, first in both chains.
    if not c["peer_cert_der"] or c["unverified_chain"][0] != c["peer_cert_der"]:
        fail("client: peer cert must lead the unverified chain")
    if c["verified_chain"][0] != c["peer_cert_der"]:
        fail("client: peer cert must lead the verified chain")
    if verify == "none":
        if s["peer_cert_der"] is not None:
            fail("a server that did not ask got a client certificate")
        if c["verified_chain"] != c["unverified_chain"]:
            fail("under verify none the verified chain is the chain as sent")
    else:
        if len(c["verified_chain"]) != 3 or len(s["verified_chain"]) != 3:
            fail("verified chains must run leaf .. root (3 certificates)")
        if s["unverified_chain"][0] != s["peer_cert_der"]:
            fail("server: the unverified chain must start with the client's leaf")
    for t in ("tls-unique", "tls-server-end-point", "tls-exporter"):
        cv, sv = c["channel_binding"][t], s["channel_binding"][t]
        if cv != sv:
            fail(f"{t} differs: {cv} vs {sv}")
        if cv is None and t not in c["errors"]:
            fail(f"{t} is null without a reason in errors")
    if c["version"] == "TLSv1.3" and c["channel_binding"]["tls-unique"] is not None:
        fail("tls-unique must be refused on TLS 1.3 by default")
    if c["version"] == "TLSv1.2" and c["channel_binding"]["tls-unique"] is None:
        fail("tls-unique must be given on TLS 1.2")
    base64.b64decode(c["peer_cert_der"], validate=True)
    if s["sni"] != "localhost":
        fail(f"server sni {s['sni']}")
    print("ok")


main()
