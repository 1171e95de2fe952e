#!/usr/bin/python3
"""Python's side of the certificate-decoding comparison (bench/run.sh).

- ssl._ssl._test_decode_cert(path): Python's file -> X509 -> dict, per
  certificate of the list (the same files bench_decode reads); each file's
  best of five batches of --reps / 5 calls, then median/min/max over the
  files.
- getpeercert() on an established TLS connection (the test PKI's leaf):
  Python's X509 -> dict step alone, the certificate already parsed; and
  json.dumps(getpeercert()), what otls_cert_to_json prints.

Prints key=value lines like bench_decode's.
"""
import argparse
import json
import os
import socket
import ssl
import statistics
import threading
import time


def per_cert(paths, reps):
    """Each file's time: the best of five batches of reps / 5 calls (as
    bench_decode times its side: the machine is shared)."""
    out = []
    per = max(1, reps // 5)
    for p in paths:
        best = None
        for _ in range(5):
            t0 = time.perf_counter_ns()
            for _ in range(per):
                ssl._ssl._test_decode_cert(p)
            t = (time.perf_counter_ns() - t0) / per / 1000.0
            best = t if best is None else min(best, t)
        out.append(best)
    return out


def report(what, values):
    values = sorted(values)
    print(f"decode={what} certs={len(values)} median_us={statistics.median(values):.3f} "
          f"min_us={values[0]:.3f} max_us={values[-1]:.3f} best_us={values[0]:.3f}")


def peer_connection(pki):
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(os.path.join(pki, "server-chain.pem"),
                               os.path.join(pki, "server-key.pem"))
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(os.path.join(pki, "root.pem"))
    a, b = socket.socketpair()
    box = {}

    def serve():
        box["server"] = server_ctx.wrap_socket(b, server_side=True)

    t = threading.Thread(target=serve)
    t.start()
    client = client_ctx.wrap_socket(a, server_hostname="localhost")
    t.join()
    return client, box["server"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    with open(args.list) as f:
        paths = [line.strip() for line in f if line.strip()]
    ok = []
    for p in paths:
        try:
            ssl._ssl._test_decode_cert(p)
            ok.append(p)
        except (ssl.SSLError, ValueError, OSError):
            pass
    report("py_test_decode_cert", per_cert(ok, args.reps))
    print(f"decode=py_bundle files_refused={len(paths) - len(ok)}")

    client, server = peer_connection(args.pki)
    n = args.reps
    for what, fn in (("py_getpeercert", client.getpeercert),
                     ("py_getpeercert_json", lambda: json.dumps(client.getpeercert()))):
        runs = []
        for _ in range(25):
            t0 = time.perf_counter_ns()
            for _ in range(n):
                fn()
            runs.append((time.perf_counter_ns() - t0) / n / 1000.0)
        report(what, runs)
    client.close()
    server.close()


if __name__ == "__main__":
    main()
