"""tls-server-end-point as RFC 5929 section 4.1 defines it, computed here from
the certificate's DER with hashlib: independent of omnitls's C code. The hash
is the one of the certificate's signatureAlgorithm, MD5 and SHA-1 upgraded to
SHA-256; RSASSA-PSS names its hash in its parameters (default SHA-1); a
signature without a single hash (Ed25519, Ed448) leaves the binding
undefined."""
import hashlib


def _tlv(buf, i):
    """(tag, value, next index) of the DER element at buf[i]."""
    tag, n = buf[i], buf[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[i:i + k], "big")
        i += k
    return tag, buf[i:i + n], i + n


def _oid(body):
    arcs, v = [], 0
    for b in body:
        v = v << 7 | (b & 0x7F)
        if not b & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])


# signatureAlgorithm OID -> its single hash; None: no single hash (EdDSA).
SIGNATURE_HASH = {
    "1.2.840.113549.1.1.4": "md5", "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.113549.1.1.14": "sha224", "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384", "1.2.840.113549.1.1.13": "sha512",
    "1.2.840.10045.4.1": "sha1", "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256", "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
    "1.3.101.112": None, "1.3.101.113": None,
}
HASH_OIDS = {"1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224",
             "2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
             "2.16.840.1.101.3.4.2.3": "sha512"}
RSASSA_PSS = "1.2.840.113549.1.1.10"


def signature_hash(der):
    """The hash RFC 5929 4.1 names for this certificate (after the MD5/SHA-1
    upgrade), or None when the binding is undefined."""
    _, cert, _ = _tlv(der, 0)
    _, _, i = _tlv(cert, 0)  # tbsCertificate
    _, alg, _ = _tlv(cert, i)  # signatureAlgorithm
    _, oid, j = _tlv(alg, 0)
    name = _oid(oid)
    if name == RSASSA_PSS:
        h = "sha1"  # RSASSA-PSS-params: hashAlgorithm [0] DEFAULT sha1
        if j < len(alg):
            _, params, _ = _tlv(alg, j)
            if params and params[0] == 0xA0:
                _, tagged, _ = _tlv(params, 0)
                _, hash_alg, _ = _tlv(tagged, 0)
                _, hash_oid, _ = _tlv(hash_alg, 0)
                h = HASH_OIDS[_oid(hash_oid)]
    else:
        h = SIGNATURE_HASH[name]
    return "sha256" if h in ("md5", "sha1") else h


def expected_end_point(der):
    h = signature_hash(der)
    return None if h is None else hashlib.new(h, der).hexdigest()
