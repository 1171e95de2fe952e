#!/usr/bin/env python3
"""Checks that the rules of openssl_rules.py accept the differences they
name and nothing else, on any machine: omnitls is the real cert_dump, and
CPython on OpenSSL 3.5 is played from what it does (refusing a short time,
decoding a late long-form empty element), with this machine's CPython for
the repaired certificates, which every generation decodes alike.

    test_openssl_rules.py CERT_DUMP CORPUS_DIR CASES_DIR"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_python as P  # noqa: E402
import openssl_rules as R  # noqa: E402

failures = []


def check(what, got, want):
    if bool(got) != want:
        failures.append("%s: expected %s, got %r" % (what, "a match" if want else "no match", got))


def dump(tool, der):
    return P.omnitls_json(tool, [der], False)[0]


def outcome(tool, label, der, python, ours=None, truth=None):
    return R.Outcome(label, der, python, None if python else "refused",
                     dump(tool, der) if ours is None else ours,
                     lambda d: P.python_json(d, True), lambda d: dump(tool, d), truth)


def main():
    tool, corpus, cases = sys.argv[1:4]
    short, late = R.ShortTime(), R.LongZeroAtEnd()

    # The generations: only studied ones get rules.
    check("3.0.19 has no rule", R.rules_for((3, 0, 0, 19, 0), "OpenSSL 3.0.19") == [], True)
    names = [r.name for r in R.rules_for((3, 5, 0, 9, 0), "OpenSSL 3.5.9") or []]
    check("3.5.9 has both rules", names == [short.name, late.name], True)
    names = [r.name for r in R.rules_for((3, 5, 0, 6, 0), "OpenSSL 3.5.6") or []]
    check("3.5.6 lacks the 3.5.7 change", names == [short.name], True)
    for info, text in (((3, 6, 0, 0, 0), "OpenSSL 3.6.0"), ((1, 1, 1, 23, 15), "OpenSSL 1.1.1w"),
                       ((3, 4, 0, 1, 0), "OpenSSL 3.4.1"), ((3, 8, 0, 0, 0), "LibreSSL 3.8.2")):
        check("%s is not studied" % text, R.rules_for(info, text) is None, True)

    # ShortTime: a rule case whose notBefore has no seconds.
    path = os.path.join(cases, "date_utc_no_seconds.der")
    der = open(path, "rb").read()
    truth = R.ground_truth(path, True)
    check("the case has OpenSSL 3.0's JSON", truth is not None and truth is not R.REFUSED, True)
    check("short time, as recorded", short.explain(outcome(tool, path, der, None, truth=truth)), True)
    check("short time, a mutation", short.explain(outcome(tool, path + "#0", der, None)), True)
    mine = json.loads(dump(tool, der))
    for key, value in (("serialNumber", "12345"), ("notAfter", "Jan  1 00:00:00 2031 GMT"),
                       ("notBefore", "2001010000Z")):
        bad = json.dumps({**mine, key: value}, sort_keys=True)
        check("short time, omnitls's %s changed" % key,
              short.explain(outcome(tool, path + "#0", der, None, ours=bad)), False)
    check("short time, other 3.0 JSON",
          short.explain(outcome(tool, path, der, None, truth=truth.replace("1234", "1235"))), False)
    check("short time, omnitls refused",
          short.explain(outcome(tool, path, der, None, ours="ERROR OTLS_ERR_PARSE: x")), False)
    check("short time, CPython decoded",
          short.explain(outcome(tool, path, der, dump(tool, der))), False)
    full = os.path.join(corpus, "cpython-keycert.pem")
    fder = P.load(full)
    check("full times refused: not this rule", short.explain(outcome(tool, full + "#0", fder, None)),
          False)

    # LongZeroAtEnd: a corpus certificate whose outer NULL parameters are
    # written 05 82 00 00 (CPython on 3.5 decodes it as the original).
    path = os.path.join(corpus, "cpython-nosan.pem")
    orig = P.load(path)
    nulls = [at for at, ident, content, _, at_end in R._walk(orig)
             if ident == b"\x05" and not content and at_end]
    der = R._rewrite(orig, {nulls[-1]: b"\x05\x82\x00\x00"})
    theirs, err = P.python_json(orig, True)
    check("CPython decodes the original", theirs is not None, True)
    ours = dump(tool, der)
    check("omnitls refuses the long form (as OpenSSL 3.0)", ours.startswith("ERROR"), True)
    check("late long-form empty element", late.explain(outcome(tool, path + "#0", der, theirs)),
          True)
    check("late long form, CPython's JSON differs",
          late.explain(outcome(tool, path + "#0", der, theirs.replace("nosan", "nosam"))), False)
    check("late long form, refused elsewhere",
          late.explain(outcome(tool, path + "#0", der, theirs,
                               ours="ERROR OTLS_ERR_PARSE: certificate: malformed element "
                                    "header at offset 4")), False)
    check("late long form, CPython refused", late.explain(outcome(tool, path + "#0", der, None)),
          False)

    # With tag 0 (00 82 00 00 is no end-of-contents marker to 3.5).
    der = R._rewrite(orig, {nulls[-1]: b"\x00\x82\x00\x00"})
    check("omnitls refuses a long-form empty tag 0 (as OpenSSL 3.0)",
          dump(tool, der).startswith("ERROR"), True)
    check("late long-form empty tag 0", late.explain(outcome(tool, path + "#0", der, theirs)), True)

    # The same inside an extension: 3.0 drops the extension (so does omnitls).
    path = os.path.join(cases, "san_empty_list.der")
    orig = open(path, "rb").read()
    theirs = R.ground_truth(path, True)
    check("the SAN case has OpenSSL 3.0's JSON", '"subjectAltName": []' in (theirs or ""), True)
    spot = [at for at, ident, content, _, at_end in R._walk(orig)
            if ident == b"\x30" and not content and at_end]
    der = R._rewrite(orig, {spot[0]: b"\x30\x82\x00\x00"})
    ours = dump(tool, der)
    check("omnitls drops the long-form empty SAN (as OpenSSL 3.0)",
          "subjectAltName" not in ours and not ours.startswith("ERROR"), True)
    check("late long-form empty extension value",
          late.explain(outcome(tool, path + "#0", der, theirs)), True)
    check("late long form in an extension, CPython's JSON differs",
          late.explain(outcome(tool, path + "#0", der, theirs.replace("1234", "1235"))), False)
    check("no long-form empty element", late.explain(outcome(tool, path + "#0", orig, theirs)),
          False)

    # A SEQUENCE as a directoryName value, its length 30 82 00 00: 3.0 drops
    # the SAN; 3.5 reads it, and CPython then raises (as on 30 00).
    path = os.path.join(cases, "san_refuse_dirname_sequence_value.der")
    orig = open(path, "rb").read()
    _, err = P.python_json(orig, True)
    spot = [at for at, ident, content, _, at_end in R._walk(orig)
            if ident == b"\x30" and not content and at_end]
    der = R._rewrite(orig, {spot[-1]: b"\x30\x82\x00\x00"})
    ours = dump(tool, der)
    check("omnitls drops that SAN (as OpenSSL 3.0)",
          "subjectAltName" not in ours and not ours.startswith("ERROR"), True)
    played = R.Outcome(path + "#0", der, None, err, ours, lambda d: P.python_json(d, True),
                       lambda d: dump(tool, d), None)
    check("late long form, CPython raises on the value", late.explain(played), True)
    path = os.path.join(cases, "san_empty_list.der")
    orig = open(path, "rb").read()
    spot = [at for at, ident, content, _, at_end in R._walk(orig)
            if ident == b"\x30" and not content and at_end]
    der = R._rewrite(orig, {spot[0]: b"\x30\x82\x00\x00"})
    played = R.Outcome(path + "#0", der, None, "refused", dump(tool, der),
                       lambda d: P.python_json(d, True), lambda d: dump(tool, d), None)
    check("late long form, CPython refused what it reads when repaired", late.explain(played),
          False)

    for f in failures:
        print("FAIL", f)
    print("%d checks failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
