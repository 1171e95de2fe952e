#!/usr/bin/env python3
"""`omnitls connect` and `omnitls serve` themselves: usage errors exit 2,
failures exit 1 with the reason, the server listens on 127.0.0.1 only, and
no silent peer makes either command hang (every wait ends after 10 s)."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402

SLACK = 10  # seconds a bounded wait may take beyond its 10 s on a loaded machine


def omnitls(run, *args, timeout=pl.TIMEOUT):
    return subprocess.run([run.omnitls, *args], capture_output=True, text=True, timeout=timeout)


def usage(run, pki):
    bad = [
        ["connect"],
        ["connect", "127.0.0.1"],
        ["connect", "127.0.0.1:1", "127.0.0.1:2"],
        ["connect", "127.0.0.1:1", "--tls", "1.1"],
        ["connect", "127.0.0.1:1", "--verify", "optional"],
        ["connect", "127.0.0.1:1", "--backend", "nosuch"],
        ["connect", "127.0.0.1:1", "--cafile"],
        ["connect", "127.0.0.1:1", "--key", pki.client_key],
        ["serve"],
        ["serve", "--cert", pki.server_cert, "--port", "70000"],
        ["serve", "--cert", pki.server_cert, "--verify", "maybe"],
        ["serve", "--cert", pki.server_cert, "--nosuch"],
    ]
    for args in bad:
        r = omnitls(run, *args)
        pl.check(r.returncode == 2 and r.stderr, f"omnitls {' '.join(args)}: exit "
                 f"{r.returncode} (want 2 and a reason); stderr: {r.stderr!r}")


def refused(run, pki):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    r = omnitls(run, "connect", f"127.0.0.1:{port}", "--verify", "none")
    pl.check(r.returncode == 1 and "Connection refused" in r.stderr,
             f"exit {r.returncode}, stderr {r.stderr!r}")


def loopback_only(run, pki):
    with pl.Serve(run, run.backends[0].name, "--cert", pki.server_cert, "--key",
                  pki.server_key) as srv:
        with open("/proc/net/tcp", encoding="ascii") as f:
            local = [line.split()[1] for line in f.readlines()[1:]
                     if line.split()[3] == "0A" and
                     int(line.split()[1].split(":")[1], 16) == srv.port]
    pl.check(local == [f"0100007F:{srv.port:04X}"], f"serve listens on {local}, not 127.0.0.1")


def nothing_hangs(run, pki):
    """A server that never answers, a client that never speaks, no client
    at all: each command gives up after 10 s, exit 1, with the reason. Run
    side by side so the case takes 10 s, not 30."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    started = time.monotonic()
    procs = {
        "connect to a silent server": subprocess.Popen(
            [run.omnitls, "connect", f"127.0.0.1:{silent.getsockname()[1]}", "--verify", "none"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        "serve --once, no client": subprocess.Popen(
            [run.omnitls, "serve", "--once", "--cert", pki.server_cert, "--key",
             pki.server_key], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    }
    with pl.Serve(run, run.backends[0].name, "--once", "--cert", pki.server_cert, "--key",
                  pki.server_key) as mute_client:
        with socket.create_connection(("127.0.0.1", mute_client.port)):
            pl.check(mute_client.wait(pl.TIMEOUT + SLACK) == 1, "serve --once with a mute "
                     "client must fail")
        reasons = {"serve --once, mute client": mute_client.err()}
    for name, p in procs.items():
        try:
            _, err = p.communicate(timeout=pl.TIMEOUT + SLACK)
        except subprocess.TimeoutExpired:
            p.kill()
            raise AssertionError(f"{name}: still running after {pl.TIMEOUT + SLACK} s")
        pl.check(p.returncode == 1, f"{name}: exit {p.returncode}, want 1")
        reasons[name] = err
    silent.close()
    took = time.monotonic() - started
    pl.check(took >= pl.TIMEOUT - 1, f"gave up after {took:.1f} s, before the 10 s timeout")
    for name, err in reasons.items():
        pl.check("10 s" in err, f"{name}: no reason naming the 10 s timeout: {err!r}")


def main():
    run = pl.Runner("peers.cli", __doc__)
    run.need("openssl", "openssl")  # makes the PKI
    pki = pl.Pki(run.path("pki"))
    run.run("usage errors exit 2", usage, run, pki)
    run.run("connection refused exits 1", refused, run, pki)
    run.run("serve listens on 127.0.0.1 only", loopback_only, run, pki)
    run.run("no silent peer makes a command hang", nothing_hangs, run, pki)
    run.finish()


if __name__ == "__main__":
    main()
