#!/usr/bin/env python3
"""omnitls against GnuTLS (`gnutls-serv`, `gnutls-cli -V`), the reference peer
for tls-exporter, on every backend and TLS version it has, two connections
each (the second resumed): the three channel bindings GnuTLS prints must be
omnitls's, byte for byte. TLS 1.2 runs with the extended master secret, and
once without it, where both must refuse tls-exporter."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gnutls_peer as gt  # noqa: E402
import peerlib as pl  # noqa: E402


def compare(r, f, g, b, v, i, can_resume, what):
    """omnitls's REPORT r and facts f against GnuTLS's view g of the same
    connection (i: 0 first, 1 resumed when the client can resume)."""
    what = f"{what}, connection {i + 1}"
    pl.check_resumed(f, g["resumed"], i, can_resume, what)
    pl.check_eq(r["version"], g["version"].replace("TLS", "TLSv"), f"{what}: version")
    if v == "1.3":
        # Neither gives tls-unique on TLS 1.3 unless asked (RFC 9266).
        pl.check_eq(g["tls-unique"], gt.NO_VALUE, f"{what}: GnuTLS's TLS 1.3 tls-unique")
        pl.check_refused(r, "tls-unique", "RFC 9266")
    else:
        pl.check_unique(r, b, gt.expected(g, "tls-unique"), what)
    pl.check_exporter(r, b, gt.expected(g, "tls-exporter"), what)
    if g["tls-server-end-point"] is not gt.MISSING:  # gnutls-serv omits it when resumed
        pl.check_eq(pl.binding(r, "tls-server-end-point"), g["tls-server-end-point"],
                    f"{what}: tls-server-end-point")
    if v == "1.2" and b.has("exporter"):
        # GnuTLS's --keymatexport uses no context: on TLS 1.2 another value.
        pl.check(g["keymat"] and g["keymat"] != pl.binding(r, "tls-exporter"),
                 f"{what}: on TLS 1.2 the empty context must change the exporter output")


def serv(run, pki, b, v):
    """gnutls-serv <- omnitls connect --reconnect, client certificate verified."""
    srv = gt.Serv(run, f"gnutls-serv-{b.name}-{v}", pki.server_cert, pki.server_key,
                  gt.priority(v), "--x509cafile", pki.ca, "--require-client-cert",
                  "--verify-client-cert")
    with srv:
        reports, facts, _ = pl.connect(run, b.name, srv.port, "--tls", v, "--cafile", pki.ca,
                                       "--servername", "localhost", "--cert", pki.client_cert,
                                       "--key", pki.client_key, "--send", "ping\n", "--reconnect")
        conns = srv.connections(2)
    for i in range(2):
        compare(reports[i], facts.get(i + 1, {}), conns[i], b, v, i, b.has("resumption"),
                "gnutls-serv")


def cli(run, pki, b, v):
    """omnitls serve <- gnutls-cli -r (connect, then resume)."""
    with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key, "--cafile",
                  pki.ca, "--verify", "required", "--tls", v) as srv:
        wait = ["--waitresumption"] if v == "1.3" else []  # the TLS 1.3 ticket
        argv = gt.client_argv(srv.port, gt.priority(v), "-r", *wait, "--x509cafile", pki.ca,
                              "--verify-hostname", "localhost", "--x509certfile",
                              pki.client_cert, "--x509keyfile", pki.client_key)
        conns = gt.run_client(run, f"gnutls-cli-{b.name}-{v}", argv, 2)
        reports, facts = srv.reports(2), srv.facts(2)
    for i in range(2):
        compare(reports[i], facts.get(i + 1, {}), conns[i], b, v, i, True, "gnutls-cli")
        pl.check_eq(pl.der_of(reports[i]), pki.client_der, "peer_cert_der")


def check_no_ems(r, g, b, what):
    pl.check_eq(g["tls-exporter"], gt.NO_VALUE, f"{what}: GnuTLS's tls-exporter without EMS")
    pl.check_refused(r, "tls-exporter", "extended master secret")
    pl.check_unique(r, b, gt.expected(g, "tls-unique"), what)


def no_ems(run, pki, b):
    """TLS 1.2 without the extended master secret, both directions."""
    srv = gt.Serv(run, f"gnutls-serv-noems-{b.name}", pki.server_cert, pki.server_key,
                  gt.priority("1.2", ems=False))
    with srv:
        reports, _, _ = pl.connect(run, b.name, srv.port, "--tls", "1.2", "--cafile", pki.ca,
                                   "--servername", "localhost", "--send", "ping\n")
        g = srv.connections(1)[0]
    check_no_ems(reports[0], g, b, "gnutls-serv")
    with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key) as omni:
        argv = gt.client_argv(omni.port, gt.priority("1.2", ems=False), "--x509cafile", pki.ca,
                              "--verify-hostname", "localhost")
        g = gt.run_client(run, f"gnutls-cli-noems-{b.name}", argv, 1)[0]
        report = omni.reports(1)[0]
    check_no_ems(report, g, b, "gnutls-cli")


def main():
    run = pl.Runner("peers.gnutls", __doc__)
    run.need("openssl", "openssl")  # makes the PKI
    pki = pl.Pki(run.path("pki"))
    for b in run.backends:
        for v in b.versions:
            cell = f"{b.name} TLS {v}"
            run.run(f"gnutls-serv <- omnitls connect, {cell}", guarded(serv), run, pki, b, v)
            run.run(f"omnitls serve <- gnutls-cli, {cell}", guarded(cli), run, pki, b, v)
        run.run(f"no extended master secret, {b.name} TLS 1.2", guarded(no_ems), run, pki, b)
    run.finish()


def guarded(case):
    """The case, skipped with the reason when GnuTLS's tools are absent."""
    def run_case(*args):
        pl.require_program("gnutls-serv", "gnutls-bin")
        pl.require_program("gnutls-cli", "gnutls-bin")
        case(*args)
    return run_case


if __name__ == "__main__":
    main()
