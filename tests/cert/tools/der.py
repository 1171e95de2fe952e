"""A tiny DER builder for test certificates (no private key involved: the
signature bytes are filler, which CPython's decoder never checks).

Everything returns bytes; helpers mirror the ASN.1 types a certificate
uses. raw() and tlv() allow deliberately malformed encodings."""
import base64
import json
import os
import ssl
import subprocess
import tempfile


def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content, long_len=None):
    """tag: int (one identifier octet) or bytes (identifier octets)."""
    ident = bytes([tag]) if isinstance(tag, int) else tag
    if long_len is not None:  # non-minimal long form with long_len octets
        ln = bytes([0x80 | long_len]) + len(content).to_bytes(long_len, "big")
    else:
        ln = length(len(content))
    return ident + ln + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_(*items):
    return tlv(0x31, b"".join(items))


def encode_oid_body(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    values = [arcs[0] * 40 + arcs[1]] + arcs[2:]
    out = bytearray()
    for v in values:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def oid(dotted):
    return tlv(0x06, encode_oid_body(dotted))


def integer(n):
    if n == 0:
        body = b"\x00"
    else:
        nbytes = (n.bit_length() + 8) // 8
        body = n.to_bytes(nbytes, "big", signed=True)
        # minimal
        while len(body) > 1 and (
            (body[0] == 0 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)
        ):
            body = body[1:]
    return tlv(0x02, body)


def boolean(v):
    return tlv(0x01, b"\xff" if v else b"\x00")


def octets(b):
    return tlv(0x04, b)


def bits(b, unused=0):
    return tlv(0x03, bytes([unused]) + b)


def null():
    return b"\x05\x00"


def utf8(s):
    return tlv(0x0C, s.encode("utf-8") if isinstance(s, str) else s)


def printable(s):
    return tlv(0x13, s.encode("latin-1") if isinstance(s, str) else s)


def ia5(s):
    return tlv(0x16, s.encode("latin-1") if isinstance(s, str) else s)


def t61(b):
    return tlv(0x14, b)


def bmp(s):
    return tlv(0x1E, s.encode("utf-16-be") if isinstance(s, str) else s)


def univ(s):
    return tlv(0x1C, s.encode("utf-32-be") if isinstance(s, str) else s)


def utctime(s):
    return tlv(0x17, s.encode("latin-1") if isinstance(s, str) else s)


def gentime(s):
    return tlv(0x18, s.encode("latin-1") if isinstance(s, str) else s)


def ctx(n, content, constructed=True):
    return tlv((0xA0 if constructed else 0x80) | n, content)


def attr(o, value):
    return seq(oid(o), value)


def name(*rdns):
    """rdns: each a list of (oid, value-bytes) or a single tuple."""
    out = []
    for r in rdns:
        if isinstance(r, tuple):
            r = [r]
        out.append(set_(*[attr(o, v) for o, v in r]))
    return seq(*out)


CN = "2.5.4.3"
O = "2.5.4.10"
C = "2.5.4.6"

SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), null())
ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))

# A P-256 public key (the generator point: a valid point, no private key
# anyone needs).
P256_SPKI = seq(
    seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")),
    bits(bytes.fromhex(
        "04"
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")),
)


def ext(o, value, critical=None):
    items = [oid(o)]
    if critical is not None:
        items.append(boolean(critical))
    items.append(octets(value))
    return seq(*items)


def tbs(version=2, serial=None, sigalg=ECDSA_SHA256, issuer=None,
        not_before=None, not_after=None, subject=None, spki=P256_SPKI,
        issuer_uid=None, subject_uid=None, exts=None, raw_version=None,
        raw_serial=None, validity=None):
    items = []
    if raw_version is not None:
        items.append(raw_version)
    elif version is not None:
        items.append(ctx(0, integer(version)))
    items.append(raw_serial if raw_serial is not None else integer(0x1234 if serial is None else serial))
    items.append(sigalg)
    items.append(issuer if issuer is not None else name((CN, utf8("issuer"))))
    if validity is not None:
        items.append(validity)
    else:
        items.append(seq(not_before if not_before is not None else utctime("200101000000Z"),
                         not_after if not_after is not None else utctime("300101000000Z")))
    items.append(subject if subject is not None else name((CN, utf8("subject"))))
    items.append(spki)
    if issuer_uid is not None:
        items.append(tlv(0x81, issuer_uid))
    if subject_uid is not None:
        items.append(tlv(0x82, subject_uid))
    if exts is not None:
        items.append(ctx(3, seq(*exts)))
    return seq(*items)


def cert(tbs_bytes=None, sigalg=ECDSA_SHA256, sig=None, **kw):
    if tbs_bytes is None:
        tbs_bytes = tbs(**kw)
    if sig is None:
        sig = bits(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    return seq(tbs_bytes, sigalg, sig)


def pem(der):
    b = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def python_decode(der):
    """CPython's answer: the JSON text (sort_keys, corpus convention) or
    'ERROR <type>: <message>'."""
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(pem(der))
        try:
            r = ssl._ssl._test_decode_cert(path)
        except Exception as e:  # noqa: BLE001 - any refusal counts
            return "ERROR %s: %s" % (type(e).__name__, e)
        return json.dumps(r, sort_keys=True, default=lambda b: {"__bytes_hex__": b.hex()})
    finally:
        os.unlink(path)
