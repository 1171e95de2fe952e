"""The openssl CLI as a TLS peer: `s_server` and `s_client`, with
-msg (every handshake message in clear, so the Finished messages give
tls-unique), -keymatexport (the exporter) and -keylogfile (the TLS 1.2 master
secret).

s_server and s_client export with *no* context (SSL_export_keying_material
with use_context = 0) and have no option for one. On TLS 1.3 that equals the
empty context RFC 9266 asks for (RFC 8446 7.5 hashes a missing context as an
empty one); on TLS 1.2 it does not (RFC 5705 4: the context length is part of
the PRF seed only when a context is given). So on TLS 1.2 the RFC 9266 value
is computed here with the TLS 1.2 PRF from the master secret openssl logs,
after checking that the same PRF without a context gives openssl's own
number."""
import hashlib
import hmac
import re

import peerlib as pl

FINISHED = re.compile(r"^(<<<|>>>) TLS 1\.[23], Handshake \[length [0-9a-f]+\], Finished\n"
                      r"((?:    [0-9a-f ]+\n)+)", re.M)
HELLO = r"^(?:<<<|>>>) TLS 1\.[23], Handshake \[length [0-9a-f]+\], %s\n((?:    [0-9a-f ]+\n)+)"
KEYMAT = re.compile(r"^    Keying material: ([0-9A-F]+)$", re.M)


def server_argv(pki, version, *extra):
    """s_server on 127.0.0.1, port 0 (it prints "ACCEPT 127.0.0.1:PORT"),
    asking for a client certificate."""
    return ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", pki.server_cert, "-key",
            pki.server_key, "-CAfile", pki.ca, "-Verify", "1", f"-tls1_{version[-1]}", "-msg",
            "-keymatexport", pl.LABEL, "-keymatexportlen", "32", *extra]


def client_argv(pki, version, port, *extra):
    return ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-CAfile", pki.ca, "-verify_return_error", "-verify_hostname", "localhost", "-cert",
            pki.client_cert, "-key", pki.client_key, f"-tls1_{version[-1]}", "-msg",
            "-keymatexport", pl.LABEL, "-keymatexportlen", "32", *extra]


def _hexdump(text):
    return bytes.fromhex("".join(text.split()))


def _hello_random(text, name):
    m = re.search(HELLO % name, text, re.M)
    pl.check(m, f"no {name} in openssl's -msg output")
    return _hexdump(m.group(1))[6:38]  # type, length (4), version (2), random (32)


def parse(text, we_are_client):
    """One connection as s_server or s_client printed it."""
    finished = []
    for m in FINISHED.finditer(text):
        msg = _hexdump(m.group(2))
        verify_data = msg[4:4 + int.from_bytes(msg[1:4], "big")]
        sent = m.group(1) == ">>>"
        finished.append(("client" if sent == we_are_client else "server", verify_data.hex()))
    keymat = KEYMAT.search(text)
    if we_are_client:
        cipher = re.search(r"^(?:New|Reused), TLSv1\.[23], Cipher is (\S+)$", text, re.M)
        resumed = re.search(r"^Reused, ", text, re.M) is not None
    else:
        cipher = re.search(r"^CIPHER is (\S+)$", text, re.M)
        resumed = re.search(r"^Reused session-id$", text, re.M) is not None
    pl.check(len(finished) == 2 and keymat and cipher,
             f"openssl's output lacks the Finished messages, keying material or cipher:\n{text}")
    return {
        "finished": finished,
        "keymat": keymat.group(1).lower(),
        "cipher": cipher.group(1),
        "resumed": resumed,
        "client_random": _hello_random(text, "ClientHello"),
        "server_random": _hello_random(text, "ServerHello"),
    }


def tls_unique(conn, version):
    """tls-unique from openssl's Finished messages. TLS 1.2 (RFC 5929 3.1): the
    first Finished of the handshake. TLS 1.3 has none (RFC 9266); Python's
    value, which omnitls gives on request, is its rule on TLS 1.2: the
    client's Finished, the server's on a resumed session."""
    first_sender, first = conn["finished"][0]
    python_rule = "server" if conn["resumed"] else "client"
    if version == "1.2":
        pl.check(first_sender == python_rule, "on TLS 1.2 the first Finished must be the "
                 f"{python_rule}'s, openssl shows the {first_sender}'s first")
        return first
    return dict(conn["finished"])[python_rule]


def master_secrets(keylog_path):
    """{client_random: master_secret} from an NSS key log (TLS 1.2 lines)."""
    secrets = {}
    with open(keylog_path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "CLIENT_RANDOM":
                secrets[bytes.fromhex(parts[1])] = bytes.fromhex(parts[2])
    return secrets


def _prf12(secret, label, seed, n, hash_name):
    """The TLS 1.2 PRF (RFC 5246 5): P_hash(secret, label + seed)."""
    seed = label + seed
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, hash_name).digest()
        out += hmac.new(secret, a + seed, hash_name).digest()
    return out[:n]


def exporter12(conn, master, context):
    """RFC 5705 exporter output on TLS 1.2; context None: no context."""
    h = hashlib.sha384 if conn["cipher"].endswith("SHA384") else hashlib.sha256
    seed = conn["client_random"] + conn["server_random"]
    if context is not None:
        seed += len(context).to_bytes(2, "big") + context
    return _prf12(master, pl.LABEL.encode(), seed, 32, h().name).hex()


def tls_exporter(conn, version, keylog_path):
    """The RFC 9266 value (empty context) for a connection openssl saw."""
    if version == "1.3":
        return conn["keymat"]  # no context = empty context on TLS 1.3
    master = master_secrets(keylog_path).get(conn["client_random"])
    pl.check(master, "openssl's key log has no master secret for this connection")
    pl.check(exporter12(conn, master, None) == conn["keymat"],
             "the TLS 1.2 PRF here does not reproduce openssl's own (no-context) exporter")
    return exporter12(conn, master, b"")
