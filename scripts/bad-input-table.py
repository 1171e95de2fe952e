#!/usr/bin/env python3
"""Renders the bad-input catalogue's log as the markdown table of
docs/bad-input.md.

    OTLS_BAD_INPUT_LOG=/tmp/bad-input.log ctest -R bad_input
    scripts/bad-input-table.py /tmp/bad-input.log > table.md

Each log line is "case<TAB>backend<TAB>status<TAB>message" (tests/bad_input.h).
Per case the table gives the status and the message with the backend's name
prefix removed; where backends word the stack's own reason differently, the
common part is shown once and each backend's rest after it. A case whose
status differs between backends is flagged: the catalogue asserts one.
"""
import re
import sys
from collections import OrderedDict

TMP = re.compile(r"/tmp/omnitls-test-[A-Za-z0-9]{6}")


def norm(backend, msg):
    msg = TMP.sub("$TMP", msg)
    if backend not in ("-", "core") and msg.startswith(backend + ": "):
        msg = msg[len(backend) + 2:]
    # Paths name the cell's temp dir; tpki names are the same everywhere.
    return msg.replace("|", "\\|")


def common_prefix(texts):
    first, last = min(texts), max(texts)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    # Cut at a word boundary so the rest reads as words.
    cut = max(first.rfind(": ", 0, n + 1), first.rfind(" (", 0, n + 1))
    return first[: cut + 2] if cut > 0 and n < len(first) else first[:n]


def main(path):
    cases = OrderedDict()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            what, backend, status, msg = parts
            cases.setdefault(what, {}).setdefault(backend, set()).add(
                (status, norm(backend, msg)))
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
        print("| %s | %s | %s |" % (what.replace("|", "\\|"), status, text))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bad-input-table.py LOG")
    main(sys.argv[1])
