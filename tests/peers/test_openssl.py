#!/usr/bin/env python3
"""omnitls against the openssl CLI (`s_server`, `s_client`) on every backend
and TLS version it has, two connections each, the second resumed:
tls-unique from the Finished messages openssl shows (-msg), tls-exporter
from openssl's exporter (-keymatexport; on TLS 1.2 through the master secret
it logs, see openssl_peer.py), the cipher and the resumption."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openssl_peer as osl  # noqa: E402
import peerlib as pl  # noqa: E402


def compare(r, f, conn, b, v, i, can_resume, keylog, what):
    """omnitls's REPORT r and facts f against openssl's view conn of the same
    connection (i: 0 first, 1 resumed when the client can resume)."""
    what = f"{what}, connection {i + 1}"
    pl.check_resumed(f, conn["resumed"], i, can_resume, what)
    pl.check_eq(r["version"], pl.VERSION_NAMES[v], f"{what}: version")
    pl.check_eq(r["cipher"][0], conn["cipher"], f"{what}: cipher")
    pl.check_unique(r, b, osl.tls_unique(conn, v), what)
    pl.check_exporter(r, b, osl.tls_exporter(conn, v, keylog), what)
    if v == "1.2" and b.has("exporter"):
        # The context subtlety, shown: openssl's no-context export differs.
        pl.check(pl.binding(r, "tls-exporter") != conn["keymat"],
                 f"{what}: on TLS 1.2 the empty context must change the exporter output")


def s_server(run, pki, b, v):
    """s_server <- omnitls connect --reconnect."""
    name = f"s_server-{b.name}-{v}"
    keylog = run.path(f"{name}.keylog")
    with pl.Proc(run, name, osl.server_argv(pki, v, "-naccept", "2", "-keylogfile", keylog)) as srv:
        port = int(srv.wait_for(r"^ACCEPT 127\.0\.0\.1:(\d+)$").group(1))
        reports, facts, _ = pl.connect(run, b.name, port, "--tls", v, "--cafile", pki.ca,
                                       "--servername", "localhost", "--cert", pki.client_cert,
                                       "--key", pki.client_key, "--reconnect",
                                       *pl.flag_tls13_unique(v))
        srv.wait()
        text = srv.out()
    conns = [osl.parse(t, we_are_client=False) for t in text.split("CONNECTION CLOSED")[:2]]
    pl.check(len(reports) == 2, f"2 reports expected, got {len(reports)}")
    for i in range(2):
        compare(reports[i], facts.get(i + 1, {}), conns[i], b, v, i, b.has("resumption"),
                keylog, "s_server")
        pl.check_eq(pl.der_of(reports[i]), pki.server_der, "peer_cert_der")


def s_client(run, pki, b, v):
    """omnitls serve <- s_client, then s_client -sess_in."""
    name = f"s_client-{b.name}-{v}"
    keylog, session = run.path(f"{name}.keylog"), run.path(f"{name}.session")
    conns = []
    with pl.Serve(run, b.name, "--cert", pki.server_cert, "--key", pki.server_key, "--cafile",
                  pki.ca, "--verify", "required", "--tls", v, *pl.flag_tls13_unique(v)) as srv:
        for i, sess in enumerate(("-sess_out", "-sess_in")):
            argv = osl.client_argv(pki, v, srv.port, "-keylogfile", keylog, sess, session)
            with pl.Proc(run, f"{name}-{i + 1}", argv) as cli:
                # The echo comes after any TLS 1.3 ticket: -sess_out has one.
                cli.write(b"ping\n")
                cli.wait_for(r"^ping$")
                cli.close_stdin()
                pl.check(cli.wait() == 0, f"s_client failed:\n{cli.tail()}")
                conns.append(osl.parse(cli.out(), we_are_client=True))
        reports, facts = srv.reports(2), srv.facts(2)
    for i in range(2):
        compare(reports[i], facts.get(i + 1, {}), conns[i], b, v, i, True, keylog, "s_client")
        pl.check_eq(pl.der_of(reports[i]), pki.client_der, "peer_cert_der")


def main():
    run = pl.Runner("peers.openssl", __doc__)
    run.need("openssl", "openssl")  # makes the PKI
    pki = pl.Pki(run.path("pki"))
    for b in run.backends:
        for v in b.versions:
            cell = f"{b.name} TLS {v}"
            run.run(f"s_server <- omnitls connect, {cell}", s_server, run, pki, b, v)
            run.run(f"omnitls serve <- s_client, {cell}", s_client, run, pki, b, v)
    run.finish()


if __name__ == "__main__":
    main()
