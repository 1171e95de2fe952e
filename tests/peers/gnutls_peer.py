"""GnuTLS's `gnutls-serv` and `gnutls-cli` (Debian package gnutls-bin) as TLS
peers. Both print, for every connection, the three channel bindings GnuTLS
computes itself (gnutls_session_channel_binding):

    - Channel bindings
     - 'tls-unique': 369ee3629c80adee32d75b44
     - 'tls-server-end-point': 12398c80...
     - 'tls-exporter': 12f4b43b...

("not available" where GnuTLS has none). gnutls-cli prints them with -V;
gnutls-serv always. --keymatexport adds "- Key material: ..." (exported
with no context).

gnutls-serv has no option to bind one address: it listens on every IPv4 and
IPv6 address, and with -p 0 on a port it does not print; the port is read
back from /proc (peerlib.listening_port). The tests only connect to
127.0.0.1."""
import re

import peerlib as pl

NO_VALUE = "not available"
MISSING = None


def priority(version, ems=True):
    p = f"NORMAL:-VERS-ALL:+VERS-TLS{version}"
    return p if ems else p + ":%NO_SESSION_HASH"


def parse_info(block):
    """The facts one connection's block states."""
    def binding(kind):
        m = re.search(rf"^ - '{kind}': (.*)$", block, re.M)
        if not m:
            return MISSING
        value = m.group(1).strip()
        return NO_VALUE if value == NO_VALUE else value

    version = re.search(r"^- Version: (\S+)$", block, re.M)
    keymat = re.search(r"^- Key material: ([0-9a-f]+)$", block, re.M)
    return {
        "version": version.group(1) if version else None,
        "resumed": "*** This is a resumed session" in block,
        "tls-unique": binding("tls-unique"),
        "tls-server-end-point": binding("tls-server-end-point"),
        "tls-exporter": binding("tls-exporter"),
        "keymat": keymat.group(1) if keymat else None,
    }


class Serv(pl.Proc):
    """gnutls-serv --echo on a port it picked (-p 0)."""

    def __init__(self, run, name, cert, key, prio, *extra):
        argv = ["gnutls-serv", "--echo", "-p", "0", "--x509certfile", cert, "--x509keyfile", key,
                "--priority", prio, "--keymatexport", pl.LABEL, "--keymatexportsize", "32",
                *extra]
        super().__init__(run, name, argv)
        with self.stopped_on_error():
            self.port = pl.listening_port(self.p)

    def connections(self, count):
        """The facts of each connection, once it has ended (gnutls-serv writes
        its output at exit)."""
        self.stop()
        blocks = self.out().split("* Accepted connection from")[1:]
        pl.check(len(blocks) >= count, f"gnutls-serv saw {len(blocks)} connections, not "
                 f"{count}:\n{self.tail()}")
        return [parse_info(b) for b in blocks[:count]]


def client_argv(port, prio, *extra):
    return ["gnutls-cli", "-V", "--priority", prio, "--sni-hostname", "localhost", "-p",
            str(port), "--keymatexport", pl.LABEL, "--keymatexportsize", "32", *extra,
            "127.0.0.1"]


def run_client(run, name, argv, count):
    """Runs gnutls-cli (with -r for count 2): sends a line, waits for its
    echo, closes. Returns the facts of each connection."""
    with pl.Proc(run, name, argv) as cli:
        cli.write(b"ping\n")
        cli.wait_for(r"^- Received\[\d+\]: ping$")
        cli.close_stdin()
        pl.check(cli.wait() == 0, f"gnutls-cli failed:\n{cli.tail()}")
        blocks = cli.out().split("- Connecting again")
    pl.check(len(blocks) == count, f"gnutls-cli made {len(blocks)} connections, not {count}")
    return [parse_info(b) for b in blocks]


def expected(info, kind):
    """GnuTLS's value as omnitls prints it: hex, or None where GnuTLS has none."""
    v = info[kind]
    return None if v == NO_VALUE else v
