"""Shared machinery of the peer tests (tests/peers/test_*.py).

omnitls's `connect` and `serve` commands meet TLS peers omnitls did not
write: Python's ssl module, the openssl CLI and GnuTLS's gnutls-cli and
gnutls-serv. This module holds what every peer test needs:

- a runner that counts cases, prints one [PASS]/[SKIP]/[FAIL] line each and
  a closing "N passed, N skipped (not passed), N failed" line, and exits 77
  when something was skipped and nothing failed (CTest's SKIP_RETURN_CODE:
  a skip is never a pass);
- the backends, read from `omnitls backends --json` at run time, so a new
  backend (a plugin) is tested without editing a test;
- a throw-away PKI made with the openssl CLI in a temporary directory (no
  private key is ever committed);
- `omnitls connect` and `omnitls serve` runs, their REPORT lines and the
  facts they print on stderr;
- peer processes with every wait bounded, and their ports found by binding
  port 0 and reading the port back.

Every connection goes to 127.0.0.1.
"""
import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

TIMEOUT = 10  # seconds; the bound of every single wait
SKIP_CODE = 77
LABEL = "EXPORTER-Channel-Binding"
VERSION_NAMES = {"1.2": "TLSv1.2", "1.3": "TLSv1.3"}


class Skip(Exception):
    """The case cannot run here (a peer program is missing): counted as
    skipped, never as passed."""


class LeftOut(Exception):
    """The combination is one the backend does not offer (an Ed25519
    certificate on a stack without Ed25519): not a test of omnitls, so not
    counted; the reason is printed, as test_capabilities reports such
    cells."""


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check_eq(got, want, what):
    """got is omnitls's answer (or the fact under test), want the peer's."""
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


# --------------------------------------------------------------------------
# Runner


class Runner:
    def __init__(self, name, description):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--omnitls", required=True, help="the omnitls CLI")
        parser.add_argument("--filter", default="", help="run cases whose name contains this")
        parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
        self.args = parser.parse_args()
        self.name = name
        self.omnitls = self.args.omnitls
        self.passed = self.skipped = self.failed = 0
        self.tmp = tempfile.mkdtemp(prefix=f"omnitls-{name}-")
        self.backends = load_backends(self.omnitls, self)

    def need(self, program, package):
        """Every case needs program: without it they are all skipped, visibly."""
        try:
            require_program(program, package)
        except Skip as e:
            self.skipped += 1
            print(f"[SKIP] every case: {e}", flush=True)
            self.finish()

    def note(self, text):
        print(f"[NOTE] {text}", flush=True)

    def run(self, name, fn, *args):
        if self.args.filter not in name:
            return
        t0 = time.monotonic()
        try:
            fn(*args)
        except Skip as e:
            self.skipped += 1
            print(f"[SKIP] {name}: {e}", flush=True)
        except LeftOut as e:
            print(f"[NOTE] left out: {name}: {e}", flush=True)
        except AssertionError as e:
            self.failed += 1
            print(f"[FAIL] {name}: {e}", flush=True)
        except Exception as e:  # a broken peer or harness: still this case's failure
            self.failed += 1
            print(f"[FAIL] {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(file=sys.stdout)
        else:
            self.passed += 1
            print(f"[PASS] {name} ({time.monotonic() - t0:.2f} s)", flush=True)

    def finish(self):
        if self.args.keep:
            print(f"[NOTE] files kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        print(f"[{self.name}] {self.passed} passed, {self.skipped} skipped (not passed), "
              f"{self.failed} failed", flush=True)
        if self.failed:
            sys.exit(1)
        sys.exit(SKIP_CODE if self.skipped or not self.passed else 0)

    def path(self, name):
        return os.path.join(self.tmp, name)


def require_program(name, package):
    path = shutil.which(name)
    if not path:
        raise Skip(f"{name} not found (Debian package {package}; scripts/install-deps.sh "
                   f"installs it)")
    return path


# --------------------------------------------------------------------------
# Backends


class Backend:
    def __init__(self, info):
        self.name = info["name"]
        self.features = set(info["features"])
        self.versions = ["1.2"] + (["1.3"] if "tls1.3" in self.features else [])

    def has(self, feature):
        return feature in self.features


def load_backends(omnitls, runner):
    r = subprocess.run([omnitls, "backends", "--json"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    if r.returncode != 0:
        raise SystemExit(f"omnitls backends --json failed: {r.stderr}")
    if r.stderr.strip():
        runner.note(r.stderr.strip())  # a plugin that did not load
    backends = [Backend(b) for b in json.loads(r.stdout)]
    for b in backends:
        if "1.3" not in b.versions:
            runner.note(f"not in the matrix: {b.name} TLS 1.3 (the backend has no TLS 1.3)")
        if not b.has("resumption"):
            runner.note(f"{b.name} cannot resume as a client: its second connections are full "
                        f"handshakes")
    return backends


# --------------------------------------------------------------------------
# PKI, made with the openssl CLI at test time


def openssl(*args):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=TIMEOUT * 3)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def pem_to_der(path):
    with open(path, encoding="ascii") as f:
        text = f.read()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


def new_key(path, kind):
    if kind.startswith("ec-"):
        curve = {"ec-p256": "P-256", "ec-p384": "P-384"}[kind]
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{curve}",
                "-out", path)
    elif kind == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    else:
        openssl("genpkey", "-algorithm", kind, "-out", path)


SERVER_EXT = """[v3]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, email:peers@example.org
authorityInfoAccess = OCSP;URI:http://ocsp.example.org/, caIssuers;URI:http://ca.example.org/ca.der
crlDistributionPoints = URI:http://crl.example.org/ca.crl
"""
CLIENT_EXT = """[v3]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:client@example.org, URI:https://client.example.org/
"""


class Pki:
    """A root CA, a server (CN=localhost, SAN localhost and 127.0.0.1) and a
    client certificate, EC P-256, with the extensions getpeercert() shows."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        p = self.path
        new_key(p("ca.key"), "ec-p256")
        openssl("req", "-x509", "-new", "-key", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
                "-sha256", "-subj", "/C=DE/O=omnitls tests/CN=omnitls peers CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self._leaf("server", "/C=DE/ST=Berlin/O=omnitls tests/OU=peers/CN=localhost", SERVER_EXT,
                   1001)
        self._leaf("client", "/C=DE/O=omnitls tests/CN=omnitls peers client", CLIENT_EXT, 1002)
        self.ca = p("ca.pem")
        self.server_cert, self.server_key = p("server.pem"), p("server.key")
        self.client_cert, self.client_key = p("client.pem"), p("client.key")
        self.server_der = pem_to_der(self.server_cert)
        self.client_der = pem_to_der(self.client_cert)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _leaf(self, name, subject, ext, serial):
        p = self.path
        new_key(p(f"{name}.key"), "ec-p256")
        with open(p(f"{name}.ext"), "w", encoding="ascii") as f:
            f.write(ext)
        openssl("req", "-new", "-key", p(f"{name}.key"), "-subj", subject, "-out",
                p(f"{name}.csr"))
        openssl("x509", "-req", "-in", p(f"{name}.csr"), "-CA", p("ca.pem"), "-CAkey",
                p("ca.key"), "-set_serial", str(serial), "-days", "2", "-sha256", "-extfile",
                p(f"{name}.ext"), "-extensions", "v3", "-out", p(f"{name}.pem"))


# --------------------------------------------------------------------------
# omnitls connect / serve

FACT = re.compile(r"^omnitls (?:connect|serve): connection (\d+): (resumed|getpeercert|received): "
                  r"(.*)$")


def parse_facts(stderr):
    """{connection number: {key: value}} from the stderr lines of connect/serve."""
    facts = {}
    for line in stderr.splitlines():
        m = FACT.match(line)
        if m:
            facts.setdefault(int(m.group(1)), {})[m.group(2)] = m.group(3)
    return facts


def parse_reports(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def connect(runner, backend, port, *options):
    """Runs `omnitls connect 127.0.0.1:PORT`; returns (reports, facts, stderr)."""
    argv = [runner.omnitls, "connect", f"127.0.0.1:{port}", "--backend", backend, *options]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT * 4)
    check(r.returncode == 0, f"{' '.join(argv)} exited {r.returncode}:\n{r.stderr}")
    return parse_reports(r.stdout), parse_facts(r.stderr), r.stderr


class Proc:
    """A peer process with stdin kept open (s_server ends when it closes) and
    its output in files (numbered, kept with --keep), read after it ends or
    while it runs."""
    started = 0

    def __init__(self, runner, name, argv, stdin_open=True):
        Proc.started += 1
        self.name = name
        self.out_path = runner.path(f"{Proc.started:03d}-{name}.out")
        self.err_path = runner.path(f"{Proc.started:03d}-{name}.err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin_open else
                                      subprocess.DEVNULL, stdout=out, stderr=err)

    def __enter__(self):
        return self

    @contextlib.contextmanager
    def stopped_on_error(self):
        """For set-up after the start: a failure stops the process, since
        no `with` block will."""
        try:
            yield
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    def out(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def err(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def write(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close_stdin(self):
        if self.p.stdin and not self.p.stdin.closed:
            try:
                self.p.stdin.close()
            except BrokenPipeError:
                pass

    def wait_until(self, get, what, timeout=TIMEOUT):
        """get()'s first true answer, polled; fails after timeout or when the
        process ends first (after one last look)."""
        deadline = time.monotonic() + timeout
        while True:
            ended = self.p.poll() is not None
            v = get()
            if v:
                return v
            if ended or time.monotonic() > deadline:
                state = "ended" if ended else f"still runs after {timeout} s"
                raise AssertionError(f"{self.name} ({state}): no {what} in its output:\n"
                                     f"{self.tail()}")
            time.sleep(0.02)

    def wait_for(self, pattern, stream="out", timeout=TIMEOUT):
        """The first match of pattern (multiline) in stdout or stderr."""
        rx = re.compile(pattern, re.M)
        return self.wait_until(lambda: rx.search(self.out() if stream == "out" else self.err()),
                               f"/{pattern}/", timeout)

    def wait(self, timeout=TIMEOUT):
        """Waits for the process to end by itself; fails when it does not."""
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"{self.name} did not end within {timeout} s:\n{self.tail()}")

    def stop(self):
        self.close_stdin()
        if self.p.poll() is None:
            self.p.terminate()  # gnutls-serv flushes its output on SIGTERM
            try:
                self.p.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode

    def tail(self):
        return (self.out()[-3000:] + "\n--- stderr ---\n" + self.err()[-2000:]).strip()


def _socket_inodes(pid):
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:  # an fd may close between listdir and readlink (exec)
            m = re.match(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    return inodes


def listening_port(proc, timeout=TIMEOUT):
    """The IPv4 port a process (Popen) listens on, from /proc: for servers
    that take port 0 but do not say which port they got (gnutls-serv)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        inodes = _socket_inodes(proc.pid)
        with open("/proc/net/tcp", encoding="ascii") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    return int(fields[1].split(":")[1], 16)
        time.sleep(0.02)
    state = f"ended with {proc.returncode}" if proc.poll() is not None else "still runs"
    raise AssertionError(f"process {proc.pid} ({state}) listens on no IPv4 port after "
                         f"{timeout} s")


class Serve(Proc):
    """`omnitls serve` on 127.0.0.1, port 0."""

    def __init__(self, runner, backend, *options):
        super().__init__(runner, f"serve-{backend}",
                         [runner.omnitls, "serve", "--backend", backend, *options],
                         stdin_open=False)
        with self.stopped_on_error():
            self.port = int(self.wait_for(r"^listening on 127\.0\.0\.1:(\d+)$", "err").group(1))

    def reports(self, count):
        """The first count REPORT lines, waiting for them (bounded)."""
        def complete():
            lines = self.out().split("\n")[:-1]  # whole lines only
            return lines if len(lines) >= count else None
        return [json.loads(line) for line in self.wait_until(complete, f"{count} reports")[:count]]

    def facts(self, count):
        """The stderr facts of the first count connections (bounded wait)."""
        self.wait_for(r"^omnitls serve: connection %d: getpeercert: " % count, "err")
        return parse_facts(self.err())


# --------------------------------------------------------------------------
# Report helpers


def der_of(report):
    v = report["peer_cert_der"]
    return None if v is None else base64.b64decode(v)


def binding(report, kind):
    return report["channel_binding"][kind]


def check_refused(report, kind, why):
    """The binding must be null with an OTLS_ERR_UNSUPPORTED reason holding why."""
    check(binding(report, kind) is None, f"{kind} must be refused ({why}), omnitls gave "
          f"{binding(report, kind)}")
    err = report["errors"].get(kind, "")
    check(err.startswith("OTLS_ERR_UNSUPPORTED") and why in err,
          f"{kind}: the refusal must be OTLS_ERR_UNSUPPORTED naming '{why}', not '{err}'")


def check_unique(report, backend, want, what):
    """tls-unique equal to the peer's, or refused when the backend lacks it."""
    if not backend.has("tls-unique"):
        check_refused(report, "tls-unique", "tls-unique")
        return
    check_eq(binding(report, "tls-unique"), want, f"{what}: tls-unique")


def check_exporter(report, backend, want, what):
    if not backend.has("exporter"):
        check_refused(report, "tls-exporter", "exporter")
        return
    check_eq(binding(report, "tls-exporter"), want, f"{what}: tls-exporter")


def check_resumed(facts, peer_resumed, i, can_resume, what):
    """Connection i (0: first, 1: second) is resumed on both ends when it is
    the second and the client side can resume."""
    want = i == 1 and can_resume
    check_eq(facts.get("resumed"), "yes" if want else "no", f"{what}: omnitls's resumption")
    check_eq(peer_resumed, want, f"{what}: the peer's resumption")


def flag_tls13_unique(version):
    """The opt-in that makes omnitls give Python's tls-unique on TLS 1.3."""
    return ["--cb-tls13-unique"] if version == "1.3" else []
