#!/usr/bin/env python3
"""Renders the bad-input catalogue's log as the markdown table of
docs/bad-input.md.

    OTLS_BAD_INPUT_LOG=/tmp/bad-input.log build/tests/test_bad_input_args ...
    scripts/bad-input-table.py /tmp/bad-input.log > table.md
    scripts/bad-input-table.py --check /tmp/bad-input.log docs/bad-input.md

--check fails unless the document's table has a row for every case of the
log and no other, and every backend's status and message in the log is the
one its row gives (a build without some backend still checks).

Each log line is "file<TAB>case<TAB>backend<TAB>status<TAB>message"
(tests/bad_input.h); there is one table per test file. Per case the table
gives the status and the message without the backend's name; where backends
word the stack's own reason differently, the common part is shown once and
each backend's rest after it. A case whose status differs between backends
is flagged: the catalogue asserts one.

The table's per-backend rests are the stacks' own reasons as measured on
the stacks the document names (Debian 12's). With OTLS_BAD_INPUT_OTHER_STACKS=1
in the environment (tests/distro/run-debian13 sets it), --check still checks
every status and the core's common wording, but not the stacks' own words,
which other versions of the stacks put differently.
"""
import os
import re
import sys
from collections import OrderedDict

# th_tmpdir(): $TMPDIR (or /tmp), then omnitls-test-XXXXXX.
TMP = re.compile(r"[^ \x27(]*/omnitls-test-[A-Za-z0-9]{6}")


SECTIONS = OrderedDict([
    ("test_bad_input_peer.c", "The peer: garbage, early close, truncated records"),
    ("test_bad_input_verify.c", "Certificates under OTLS_VERIFY_REQUIRED"),
    ("test_bad_input_files.c", "Certificate, key and CA files"),
    ("test_bad_input_args.c", "Arguments, states, channel bindings, backends"),
])


def norm(backend, msg):
    # Paths name the test's temp dir; the backend's name is the row's.
    msg = TMP.sub("$TMP", msg)
    if backend not in ("-", "core"):
        msg = msg.replace(backend + ": ", "")
    return msg.replace("|", "\\|")


def common_prefix(texts):
    first, last = min(texts), max(texts)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    # Cut at a word boundary so the rest reads as words.
    cut = max(first.rfind(": ", 0, n + 1), first.rfind(" (", 0, n + 1))
    return first[: cut + 2] if cut > 0 and n < len(first) else first[:n]


def read_log(path):
    cases = OrderedDict()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            src, what, backend, status, msg = parts
            cases.setdefault(src, OrderedDict()).setdefault(
                what.replace("|", "\\|"), {}).setdefault(backend, set()).add(
                    (status, norm(backend, msg)))
    return cases


def flat(cases):
    out = OrderedDict()
    for src in cases:
        out.update(cases[src])
    return out


def read_doc_rows(path):
    rows = {}
    inside = False  # in a table whose header is the catalogue's
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("| case | status | message |"):
                inside = True
                continue
            if not line.startswith("|"):
                inside = False
            if not inside or not line.startswith("| "):
                continue
            cells = re.split(r"(?<!\\) \| ", line.strip()[2:-2])
            if len(cells) == 3:
                rows[cells[0]] = (cells[1], cells[2])
    return rows


def check(log, doc):
    cases = flat(read_log(log))
    rows = read_doc_rows(doc)
    bad = []
    for what in cases:
        if what not in rows:
            bad.append("no row for case: %s" % what)
            continue
        status_cell, text = rows[what]
        if "&hellip;<br>" in text:
            pre, rest = text.split("&hellip;<br>", 1)
            allowed = {}
            for tail in rest.split("<br>"):
                b, _, t = tail.partition(": ")
                allowed.setdefault(b, set()).add(pre + t)
        elif "<br>" in text:
            allowed = {}
            for tail in text.split("<br>"):
                b, _, t = tail.partition(": ")
                allowed.setdefault(b, set()).add(t)
        else:
            allowed = None
        other_stacks = os.environ.get("OTLS_BAD_INPUT_OTHER_STACKS") == "1"
        for backend, seen in cases[what].items():
            for status, msg in seen:
                if other_stacks and allowed is not None:
                    pre = text.split("&hellip;<br>", 1)[0] if "&hellip;<br>" in text else ""
                    if "`%s`" % status not in status_cell or not msg.startswith(pre):
                        bad.append("%s [%s]: %s \"%s\", the table says %s \"%s\""
                                   % (what, backend, status, msg, status_cell, text))
                    continue
                if "`%s`" % status not in status_cell:
                    bad.append("%s [%s]: status %s, the table says %s"
                               % (what, backend, status, status_cell))
                want = {text if text != "(none)" else ""} if allowed is None \
                    else allowed.get(backend, set())
                if msg not in want:
                    bad.append("%s [%s]: message \"%s\", the table says \"%s\""
                               % (what, backend, msg, text))
    # A row naming a backend this build lacks (a session of one backend
    # offered to another) is not expected in its log.
    seen = {b for v in cases.values() for b in v}
    absent = {"openssl", "mbedtls", "wolfssl"} - seen
    for what in rows:
        if what not in cases and not any(b in what for b in absent):
            bad.append("the table has a case the tests did not log: %s" % what)
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        sys.exit("%s disagrees with the test run (%d problems); regenerate its table "
                 "with scripts/bad-input-table.py" % (doc, len(bad)))
    print("%s: %d cases agree with the test run" % (doc, len(cases)))


def main(path):
    by_file = read_log(path)
    order = [f for f in SECTIONS if f in by_file] + sorted(f for f in by_file if f not in SECTIONS)
    for n, src in enumerate(order):
        if n:
            print()
        print("### %s (`tests/%s`)" % (SECTIONS.get(src, src), src))
        print()
        table(by_file[src])


def table(cases):
    print("| case | status | message |")
    print("|---|---|---|")
    for what in sorted(cases):
        by = cases[what]
        statuses = sorted({s for v in by.values() for s, _ in v})
        msgs = sorted({m for v in by.values() for _, m in v})
        status = " / ".join("`%s`" % s for s in statuses)
        if len(statuses) > 1:
            status += " (differs)"
        if len(msgs) == 1:
            text = msgs[0] if msgs[0] else "(none)"
        else:
            pre = common_prefix(msgs)
            rests = []
            for backend in sorted(by):
                for _, m in sorted(by[backend]):
                    rests.append("%s: %s" % (backend, m[len(pre):] if m.startswith(pre) else m))
            text = (pre + "&hellip;<br>" if pre else "") + "<br>".join(sorted(set(rests)))
        print("| %s | %s | %s |" % (what, status, text))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit("usage: bad-input-table.py LOG | --check LOG DOC")
