#!/usr/bin/env python3
"""Generate core/cipher_suite_table.inc, omnitls's one cipher-suite table.

Part 1 is what this machine's OpenSSL says, as Python's ssl module sees it:
for each suite the 16-bit IANA id, the OpenSSL-style name (cipher()[0]), the
protocol string of SSL_CIPHER_get_version() (cipher()[1]) and the secret bits
(cipher()[2]). The IANA names come from `openssl ciphers -V -stdname` run
against the same library. Python cannot set the TLS 1.3 suite list, so both
are run under a private OPENSSL_CONF whose system_default section enables
every TLS 1.3 suite the library knows (unknown names there are ignored).

Part 2 is the short list of suites that mbedTLS 2.28 or wolfSSL 5.x (as
Debian builds them) can negotiate but this OpenSSL build lacks, limited to
those OpenSSL itself defines, so that every field is what Python would print
on an OpenSSL built with enable-weak-ssl-ciphers: names are read from this
OpenSSL's own headers, protocol and bits are transcribed from the
OPENSSL_NO_WEAK_SSL_CIPHERS entries of ssl/s3_lib.c.

The output is one list sorted by id (core/cipher_suites.c binary-searches
it); part 2 rows end in a "part 2" comment. Each row is a struct oti_suite
initialiser (core/cipher_suites.h: the version as a small index, the bits
in bytes, so a row is 12 bytes on a 32-bit target) under an `#if` naming what
it needs from mbedTLS, derived from its IANA name the way mbedTLS's own
ssl_ciphersuites.c guards its list (key exchange, cipher, mode, MAC hash).
core/cipher_suite_guards.h turns those OTI_* conditions into the linked
mbedTLS configuration's when mbedTLS is the only stack the library can
ever use (the minimal profile), and into 1 otherwise; a test
(tests/core/test_suites_mbedtls.c) checks the result against
mbedtls_ssl_ciphersuite_from_id() for every row.

Beside the table it writes cipher_suite_absent.inc: for each suite, under
the negation of its condition, 16-bit hashes of its two names, so that a
build that dropped the suite still recognises them (skipped in a cipher
list, as a full build skips suites its stack lacks, instead of "unknown").

Usage: scripts/gen-cipher-table.py [-o OUT] [--no-part2]   (OUT '-' = stdout)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "core", "cipher_suite_table.inc")
# Beside it: the names a build that drops a suite still recognises.
ABSENT_NAME = "cipher_suite_absent.inc"
SCRIPT = "scripts/gen-cipher-table.py"

CIPHER_STRING = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"
# Every TLS 1.3 suite any OpenSSL 3.x knows; a version that lacks one skips it.
TLS13_SUITES = ":".join([
    "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256", "TLS_SHA256_SHA256", "TLS_SHA384_SHA384",
])
# TLS_EMPTY_RENEGOTIATION_INFO_SCSV and TLS_FALLBACK_SCSV are not suites.
SIGNALLING = {0x00FF, 0x5600}

OPENSSL_CONF = """openssl_conf = otls_init
[otls_init]
ssl_conf = otls_ssl
[otls_ssl]
system_default = otls_sys
[otls_sys]
Ciphersuites = %s
""" % TLS13_SUITES

PY_PROBE = r"""
import json, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.set_ciphers(%r)
print(json.dumps({"version": ssl.OPENSSL_VERSION,
                  "ciphers": [{k: c[k] for k in ("id", "name", "protocol", "strength_bits")}
                              for c in ctx.get_ciphers()]}))
""" % CIPHER_STRING

# Part 2: (IANA id, name macro in ssl3.h/tls1.h, SSL_CIPHER_get_version(),
# strength bits). Each is an OPENSSL_NO_WEAK_SSL_CIPHERS entry of OpenSSL
# 3.0's ssl/s3_lib.c (min_tls SSL3_VERSION -> "SSLv3", TLS1_VERSION ->
# "TLSv1.0"; 3DES 112 secret bits of 168, RC4 128). mbedTLS 2.28 negotiates
# all of them when named in mbedtls_ssl_conf_ciphersuites(); Debian's
# wolfSSL 5.5 enables 0x0016, 0xC007, 0xC008, 0xC011, 0xC012. Left out on
# purpose: static ECDH, Camellia-GCM, CHACHA20_OLD, ECDHE-PSK-GCM (0xD001)
# and wolfSSL-private suites, for which OpenSSL 3 defines no name, version
# or bits that Python could print.
EXTRA = [
    (0x0004, "SSL3_TXT_RSA_RC4_128_MD5", "SSLv3", 128),
    (0x0005, "SSL3_TXT_RSA_RC4_128_SHA", "SSLv3", 128),
    (0x000A, "SSL3_TXT_RSA_DES_192_CBC3_SHA", "SSLv3", 112),
    (0x0016, "SSL3_TXT_DHE_RSA_DES_192_CBC3_SHA", "SSLv3", 112),
    (0x008A, "TLS1_TXT_PSK_WITH_RC4_128_SHA", "SSLv3", 128),
    (0x008B, "TLS1_TXT_PSK_WITH_3DES_EDE_CBC_SHA", "SSLv3", 112),
    (0x008E, "TLS1_TXT_DHE_PSK_WITH_RC4_128_SHA", "SSLv3", 128),
    (0x008F, "TLS1_TXT_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "SSLv3", 112),
    (0x0092, "TLS1_TXT_RSA_PSK_WITH_RC4_128_SHA", "SSLv3", 128),
    (0x0093, "TLS1_TXT_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "SSLv3", 112),
    (0xC007, "TLS1_TXT_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLSv1.0", 128),
    (0xC008, "TLS1_TXT_ECDHE_ECDSA_WITH_DES_192_CBC3_SHA", "TLSv1.0", 112),
    (0xC011, "TLS1_TXT_ECDHE_RSA_WITH_RC4_128_SHA", "TLSv1.0", 128),
    (0xC012, "TLS1_TXT_ECDHE_RSA_WITH_DES_192_CBC3_SHA", "TLSv1.0", 112),
    (0xC033, "TLS1_TXT_ECDHE_PSK_WITH_RC4_128_SHA", "TLSv1.0", 128),
    (0xC034, "TLS1_TXT_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "TLSv1.0", 112),
]

# Rows the brief pins down; a failure means the environment is not what the
# table claims to describe.
SPOT_CHECKS = {
    0xC013: ("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLSv1.0", 128),
    0x1302: ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3", 256),
    0x1301: ("TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLSv1.3", 128),
    0xC02F: ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2", 128),
}

SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


def die(msg):
    sys.exit("gen-cipher-table: " + msg)


def python_view(env):
    out = subprocess.run([sys.executable, "-c", PY_PROBE], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cli_view(env):
    """id -> (iana name, openssl name, version column) from `openssl ciphers`."""
    ver = subprocess.run(["openssl", "version"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "-ciphersuites",
                          TLS13_SUITES, CIPHER_STRING], env=env, check=True,
                         capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        # 0xC0,0x2B - TLS_ECDHE_... - ECDHE-ECDSA-AES128-GCM-SHA256 TLSv1.2 Kx=...
        m = re.match(r"\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})\s+-\s+(\S+)\s+-\s+(\S+)\s+(\S+)", line)
        if not m:
            die("cannot parse `openssl ciphers` line: %r" % line)
        sid = int(m.group(1) + m.group(2), 16)
        if sid in rows:
            die("`openssl ciphers` lists 0x%04X twice" % sid)
        rows[sid] = (m.group(3), m.group(4), m.group(5))
    return ver, rows


def header_macros():
    """Every `#define NAME "string"` of this OpenSSL's ssl3.h and tls1.h."""
    macros = {}
    for inc in ("/usr/include", "/usr/local/include"):
        for name in ("ssl3.h", "tls1.h"):
            path = os.path.join(inc, "openssl", name)
            if os.path.exists(path):
                with open(path, encoding="ascii") as f:
                    for m in re.finditer(r'^#\s*define\s+(\w+)\s+"([^"]*)"', f.read(), re.M):
                        macros.setdefault(m.group(1), m.group(2))
    return macros


VERSIONS = {"SSLv3": "SSL3", "TLSv1.0": "TLS10", "TLSv1.2": "TLS12", "TLSv1.3": "TLS13"}

# IANA key-exchange part -> the OTI_KX_* condition (cipher_suite_guards.h),
# or None for one mbedTLS never implements (DSS, anonymous, SRP).
KEY_EXCHANGES = {
    "RSA": "OTI_KX_RSA", "DHE_RSA": "OTI_KX_DHE_RSA", "ECDHE_RSA": "OTI_KX_ECDHE_RSA",
    "ECDHE_ECDSA": "OTI_KX_ECDHE_ECDSA", "PSK": "OTI_KX_PSK", "DHE_PSK": "OTI_KX_DHE_PSK",
    "PSK_DHE": "OTI_KX_DHE_PSK", "RSA_PSK": "OTI_KX_RSA_PSK", "ECDHE_PSK": "OTI_KX_ECDHE_PSK",
    "ECDH_RSA": "OTI_KX_ECDH_RSA", "ECDH_ECDSA": "OTI_KX_ECDH_ECDSA",
}
# Bulk cipher part -> conditions; the MAC hash follows.
CIPHERS = [
    (r"AES_(128|256)_CBC", ["OTI_AES", "OTI_CBC"]),
    (r"AES_(128|256)_GCM", ["OTI_AES", "OTI_GCM"]),
    (r"AES_(128|256)_CCM(_8)?", ["OTI_AES", "OTI_CCM"]),
    (r"CAMELLIA_(128|256)_CBC", ["OTI_CAMELLIA", "OTI_CBC"]),
    (r"CAMELLIA_(128|256)_GCM", ["OTI_CAMELLIA", "OTI_GCM"]),
    (r"ARIA_(128|256)_CBC", ["OTI_ARIA", "OTI_CBC"]),
    (r"ARIA_(128|256)_GCM", ["OTI_ARIA", "OTI_GCM"]),
    (r"CHACHA20_POLY1305", ["OTI_CHACHAPOLY"]),
    (r"3DES_EDE_CBC", ["OTI_DES", "OTI_CBC"]),
    (r"RC4_128", ["OTI_ARC4"]),
    (r"NULL", ["OTI_NULL_CIPHER"]),
]
HASHES = {"MD5": "OTI_MD5", "SHA": "OTI_SHA1", "SHA256": "OTI_SHA256", "SHA384": "OTI_SHA384"}


def guard(iana):
    """The mbedTLS requirements of a suite, as a C condition."""
    m = re.match(r"^TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305|AES_128_CCM|AES_128_CCM_8)"
                 r"_(SHA256|SHA384)$", iana)
    if m:  # TLS 1.3: no key exchange in the name
        bulk = [c for pat, c in CIPHERS if re.fullmatch(pat, m.group(1))][0]
        return " && ".join(["OTI_TLS13"] + bulk + [HASHES[m.group(2)]])
    m = re.match(r"^TLS_(\w+?)_WITH_(\w+?)(?:_(MD5|SHA|SHA256|SHA384))?$", iana)
    if not m:
        return "OTI_NOT_MBEDTLS"
    kx, bulk_name, mac = m.groups()
    if kx not in KEY_EXCHANGES:
        return "OTI_NOT_MBEDTLS"
    bulk = [c for pat, c in CIPHERS if re.fullmatch(pat, bulk_name)]
    if not bulk:
        return "OTI_NOT_MBEDTLS"
    # CCM suites name no hash: their PRF is SHA-256 (mbedTLS 3.x asks for it).
    hash_cond = HASHES[mac] if mac else "OTI_CCM_SHA256"
    return " && ".join([KEY_EXCHANGES[kx]] + bulk[0] + [hash_cond])


def name_hash(name):
    """FNV-1a over the name, folded to 16 bits (core/cipher_suites.c)."""
    h = 0x811C9DC5
    for ch in name.encode("ascii"):
        h = ((h ^ ch) * 0x01000193) & 0xFFFFFFFF
    return (h >> 16) ^ (h & 0xFFFF)


def absent_row(sid, name, iana):
    """A dropped suite's names, as hashes, under the negated condition."""
    hashes = sorted({name_hash(name), name_hash(iana)})
    return ["#if !(%s)" % guard(iana),
            "%s, /* 0x%04X */" % (", ".join("0x%04X" % h for h in hashes), sid)]


def row(sid, name, iana, proto, bits):
    if bits % 8:
        die("0x%04X: %d bits is not whole bytes" % (sid, bits))
    return ['#if %s' % guard(iana),
            '{"%s", "%s", 0x%04X, OTI_SUITE_%s, %d},' % (name, iana, sid, VERSIONS[proto], bits // 8)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=DEFAULT_OUT, help="output file, '-' for stdout")
    ap.add_argument("--no-part2", action="store_true", help="only the suites this OpenSSL offers")
    args = ap.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False) as cnf:
        cnf.write(OPENSSL_CONF)
    try:
        env = dict(os.environ, OPENSSL_CONF=cnf.name)
        py = python_view(env)
        cli_version, cli = cli_view(env)
    finally:
        os.unlink(cnf.name)

    version = py["version"]
    if "Library: " + version not in cli_version and cli_version != version:
        die("python's OpenSSL (%s) is not the openssl command's (%s)" % (version, cli_version))

    part1 = {}
    for c in py["ciphers"]:
        sid = c["id"] & 0xFFFF
        if (c["id"] >> 16) != 0x0300:
            die("unexpected cipher id 0x%08X (%s)" % (c["id"], c["name"]))
        if sid in SIGNALLING:
            continue
        if sid in part1:
            die("python lists 0x%04X twice" % sid)
        if sid not in cli:
            die("0x%04X %s: python has it, `openssl ciphers` does not" % (sid, c["name"]))
        iana, cli_name, cli_proto = cli[sid]
        if cli_name != c["name"]:
            die("0x%04X: python says %s, `openssl ciphers` says %s" % (sid, c["name"], cli_name))
        # The CLI prints SSL_CIPHER_description(), which says "TLSv1" where
        # SSL_CIPHER_get_version() (and so Python) says "TLSv1.0".
        if cli_proto != c["protocol"] and not (cli_proto == "TLSv1" and c["protocol"] == "TLSv1.0"):
            die("0x%04X %s: python says %s, `openssl ciphers` says %s"
                % (sid, c["name"], c["protocol"], cli_proto))
        part1[sid] = (c["name"], iana, c["protocol"], c["strength_bits"])
    extra_cli = sorted(set(cli) - set(part1) - SIGNALLING)
    if extra_cli:
        die("`openssl ciphers` has suites python does not: %s"
            % ", ".join("0x%04X" % s for s in extra_cli))

    tls13 = [s for s, v in part1.items() if v[2] == "TLSv1.3"]
    if len(tls13) < 5:
        die("only %d TLS 1.3 suites seen; was OPENSSL_CONF ignored?" % len(tls13))
    for sid, want in SPOT_CHECKS.items():
        if part1.get(sid) != want:
            die("spot check 0x%04X: want %r, got %r" % (sid, want, part1.get(sid)))

    macros = header_macros()
    part2 = {}
    for sid, txt, proto, bits in [] if args.no_part2 else EXTRA:
        if sid in part1:
            continue  # this OpenSSL has it after all: part 1 is authoritative
        rfc = txt.replace("_TXT_", "_RFC_")
        if txt not in macros or rfc not in macros:
            die("%s/%s not found in <openssl/ssl3.h>/<openssl/tls1.h> (install libssl-dev)" % (txt, rfc))
        part2[sid] = (macros[txt], macros[rfc], proto, bits)

    for sid, (name, iana, proto, bits) in list(part1.items()) + list(part2.items()):
        for s in (name, iana, proto):
            if not SAFE.match(s):
                die("0x%04X: unexpected characters in %r" % (sid, s))
        if proto not in VERSIONS:
            die("0x%04X: unknown version %r" % (sid, proto))
        if not 0 <= bits <= 256:
            die("0x%04X: odd bits %d" % (sid, bits))
    names = [v[0] for v in part1.values()] + [v[0] for v in part2.values()]
    if len(set(names)) != len(names):
        die("duplicate OpenSSL-style names")

    # One list sorted by id (the C side binary-searches it); part 2 rows are
    # marked at the end of the line so that they stand out in review.
    lines = [
        "/* Generated by %s: do not edit, re-run the script." % SCRIPT,
        " * Source: %s, through Python %d.%d's ssl module" % (version, *sys.version_info[:2]),
        " * and the openssl command. Sorted by IANA id; each row: OpenSSL-style",
        " * name (Python's cipher()[0]), IANA name, id, SSL_CIPHER_get_version()",
        " * (cipher()[1]), secret bits (cipher()[2]) / 8; under the mbedTLS",
        " * requirements of the suite (core/cipher_suite_guards.h).",
        " *",
        " * Part 1 (%d rows, unmarked): every suite this OpenSSL offers, as Python" % len(part1),
        " * sees it with set_ciphers(\"%s\") and all TLS 1.3" % CIPHER_STRING,
        " * suites enabled.",
    ]
    if part2:
        lines += [
            " *",
            " * Part 2 (%d rows, marked \"part 2\"): suites mbedTLS 2.28 or wolfSSL 5.x" % len(part2),
            " * can negotiate that this OpenSSL build lacks (RC4 and 3DES, compiled out",
            " * by OPENSSL_NO_WEAK_SSL_CIPHERS). Names from its <openssl/ssl3.h> and",
            " * <openssl/tls1.h>; version and bits from OpenSSL's ssl/s3_lib.c, as an",
            " * enable-weak-ssl-ciphers build would report them.",
        ]
    lines[-1] += " */"
    lines.append("")
    for sid in sorted(set(part1) | set(part2)):
        if sid in part1:
            lines += row(sid, *part1[sid])
        else:
            r = row(sid, *part2[sid])
            lines += r[:-1] + [r[-1] + " /* part 2 */"]
        lines.append("#endif")
    text = "\n".join(lines) + "\n"

    absent = [
        "/* Generated by %s: do not edit, re-run the script." % SCRIPT,
        " * For each suite of cipher_suite_table.inc, under the negation of its",
        " * mbedTLS requirements: 16-bit hashes of its OpenSSL-style and IANA",
        " * names. A build whose table dropped the suite (the minimal profile)",
        " * still tells its names from unknown ones: they are skipped in a cipher",
        " * list, as a full build skips suites its stack lacks. */",
        "",
    ]
    for sid in sorted(set(part1) | set(part2)):
        name, iana = (part1.get(sid) or part2[sid])[:2]
        absent += absent_row(sid, name, iana)
        absent.append("#endif")
    absent_text = "\n".join(absent) + "\n"

    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="ascii") as f:
            f.write(text)
        with open(os.path.join(os.path.dirname(args.output), ABSENT_NAME), "w",
                  encoding="ascii") as f:
            f.write(absent_text)
        print("wrote %s: %d + %d suites" % (args.output, len(part1), len(part2)), file=sys.stderr)


if __name__ == "__main__":
    main()
