"""Python's ssl module as a TLS peer: a server in a thread and a client,
each reporting what its SSLSocket says about the connection."""
import json
import platform
import socket
import ssl
import threading

from peerlib import TIMEOUT, check

PYTHON_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}

def context(server, version, pki, verify=True, client_cert=True, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ctx.maximum_version = PYTHON_VERSIONS[version]
    if server:
        ctx.load_cert_chain(pki.server_cert, pki.server_key)
    elif client_cert:
        ctx.load_cert_chain(pki.client_cert, pki.client_key)
    if verify:
        ctx.load_verify_locations(pki.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def facts(s):
    """What Python's SSLSocket says about a connection."""
    unique = s.get_channel_binding("tls-unique")
    shared = s.shared_ciphers()
    return {
        "version": s.version(),
        "cipher": list(s.cipher()),
        "shared_ciphers": None if shared is None else [list(c) for c in shared],
        "der": s.getpeercert(True),
        "getpeercert": json.dumps(s.getpeercert()),
        "tls-unique": None if unique is None else unique.hex(),
        "reused": s.session_reused,
    }


class Server:
    """Python's ssl as a server in a thread on 127.0.0.1:0: for each of
    `count` connections, its facts, then an echo until the client closes."""

    def __init__(self, ctx, count=1):
        self.ctx, self.count = ctx, count
        self.results, self.error = [], None
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self):
        try:
            for _ in range(self.count):
                raw, _ = self.sock.accept()
                raw.settimeout(TIMEOUT)
                with self.ctx.wrap_socket(raw, server_side=True) as s:
                    self.results.append(facts(s))
                    try:
                        while True:
                            data = s.recv(4096)
                            if not data:
                                break
                            s.sendall(data)
                        s.unwrap()
                    except (OSError, ssl.SSLError):
                        pass  # the client may just close the socket
        except Exception as e:  # reported by join()
            self.error = e
        finally:
            self.sock.close()

    def join(self):
        self.thread.join(TIMEOUT * 3)
        check(not self.thread.is_alive(), "the Python server did not finish")
        if self.error:
            raise AssertionError(f"Python server: {type(self.error).__name__}: {self.error}")
        return self.results


def client(port, ctx, session=None, send=b"ping\n"):
    """One connection of Python's ssl as a client: its facts, the echo of
    send (which brings TLS 1.3 tickets along), its session, close_notify."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            got = facts(s)
            s.sendall(send)
            got["echo"] = s.recv(4096)
            got["session"] = s.session
            try:
                s.unwrap()
            except (OSError, ssl.SSLError):
                pass
    return got


def getpeercert_json(pki):
    """json.dumps(getpeercert()) of the server and of the client certificate,
    from a real connection of Python with itself: what omnitls must print."""
    srv = Server(context(True, "1.2", pki))
    cli = client(srv.port, context(False, "1.2", pki))
    return cli["getpeercert"], srv.join()[0]["getpeercert"]


def shared_ciphers_bug(pki):
    """Why this Python's shared_ciphers() cannot be the reference, or None.
    Before the fix of CPython gh-96931 (in later 3.11 releases; 3.11.2 has the
    bug, 3.11.7 not) it returned the server's whole cipher list instead of
    the suites both ends enable."""
    one = "ECDHE-ECDSA-AES128-GCM-SHA256"
    srv = Server(context(True, "1.2", pki, verify=False, ciphers=one + ":ECDHE-ECDSA-AES256-SHA"))
    cli = context(False, "1.2", pki, client_cert=False)
    cli.set_ciphers(one)
    client(srv.port, cli)
    shared = srv.join()[0]["shared_ciphers"]
    if [c[0] for c in shared] == [one]:
        return None
    return (f"Python {platform.python_version()} has CPython bug gh-96931: its "
            f"shared_ciphers() is the server's whole cipher list (fixed in later 3.11 "
            f"releases)")

