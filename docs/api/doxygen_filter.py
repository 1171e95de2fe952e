#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for omnitls's public headers.

The headers document every declaration with plain C comments, written for
people reading the header. This filter shows Doxygen the same comments as
documentation, without a second comment style in the sources:

  - the first comment of the file becomes the file's description;
  - a comment that ends on the line just before a declaration documents it
    (a comment followed by a blank line, another comment, a preprocessor
    conditional or include, or a line with its own comment is a section
    title or a note on a group, and stays a plain comment);
  - a comment after code on the same line documents that member (/**< */).

The comments are plain text: characters Doxygen would read as commands or
markup are escaped. Line numbers are kept, so warnings point at the header.
"""
import re
import sys

TRAILING = re.compile(r"^(\s*\S.*?)/\*(?![*!])(.*)$")
LEADING = re.compile(r"^(\s*)/\*(?![*!])(.*)$")
# Characters Doxygen reads as commands or markup in documentation: a
# backslash or @ (commands), # before a word (a link request), < before a
# letter (an HTML tag, as in omnitls-<name>.so).
SPECIAL = re.compile(r"\\|@|#(?=\w)|<(?=[A-Za-z/])")
# A comment just before these documents no declaration.
NOT_DOCUMENTED = ("/*", "#include", "#if", "#endif", "#else")


def escape(text):
    return SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def comment_end(lines, i):
    """Index of the line on which the comment opened on line i closes."""
    start = lines[i].find("/*")
    if "*/" in lines[i][start + 2:]:
        return i
    j = i + 1
    while j < len(lines) and "*/" not in lines[j]:
        j += 1
    return j


def main(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = list(lines)
    seen_first = False
    i = 0
    while i < len(lines):
        line = lines[i]
        lead = LEADING.match(line)
        trail = None if lead else TRAILING.match(line)
        if trail and '"' not in trail.group(1) and not trail.group(1).lstrip().startswith("#include"):
            end = comment_end(lines, i)
            out[i] = trail.group(1) + "/**<" + escape(trail.group(2))
            for j in range(i + 1, end + 1):
                out[j] = escape(lines[j])
            i = end + 1
            continue
        if lead:
            end = comment_end(lines, i)
            nxt = lines[end + 1].strip() if end + 1 < len(lines) else ""
            body = lead.group(2)
            if not seen_first:
                # "@file" takes a name from the rest of its line: put it
                # last, where nothing follows.
                out[i] = lead.group(1) + "/**" + escape(body)
                for j in range(i + 1, end + 1):
                    out[j] = escape(lines[j])
                out[end] = out[end].replace("*/", "@file */", 1)
            elif (nxt and not nxt.startswith(NOT_DOCUMENTED) and not body.lstrip().startswith("-")
                  and not TRAILING.match(lines[end + 1])):
                out[i] = lead.group(1) + "/**" + escape(body)
                for j in range(i + 1, end + 1):
                    out[j] = escape(lines[j])
            seen_first = True
            i = end + 1
            continue
        i += 1
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
