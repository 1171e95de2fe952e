"""Which OpenSSL generations diff_python.py can compare against, and the
named rules that explain each documented way a generation's CPython differs
from OpenSSL 3.0's (omnitls's ground truth: the corpus and the rule cases
were recorded with CPython on OpenSSL 3.0).

A rule never just excuses a difference: it names the OpenSSL change, checks
that the certificate has exactly the feature that change is about, repairs
that feature and requires CPython and omnitls to agree on the repaired
certificate (identical JSON, or both refusing) in a way that explains the
original's difference. Anything else stays a difference. Studied
(2026-11-24): OpenSSL 3.0.19 (Debian 12, no rule needed) and 3.5.9
(Debian 13); other versions are not compared (the caller skips)."""
import json
import os
import re

import der as D


# --- a DER walk that keeps offsets and length forms -------------------------

def split_elements(b, loose=False):
    """b as consecutive definite-length elements: [(start, ident_len,
    header_len, content_len, long_form)], or None unless it splits exactly.
    loose: the elements before the first that does not parse (OpenSSL
    reads a certificate up to where it needs to, whatever follows)."""
    out, i = [], 0
    while i < len(b):
        start = i
        i += 1
        if b[start] & 0x1F == 0x1F:
            while i < len(b) and b[i] & 0x80:
                i += 1
            i += 1
        if i >= len(b):
            return out if loose else None
        ident_len = i - start
        n = b[i]
        i += 1
        long_form = bool(n & 0x80)
        if long_form:
            k = n & 0x7F
            if k == 0 or k > 4 or i + k > len(b):
                return out if loose else None
            n = int.from_bytes(b[i:i + k], "big")
            i += k
        if i + n > len(b):
            return out if loose else None
        out.append((start, ident_len, i - start, n, long_form))
        i += n
    return out


def _inner(ident, content):
    """Where elements nest inside content: 0 (constructed, or an OCTET
    STRING holding DER), 1 (a BIT STRING holding DER) or None (a leaf)."""
    if ident[0] & 0x20:
        return 0
    pre = {0x04: 0, 0x03: 1}.get(ident[0])
    if pre is not None and len(content) > pre and split_elements(content[pre:]):
        return pre
    return None


def _walk(b, base=0, depth=0):
    """Every element of b: (absolute start, ident, content, long_form,
    ends_with_parent), parents before children."""
    for s, il, hl, n, lf in split_elements(b, loose=True):
        ident, content = b[s:s + il], b[s + hl:s + hl + n]
        yield base + s, ident, content, lf, s + hl + n == len(b)
        pre = _inner(ident, content) if depth < 12 else None
        if pre is not None:
            yield from _walk(content[pre:], base + s + hl + pre, depth + 1)


def _relen(old, n):
    """A length of n in the form of the length octets old where it fits
    (a repair then changes nothing else), else in the shortest form."""
    k = old[0] & 0x7F if old[0] & 0x80 else 0
    if k and n < 256 ** k:
        return bytes([0x80 | k]) + n.to_bytes(k, "big")
    return D.length(n)


def _rewrite(b, edits, base=0, depth=0):
    """b with edits {absolute start: new element bytes} applied and every
    enclosing length adjusted; all other octets unchanged."""
    els = split_elements(b, loose=True)
    out = []
    for s, il, hl, n, _ in els:
        if base + s in edits:
            out.append(edits[base + s])
            continue
        ident, content = b[s:s + il], b[s + hl:s + hl + n]
        pre = _inner(ident, content) if depth < 12 else None
        new = content
        if pre is not None:
            new = content[:pre] + _rewrite(content[pre:], edits, base + s + hl + pre, depth + 1)
        if new == content:
            out.append(b[s:s + hl + n])
        else:
            out.append(ident + _relen(b[s + il:s + hl], len(new)) + new)
    tail = els[-1][0] + els[-1][2] + els[-1][3] if els else 0
    return b"".join(out) + b[tail:]  # what did not parse stays as it was


# --- the rules --------------------------------------------------------------

class Outcome:
    """What a rule needs about one certificate, and how to ask for more."""

    def __init__(self, label, der, python, python_err, ours, ask_python, ask_omnitls, truth):
        self.label, self.der = label, der
        self.python, self.python_err, self.ours = python, python_err, ours
        self.ask_python = ask_python    # der -> (json or None, error)
        self.ask_omnitls = ask_omnitls  # der -> omnitls's line
        self.truth = truth              # OpenSSL 3.0's JSON, REFUSED or None


REFUSED = object()
GMT_TIME = re.compile(r"^[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)? [0-9]+ GMT$")


def _validity(der):
    """{absolute start: "notBefore" or "notAfter"} of the validity times
    (empty when the certificate does not have that shape)."""
    at, b = 0, der
    for _ in range(2):  # Certificate, then TBSCertificate
        els = split_elements(b, loose=True)
        if not els or b[0] != 0x30:
            return {}
        at += els[0][2]
        b = b[els[0][2]:els[0][2] + els[0][3]]
    fields = split_elements(b, loose=True)
    i = 4 if b[:1] == b"\xa0" else 3  # [0] version, serial, signature, issuer
    if len(fields) <= i or b[fields[i][0]] != 0x30:
        return {}
    vs, _, vhl, vn, _ = fields[i]
    times = split_elements(b[vs + vhl:vs + vhl + vn], loose=True)
    return {at + vs + vhl + t[0]: key for t, key in zip(times, ("notBefore", "notAfter"))}


class ShortTime:
    """3.5 refuses a certificate holding a UTCTime shorter than 13 octets or
    a GeneralizedTime shorter than 15 (no seconds, or not a time at all) in
    what d2i_X509 decodes: notBefore, notAfter, or an algorithm's
    parameters. 3.0 decoded it (and printed such a validity time, or "Bad
    time value"). OpenSSL 3.3.0, CHANGES.md: "d2i_ASN1_GENERALIZEDTIME(),
    d2i_ASN1_UTCTIME(), ASN1_TIME_check(), and related functions have been
    augmented to check for a minimum length of the input string, in
    accordance with ITU-T X.690 section 11.7 and 11.8" (openssl/openssl
    pull 23483: asn1_ex_c2i raises UTCTIME_IS_TOO_SHORT and
    GENERALIZEDTIME_IS_TOO_SHORT).

    Holds when CPython refused, omnitls decoded, the certificate holds such
    a time, and with every such time replaced by a full one of the same
    type (nothing else changed), CPython decodes, omnitls gives CPython's
    JSON, and omnitls's JSON of the original differs from it only in the
    replaced validity times, which it printed as OpenSSL 3.0 does. Where
    OpenSSL 3.0's JSON was recorded (the rule cases, the corpus), omnitls
    must give exactly that."""
    name = "refused_short_time"
    since = (3, 3, 0)
    FULL = {0x17: b"700101000000Z", 0x18: b"19700101000000Z"}
    MIN = {0x17: 13, 0x18: 15}

    def explain(self, o):
        if o.python is not None or o.ours.startswith("ERROR"):
            return None
        short = {at: ident[0] for at, ident, content, _, _ in _walk(o.der)
                 if len(ident) == 1 and ident[0] in self.MIN and len(content) < self.MIN[ident[0]]}
        if not short:
            return None
        fixed_der = _rewrite(o.der, {at: D.tlv(tag, self.FULL[tag]) for at, tag in short.items()})
        fixed, _ = o.ask_python(fixed_der)
        if fixed is None or o.ask_omnitls(fixed_der) != fixed:
            return None
        # omnitls's JSON of the original may differ from CPython's of the
        # repair only in repaired validity times, printed as OpenSSL 3.0 does.
        mine, theirs = json.loads(o.ours), json.loads(fixed)
        validity = _validity(o.der)
        keys = [validity[at] for at in short if at in validity and validity[at] in theirs]
        if list(mine) != list(theirs) or {**mine, **{k: theirs[k] for k in keys}} != theirs:
            return None
        if any(not isinstance(mine[k], str) or not (mine[k] == "Bad time value" or
                                                    GMT_TIME.match(mine[k])) for k in keys):
            return None
        if o.truth is REFUSED or (o.truth is not None and o.truth != o.ours):
            return None
        return "%d short time(s)%s" % (len(short), ": " + "/".join(keys) if keys else " elsewhere")


class LongZeroAtEnd:
    """3.5 decodes an empty element whose length is in the long form and
    whose header ends exactly where its enclosing element ends (e.g. NULL
    parameters as 05 82 00 00 closing an AlgorithmIdentifier, or a
    subjectAltName value 30 82 00 00); 3.0 refused it ("header too long":
    asn1_get_length wanted one octet more than the length octets), so the
    certificate (or, inside an extension, that extension) was refused, as
    omnitls does. OpenSSL changed that bound in crypto/asn1/asn1_lib.c with
    openssl/openssl pull 30401 ("asn1_d2i_read_bio fix to read headers
    correctly without blocking"), in 3.5 through the backport pull 30986,
    first released in 3.5.7.

    Where the element is a value CPython then cannot print (a SEQUENCE as
    a directoryName attribute), CPython on 3.5 raises and so refuses the
    certificate that 3.0 decoded without that extension.

    Holds when the certificate holds such an element (if omnitls refused,
    at that element's offset), and with those elements' lengths in the
    short form (00; an element with tag 0 left out: 00 00 would end an
    indefinite length; the enclosing lengths adjusted, nothing else
    changed) CPython gives exactly its answer on the original (the same
    JSON, or a refusal) and omnitls gives CPython's JSON (or refuses too)."""
    name = "decoded_long_zero_length"
    since = (3, 5, 7)
    AT = re.compile(r"^ERROR OTLS_ERR_PARSE: .*malformed element header at offset ([0-9]+)$")

    def explain(self, o):
        # The short form of an empty element with tag 0 would be an
        # end-of-contents marker (00 00), which OpenSSL reads differently:
        # such an element is left out instead (an empty chunk to 3.5).
        spots = {at: ident + b"\x00" if ident != b"\x00" else b""
                 for at, ident, content, long_form, at_end in _walk(o.der)
                 if long_form and not content and at_end}
        if not spots:
            return None
        if o.ours.startswith("ERROR"):
            m = self.AT.match(o.ours)
            if o.python is None or not m or int(m.group(1)) not in spots:
                return None
        fixed_der = _rewrite(o.der, spots)
        # (Not the error's words: CPython takes them from OpenSSL's error
        # queue, which earlier certificates leave in varying states.)
        python, _ = o.ask_python(fixed_der)
        if python != o.python:
            return None
        mine = o.ask_omnitls(fixed_der)
        if mine != python and not (python is None and mine.startswith("ERROR")):
            return None
        how = ("omnitls refused" if o.ours.startswith("ERROR") else
               "CPython refused" if o.python is None else "omnitls dropped an extension")
        return "%s; offset %s" % (how, " ".join(map(str, sorted(spots))))


# OpenSSL (major, minor) -> the rules for that generation. 3.0 is the ground
# truth: no rule. Only studied generations are here.
GENERATIONS = {
    (3, 0): [],
    (3, 5): [ShortTime(), LongZeroAtEnd()],
}


def rules_for(version_info, openssl_version):
    """The rules for this ssl module's OpenSSL, or None when its generation
    was not studied (LibreSSL, OpenSSL 1.1, 3.1-3.4, 3.6 and later)."""
    if not openssl_version.startswith("OpenSSL "):
        return None
    # OpenSSL 3 numbers are MAJOR.MINOR.PATCH, which CPython's
    # OPENSSL_VERSION_INFO gives as (major, minor, 0, patch, 0).
    major, minor = version_info[:2]
    patch = version_info[3] if major >= 3 else version_info[2]
    rules = GENERATIONS.get((major, minor))
    if rules is None:
        return None
    return [r for r in rules if (major, minor, patch) >= r.since]


def ground_truth(label, sort_keys):
    """OpenSSL 3.0's answer recorded next to an unmutated input: its JSON,
    REFUSED, or None (a mutation, or nothing recorded)."""
    if "#" in label:
        return None
    stem = os.path.splitext(label)[0]
    if os.path.exists(stem + ".refused"):
        return REFUSED
    path = stem + (".json" if sort_keys else ".ins.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n")
