#!/usr/bin/env python3
"""Writes tests/cert/cases/: one DER certificate per rule of the decoder,
with what CPython (linked with OpenSSL 3.0, on the machine running this)
answers for it:

    NAME.der        the certificate (built here; the signature is filler and
                    no private key exists for any of them)
    NAME.json       json.dumps(..., sort_keys=True) of CPython's dict
    NAME.ins.json   json.dumps(...) in CPython's insertion order
    NAME.refused    CPython refuses it (its exception, for the record):
                    omnitls must answer OTLS_ERR_PARSE

Run: python3 tests/cert/tools/make_cases.py [OUTDIR]
"""
import json
import os
import ssl
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from der import *  # noqa: E402,F401,F403

SAN = "2.5.29.17"
AIA = "1.3.6.1.5.5.7.1.1"
CRL = "2.5.29.31"
OCSP = "1.3.6.1.5.5.7.48.1"
CAI = "1.3.6.1.5.5.7.48.2"
UPN = "1.3.6.1.4.1.311.20.2.3"
SMTP = "1.3.6.1.5.5.7.8.9"
XMPP = "1.3.6.1.5.5.7.8.5"
SRV = "1.3.6.1.5.5.7.8.7"
NAI = "1.3.6.1.5.5.7.8.8"

CASES = {}


def case(name, **kw):
    CASES[name] = cert(**kw)


def raw(name, der):
    CASES[name] = der


def san(*gns):
    return [ext(SAN, seq(*gns))]


def on(o, v):
    return ctx(0, oid(o) + ctx(0, v))


def dns(b):
    return ctx(2, b.encode() if isinstance(b, str) else b, False)


def uri(b):
    return ctx(6, b.encode() if isinstance(b, str) else b, False)


def ip(b):
    return ctx(7, b, False)


def rid(dotted):
    return ctx(8, encode_oid_body(dotted), False)


def subj(*attrs):
    return name(*attrs)


# --- names -----------------------------------------------------------------
case("name_multivalued_rdn", subject=name([("2.5.4.42", utf8("Given")), ("2.5.4.4", utf8("Sur"))],
                                          (CN, utf8("x"))))
case("name_empty_rdn_skipped", subject=seq(set_(), set_(attr(CN, utf8("a"))), set_()))
case("name_empty", subject=seq(), issuer=seq())
# More attributes than the decoder keeps from its first pass (32): read twice.
case("name_many_rdns", subject=seq(*[set_(attr("2.5.4.11", utf8("u%d" % i))) for i in range(40)]))
case("name_many_attrs_one_rdn",
     subject=seq(set_(*[attr("2.5.4.11", utf8("u%d" % i)) for i in range(40)])))
case("name_long_names", subject=name(("0.9.2342.19200300.100.1.25", ia5("example")),
                                     ("0.9.2342.19200300.100.1.1", utf8("uid")),
                                     ("1.3.6.1.4.1.311.60.2.1.3", printable("DE")),
                                     ("1.2.840.113549.1.9.1", ia5("a@example.org")),
                                     ("2.5.4.5", printable("123")), ("2.5.4.15", utf8("Private"))))
case("name_unknown_oid_dotted", subject=name(("1.2.3.4.5", utf8("x")), ("2.999.3", utf8("y"))))
case("name_oid_big_arc", subject=name(("1.2.%d.7" % (2**200 + 5), utf8("bignum arc")),
                                      ("2.%d" % (2**70), utf8("big first arc"))))
case("name_oid_586_octets", subject=name(("1.2." + ".".join(["1"] * 584), utf8("x"))))
case("name_bitstring_bytes", subject=name(("2.5.4.45", bits(b"\xde\xad\xbe\xff", 3)),
                                          ("2.5.4.45", tlv(3, b"\x00"))))
case("name_latin1_types", subject=name((CN, tlv(0x12, b"12 34\xff")), (CN, printable(b"Caf\xe9")),
                                       (CN, t61(b"T\xe9l\xe9tex\x00")), (CN, ia5(b"\x01\x7f\x80"))))
case("name_bmp_universal", subject=name((CN, bmp("Grüße €")), (CN, univ("smile \U0001F600 \u00e9"))))
case("name_utf8_escapes", subject=name((CN, utf8('q"b\\s/\b\f\n\r\t\x00\x1f\x7f\x80\u2028\uffff'
                                                 '\U0010ffff'))))
case("name_empty_strings", subject=name((CN, utf8("")), (CN, bmp("")), (CN, printable(""))))
case("name_high_tag_and_long_lengths",
     subject=tlv(b"\x3f\x10", tlv(0x11, seq(oid(CN), tlv(0x0c, b"hi", long_len=3)))))
raw("name_refuse_sequence_value", cert(subject=name((CN, seq(utf8("x"))))))
raw("name_refuse_tag7_value", cert(subject=name((CN, tlv(0x07, b"x")))))
raw("name_refuse_visiblestring", cert(subject=name((CN, tlv(0x1a, b"x")))))
raw("name_refuse_octetstring", cert(subject=name((CN, octets(b"x")))))
raw("name_refuse_bad_utf8", cert(subject=name((CN, utf8(b"\xc0\xaf")))))
raw("name_refuse_bmp_odd", cert(subject=name((CN, tlv(0x1e, b"\x00a\x00")))))
raw("name_refuse_bmp_surrogate", cert(subject=name((CN, tlv(0x1e, b"\xd8\x3d\xde\x00")))))
raw("name_refuse_universal_range", cert(subject=name((CN, tlv(0x1c, b"\x00\x11\x00\x00")))))
raw("name_refuse_oid_587_octets", cert(subject=name(("1.2." + ".".join(["1"] * 590), utf8("x")))))
raw("name_refuse_bad_oid", cert(subject=seq(set_(seq(tlv(6, b"\x2a\x80\x03"), utf8("x"))))))
raw("name_refuse_primitive_attribute", cert(subject=seq(set_(tlv(0x10, oid(CN) + utf8("x"))))))
# BER that OpenSSL reads: constructed strings (chunks of any tag, nested up
# to 5 levels) and indefinite lengths.
case("name_ber_constructed_string", subject=name((CN, tlv(0x2c, utf8("ab") + ia5("cd"))),
                                                 ("2.5.4.45", tlv(0x23, bits(b"\xff", 0) +
                                                                  bits(b"\xf0", 4)))))


def chunks(depth, inner):
    """inner wrapped in depth constructed UTF8String layers."""
    for _ in range(depth):
        inner = tlv(0x2C, inner)
    return inner


case("name_ber_nested_chunks", subject=name((CN, chunks(6, utf8("deep")))))
raw("name_refuse_ber_chunks_too_deep", cert(subject=name((CN, chunks(7, utf8("x"))))))
raw("name_refuse_ber_chunk_eoc", cert(subject=name((CN, chunks(1, utf8("a") + b"\x00\x00")))))
raw("name_refuse_ber_bad_utf8_chunks",
    cert(subject=name((CN, chunks(1, utf8(b"\xc3") + utf8(b"\x28"))))))

# --- version and serial ------------------------------------------------------
case("version_absent", version=None)
case("version_v1_explicit", version=0)
case("version_7", version=7)
case("version_negative", version=-5)
case("version_long_max", version=2**63 - 1)
case("version_too_big", version=2**63)
case("serial_zero", serial=0)
case("serial_negative", serial=-1)
case("serial_minus_128", serial=-128)
case("serial_padding_kept_minimal", serial=0x80)
case("serial_20_bytes", serial=2**159 + 12345)
case("serial_35_bytes", serial=2**279 + 1)
case("serial_36_bytes_wraps", serial=2**(8 * 36 - 2))
case("serial_negative_wraps", serial=-(2**(8 * 40)))
raw("serial_refuse_empty", cert(raw_serial=tlv(2, b"")))
raw("serial_refuse_bad_padding", cert(raw_serial=tlv(2, b"\x00\x01")))
raw("serial_refuse_bad_negative_padding", cert(raw_serial=tlv(2, b"\xff\x80")))

# --- dates -------------------------------------------------------------------
for label, before, after in [
    ("utc_plain", utctime("200229123456Z"), utctime("491231235959Z")),
    ("utc_1950_2049", utctime("500101000000Z"), utctime("491231235959Z")),
    ("utc_no_seconds", utctime("2001010000Z"), utctime("2001010000+0130")),
    ("utc_offsets", utctime("200101000000-1200"), utctime("200101000000+1259")),
    ("gt_plain", gentime("20200101000000Z"), gentime("99991231235959Z")),
    ("gt_year_1", gentime("00010101000000Z"), gentime("00011231235959Z")),
    ("gt_fraction", gentime("20200101000000.123Z"), gentime("20200101000000.999+0130")),
    ("gt_long_fraction", gentime("20200101000000." + "9" * 80 + "Z"), gentime("20200101000000Z")),
    ("gt_no_seconds", gentime("202001011230Z"), gentime("202001011230-0030")),
    ("gt_offset_to_1900", gentime("19000101003000-0100"), gentime("18991231230000-0100")),
    ("gt_leap_days", gentime("20000229000000Z"), gentime("24000229000000Z")),
    ("bad_time_values", utctime(""), utctime("200101000000")),
    ("bad_time_values_2", utctime("200101000000+1300"), utctime("200101000000.5Z")),
    ("bad_time_values_3", gentime("20200101000000.Z"), gentime("21000229000000Z")),
    ("bad_time_values_4", gentime("19000101000000+0100"), gentime("99991231235959-0100")),
    ("bad_time_values_5", gentime("20201301000000Z"), gentime("20200101000060Z")),
    ("bad_time_values_6", utctime("2001010000z"), gentime("2020010100Z")),
]:
    case("date_" + label, not_before=before, not_after=after)
raw("date_refuse_not_a_time", cert(validity=seq(printable("200101000000Z"), utctime("300101000000Z"))))

# --- subjectAltName ----------------------------------------------------------
case("san_every_type", exts=san(
    on(UPN, utf8("user@example.org")), ctx(1, b"mail@example.org", False), dns("example.org"),
    ctx(3, b""), ctx(4, name((CN, utf8("dir")), ("2.5.4.45", bits(b"\x01")))),
    ctx(5, ctx(1, utf8("party"))), uri("https://example.org/?q#f"), ip(b"\x7f\x00\x00\x01"),
    ip(bytes(15) + b"\x01"), rid("1.3.6.1.5.5.7.3.1")))
case("san_empty_list", exts=san())
case("san_raw_values", exts=san(dns(""), dns("a\x00b"), ctx(1, "ü@x".encode(), False),
                                uri("http://xn--bcher-kva.example/ä"), dns('"\\\x7f')))
case("san_ip_lengths", exts=san(ip(b""), ip(b"\x01\x02\x03\x04\x05"), ip(bytes(range(16))),
                                ip(b"\xff" * 16), ip(b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01")))
case("san_registered_ids", exts=san(rid("1.3.6.1.5.5.7.3.1"), rid("2.999.1"),
                                    rid("1.2." + ".".join(["127"] * 510) + ".1"),
                                    rid("1.2." + ".".join(["127"] * 511)),
                                    rid("1.2." + ".".join(["127"] * 511) + ".1")))
case("san_othernames", exts=san(
    on(UPN, utf8("upn@x")), on(SMTP, utf8("ü@example")), on(XMPP, utf8("me@jabber")),
    on(SRV, ia5("_sip.example")), on(NAI, utf8("realm")), on("1.2.3.4", utf8("other")),
    on(UPN, ia5("wrong type")), on(SRV, utf8("wrong type")), on(UPN, utf8("cut\x00here")),
    on(UPN, utf8("line\nbreak")), on(UPN, b"\x00\x00"), on(UPN, tlv(0x81, b"x")),
    on("1.2." + ".".join(["1"] * 600), utf8("long type id"))))
case("san_othername_truncated", exts=san(on(UPN, utf8("a" * 3000)), on(SMTP, utf8("é" * 1500))))
case("san_edi_party", exts=san(ctx(5, ctx(0, printable("assigner")) + ctx(1, bmp("party")))))
case("san_dirname_nested_bytes", exts=san(ctx(4, name(("2.5.4.45", tlv(3, b"\x07"))))))
case("san_duplicate_dropped", exts=[ext(SAN, seq(dns("a"))), ext(SAN, seq(dns("b")))])
case("san_trailing_data_ignored", exts=[ext(SAN, seq(dns("a")) + b"garbage")])
case("san_critical_flag_any_octet", exts=[seq(oid(SAN), tlv(1, b"\x05"), octets(seq(dns("a"))))])
for label, gns in [
    ("unknown_tag", [ctx(9, b"x", False)]),
    ("x400_primitive", [ctx(3, b"", False)]),
    ("edi_implicit", [ctx(5, ctx(1, b"x", False))]),
    ("edi_ia5", [ctx(5, ctx(1, ia5("x")))]),
    ("othername_bad_integer", [on("1.2.3", tlv(2, b""))]),
    ("othername_bad_null", [on("1.2.3", tlv(5, b"\x00"))]),
    ("othername_bmp_odd", [on("1.2.3", tlv(0x1e, b"a"))]),
    ("othername_two_values", [ctx(0, oid("1.2.3") + ctx(0, utf8("a") + utf8("b")))]),
    ("dirname_bad_utf8", [ctx(4, name((CN, utf8(b"\xff"))))]),
    ("dirname_seq_value_then_bad", [ctx(4, name((CN, seq()))), ctx(9, b"", False)]),
    ("rid_constructed", [ctx(8, oid("1.2.3"))]),
]:
    case("san_undecodable_dropped_" + label, exts=san(*gns))
case("san_undecodable_empty_value", exts=[ext(SAN, b"")])
raw("san_refuse_dns_bad_utf8", cert(exts=san(dns(b"\xc0\xa8\x00\x01"))))
raw("san_refuse_uri_surrogate", cert(exts=san(uri(b"\xed\xa0\x80"))))
raw("san_refuse_email_overlong", cert(exts=san(ctx(1, b"\xc0\x80", False))))
raw("san_refuse_othername_bad_utf8", cert(exts=san(on(UPN, utf8(b"a\xff")))))
raw("san_refuse_othername_cut_utf8", cert(exts=san(on(UPN, utf8("a" + "é" * 1500)))))
raw("san_refuse_dirname_sequence_value", cert(exts=san(ctx(4, name((CN, seq()))))))
raw("san_refuse_rid_too_long", cert(exts=san(rid("1.2." + ".".join(["1"] * 590)))))
case("san_ber_constructed_dns", exts=san(ctx(2, ia5("ab") + ia5("c"), True)))
case("san_ber_bad_chunks_dropped", exts=san(ctx(2, b"\x6f\x74\x68\x65\x72", True)))


def indefinite(tag, content):
    return bytes([tag, 0x80]) + content + b"\x00\x00"


case("ber_constructed_algorithm_parameters",
     spki=seq(seq(oid("1.2.840.113549.1.1.1"), b"\x24\x00"), bits(b"\x00")),
     sigalg=seq(oid("1.2.840.10045.4.3.2"), tlv(0x24, octets(b"ab"))))
case("ber_constructed_othername_value", exts=san(on(UPN, tlv(0x2C, utf8("u@") + utf8("x")))))
case("ber_indefinite_extensions", exts=[ext(SAN, indefinite(0x30, dns("inf") + uri("u")))])
case("ber_indefinite_missing_eoc_dropped", exts=[ext(SAN, b"\x30\x80" + dns("x"))])
case("ber_indefinite_name",
     subject=indefinite(0x30, indefinite(0x31, indefinite(0x30, oid(CN) + utf8("inf")))))

# --- AIA and CRL distribution points ---------------------------------------
case("aia_ocsp_and_ca_issuers", exts=[ext(AIA, seq(
    seq(oid(OCSP), uri("http://ocsp.example/")), seq(oid(CAI), uri("http://ca.example/ca.der")),
    seq(oid(OCSP), dns("not-a-uri")), seq(oid("1.3.6.1.5.5.7.48.5"), uri("http://other/")),
    seq(oid(OCSP), uri("ldap://second")), seq(oid(CAI), ctx(4, name((CN, utf8("d")))))))])
case("aia_only_non_uri", exts=[ext(AIA, seq(seq(oid(CAI), dns("x"))))])
case("aia_empty", exts=[ext(AIA, seq())])
case("aia_duplicate_dropped", exts=[ext(AIA, seq(seq(oid(OCSP), uri("a")))),
                                    ext(AIA, seq(seq(oid(OCSP), uri("b"))))])
case("aia_undecodable_dropped", exts=[ext(AIA, seq(seq(oid(OCSP), uri("a")),
                                                   seq(oid(OCSP), ctx(9, b"", False))))])
case("aia_non_uri_bad_utf8_ignored", exts=[ext(AIA, seq(seq(oid(OCSP), dns(b"\xff"))))])
raw("aia_refuse_uri_bad_utf8", cert(exts=[ext(AIA, seq(seq(oid(OCSP), uri(b"\xff"))))]))
case("crl_full_and_relative", exts=[ext(CRL, seq(
    seq(ctx(0, ctx(0, uri("http://crl.example/a.crl") + dns("x") + uri("ldap://crl")))),
    seq(ctx(0, ctx(1, attr(CN, utf8("relative"))))),
    seq(ctx(1, b"\x01\x02", False), ctx(2, uri("http://issuer/"))),
    seq(ctx(0, ctx(0, uri("http://second/"))), ctx(2, dns("crl-issuer"))),
    seq()))])
case("crl_no_uris", exts=[ext(CRL, seq(seq(ctx(0, ctx(0, dns("x"))))))])
case("crl_empty", exts=[ext(CRL, seq())])
case("crl_relative_name_unchecked_strings", exts=[ext(CRL, seq(
    seq(ctx(0, ctx(1, attr(CN, utf8(b"\xff")) + attr(CN, seq())))),
    seq(ctx(0, ctx(0, uri("u"))))))])
case("crl_undecodable_dropped", exts=[ext(CRL, seq(seq(ctx(0, ctx(1, attr(CN, tlv(0x1a, b"x"))))),
                                                   seq(ctx(0, ctx(0, uri("u"))))))])
case("crl_bad_reasons_dropped", exts=[ext(CRL, seq(seq(ctx(0, ctx(0, uri("u"))),
                                                       ctx(1, b"", False))))])
raw("crl_refuse_uri_bad_utf8", cert(exts=[ext(CRL, seq(seq(ctx(0, ctx(0, uri(b"\xfe"))))))]))

# --- whole certificate -------------------------------------------------------
case("extensions_in_v1_and_empty_list", version=0, exts=[])
case("unique_ids", version=1, issuer_uid=b"\x00\xaa", subject_uid=b"\x04\xf0")
raw("trailing_bytes_ignored", cert() + b"\x00trailing")
raw("refuse_empty_input", b"")
raw("refuse_truncated", cert()[:-1])
raw("refuse_extra_field", seq(tbs(), ECDSA_SHA256, bits(b"\x00"), null()))
raw("refuse_bad_critical_length", cert(exts=[seq(oid(SAN), tlv(1, b""), octets(seq(dns("a"))))]))
raw("refuse_algorithm_eoc", cert(sigalg=seq(oid("1.2.840.10045.4.3.2"), b"\x00\x00")))
raw("refuse_algorithm_bad_null", cert(sigalg=seq(oid("1.2.840.113549.1.1.11"), tlv(5, b"\x00"))))
raw("refuse_signature_bits", cert(sig=tlv(3, b"\x08\x00")))
# The outer SEQUENCE's long-form length (0x81 0xNN) replaced by "indefinite".
raw("ber_indefinite_length", b"\x30\x80" + cert()[3:] + b"\x00\x00")
raw("refuse_primitive_indefinite", cert(subject=name((CN, b"\x0c\x80abc\x00\x00"))))


def python_answer(der):
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(pem(der))
        try:
            return ssl._ssl._test_decode_cert(path), None
        except Exception as e:  # noqa: BLE001
            return None, "%s: %s" % (type(e).__name__, e)
    finally:
        os.unlink(path)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "cases")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    hexb = lambda b: {"__bytes_hex__": b.hex()}  # noqa: E731
    for name_, der in sorted(CASES.items()):
        with open(os.path.join(out, name_ + ".der"), "wb") as f:
            f.write(der)
        result, err = python_answer(der)
        if result is None:
            if "refuse" not in name_:
                raise SystemExit("%s: CPython refuses it: %s" % (name_, err))
            with open(os.path.join(out, name_ + ".refused"), "w") as f:
                f.write(err + "\n")
        else:
            if "refuse" in name_:
                raise SystemExit("%s: CPython accepts it" % name_)
            with open(os.path.join(out, name_ + ".json"), "w") as f:
                f.write(json.dumps(result, sort_keys=True, default=hexb))
            with open(os.path.join(out, name_ + ".ins.json"), "w") as f:
                f.write(json.dumps(result, default=hexb))
    print("%d cases, %s, %s" % (len(CASES), ssl.OPENSSL_VERSION, sys.version.split()[0]))


if __name__ == "__main__":
    main()
