#!/usr/bin/env python3
"""omnitls against Python's ssl module, as server and as client, on every
backend and TLS version it has: for the same connection, omnitls must report
what Python's SSLSocket says: get_channel_binding('tls-unique') (on TLS 1.3
with omnitls's opt-in), getpeercert(True), json.dumps(getpeercert()),
cipher(), version(), session_reused and, on a server, shared_ciphers().

Python 3.11 has no tls-exporter or tls-server-end-point; those are checked
against the openssl CLI and GnuTLS (test_openssl.py, test_gnutls.py,
test_end_point.py)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
import py_peer as pyssl  # noqa: E402

# The suites both servers enable for the shared_ciphers() comparison, in
# preference order. Python's set_ciphers() leaves the TLS 1.3 suites at
# OpenSSL's default; omnitls is given the same three explicitly.
CIPHERS_12 = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA")
CIPHERS_13 = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"


def compare(r, f, p, b, i, can_resume, what):
    """One connection: omnitls's REPORT r and stderr facts f against
    Python's facts p for the same connection (i: 0 first, 1 resumed when the
    client can resume)."""
    what = f"{what}, connection {i + 1}"
    pl.check_eq(r["version"], p["version"], f"{what}: version()")
    pl.check_eq(r["cipher"], p["cipher"], f"{what}: cipher()")
    pl.check_unique(r, b, p["tls-unique"], what)
    pl.check_resumed(f, p["reused"], i, can_resume, f"{what}: session_reused")


def python_server(run, pki, want, b, v):
    """Python's server <- omnitls connect, twice (the second resumes)."""
    server = pyssl.Server(pyssl.context(True, v, pki), count=2)
    reports, facts, _ = pl.connect(run, b.name, server.port, "--tls", v, "--cafile", pki.ca,
                                   "--servername", "localhost", "--cert", pki.client_cert,
                                   "--key", pki.client_key, "--send", "ping\n", "--reconnect",
                                   *pl.flag_tls13_unique(v))
    py = server.join()
    pl.check(len(reports) == 2 and len(py) == 2, f"2 connections expected: {len(reports)} "
             f"reports, {len(py)} on the Python side")
    for i in range(2):
        r, f, p = reports[i], facts.get(i + 1, {}), py[i]
        compare(r, f, p, b, i, b.has("resumption"), "Python server")
        # Each end's view of the other's certificate.
        pl.check_eq(pl.der_of(r), pki.server_der, "omnitls's peer_cert_der")
        pl.check_eq(p["der"], pki.client_der, "Python's getpeercert(True) of omnitls's cert")
        pl.check_eq(f.get("getpeercert"), want["server"], "getpeercert() JSON of the server")
        pl.check_eq(r["shared_ciphers"], None, "a client's shared_ciphers() (Python: None)")
        pl.check_eq(json.loads(f.get("received", "null")), "ping\n", "the echo")


def python_client(run, pki, want, b, v):
    """omnitls serve <- Python's client, twice (the second resumes)."""
    with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key, "--cafile",
                  pki.ca, "--verify", "required", "--tls", v, *pl.flag_tls13_unique(v)) as srv:
        ctx = pyssl.context(False, v, pki)
        first = pyssl.client(srv.port, ctx)
        second = pyssl.client(srv.port, ctx, session=first["session"])
        reports, facts = srv.reports(2), srv.facts(2)
    for i, p in enumerate((first, second)):
        r, f = reports[i], facts.get(i + 1, {})
        compare(r, f, p, b, i, True, "Python client")
        pl.check_eq(pl.der_of(r), pki.client_der, "omnitls's peer_cert_der")
        pl.check_eq(p["der"], pki.server_der, "Python's getpeercert(True) of omnitls's cert")
        pl.check_eq(f.get("getpeercert"), want["client"], "getpeercert() JSON of the client")
        pl.check_eq(p["echo"], b"ping\n", "the echo")
        pl.check(r["shared_ciphers"] and r["cipher"] in r["shared_ciphers"],
                 "the server's shared ciphers must hold the negotiated suite")


def shared_ciphers(run, pki, bug, b, v):
    """shared_ciphers() of a Python server and of omnitls serve, configured
    alike, for the same client (omnitls connect, then Python): equal."""
    if bug:
        raise pl.Skip(bug)
    def py_server_list(client):
        server = pyssl.Server(pyssl.context(True, v, pki, verify=False, ciphers=CIPHERS_12))
        client(server.port)
        return server.join()[0]["shared_ciphers"]

    def omnitls_server_list(client):
        with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key, "--tls",
                      v, "--ciphers", CIPHERS_13 + ":" + CIPHERS_12) as srv:
            client(srv.port)
            return srv.reports(1)[0]["shared_ciphers"]

    reports = []

    def omnitls_client(port):
        reports.extend(pl.connect(run, b.name, port, "--tls", v, "--cafile", pki.ca,
                                  "--servername", "localhost", "--send", "ping\n")[0])

    def python_client_(port):
        pyssl.client(port, pyssl.context(False, v, pki, client_cert=False))

    for name, client in (("omnitls", omnitls_client), ("Python", python_client_)):
        want = py_server_list(client)
        got = omnitls_server_list(client)
        pl.check(want, f"the Python server shares no cipher with the {name} client")
        pl.check_eq(got, want, f"shared_ciphers() for a {name} client")
    if v == "1.3":
        # Python gives tls-unique on TLS 1.3; omnitls only with the opt-in.
        pl.check_refused(reports[0], "tls-unique", "RFC 9266")


def unverified(run, pki, b, v):
    """Without verification getpeercert() is {} on a client; a server that
    did not ask has no peer certificate (None): as Python says."""
    server = pyssl.Server(pyssl.context(True, v, pki, verify=False))
    py = pyssl.client(server.port, pyssl.context(False, v, pki, verify=False, client_cert=False))
    py_server = server.join()[0]
    server = pyssl.Server(pyssl.context(True, v, pki, verify=False))
    reports, facts, _ = pl.connect(run, b.name, server.port, "--tls", v, "--verify", "none")
    server.join()
    pl.check_eq(facts[1].get("getpeercert"), py["getpeercert"], "unverified client getpeercert()")
    pl.check_eq(pl.der_of(reports[0]), pki.server_der, "unverified client getpeercert(True)")
    with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key, "--tls",
                  v) as srv:
        pyssl.client(srv.port, pyssl.context(False, v, pki, client_cert=False))
        report, facts = srv.reports(1)[0], srv.facts(1)
    pl.check_eq(facts[1].get("getpeercert"), py_server["getpeercert"],
                "getpeercert() of a server that did not ask")
    pl.check_eq(pl.der_of(report), py_server["der"], "getpeercert(True) of a server that did "
                "not ask")


def main():
    run = pl.Runner("peers.python", __doc__)
    run.need("openssl", "openssl")  # makes the PKI
    pki = pl.Pki(run.path("pki"))
    server_json, client_json = pyssl.getpeercert_json(pki)
    want = {"server": server_json, "client": client_json}
    bug = pyssl.shared_ciphers_bug(pki)
    for b in run.backends:
        for v in b.versions:
            cell = f"{b.name} TLS {v}"
            run.run(f"python-server <- omnitls connect, {cell}", python_server, run, pki, want,
                    b, v)
            run.run(f"omnitls serve <- python-client, {cell}", python_client, run, pki, want, b,
                    v)
            run.run(f"shared_ciphers(), {cell}", shared_ciphers, run, pki, bug, b, v)
            run.run(f"getpeercert() unverified, {cell}", unverified, run, pki, b, v)
    run.finish()


if __name__ == "__main__":
    main()
