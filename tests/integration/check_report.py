#!/usr/bin/env python3
"""Checks a vigil JSON report: it validates against the documented schema,
and every evidence line it cites exists in the input at that line.

usage: check_report.py SCHEMA REPORT
Exit 0 when both hold; prints what is wrong otherwise.
"""
import json
import sys


def lines_of(path, cache):
    if path not in cache:
        with open(path, "rb") as f:
            cache[path] = f.read().split(b"\n")
    return cache[path]


def main():
    schema_path, report_path = sys.argv[1], sys.argv[2]
    with open(report_path, encoding="utf-8") as f:
        doc = json.load(f)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)

    problems = []
    try:
        import jsonschema
        validator = jsonschema.Draft202012Validator(schema)
        for err in validator.iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path)
            problems.append(f"schema: {where}: {err.message}")
    except ImportError:
        print("SKIP: python3-jsonschema absent; schema not checked")

    cache = {}
    cited = 0
    for inc in doc["incidents"]:
        for ev in inc["evidence"]:
            cited += 1
            lines = lines_of(ev["file"], cache)
            n = ev["line"]
            if n < 1 or n > len(lines):
                problems.append(f"incident {inc['id']}: {ev['file']}:{n} "
                                "is past the end of the file")
                continue
            real = lines[n - 1].rstrip(b"\r").decode("utf-8", "replace")
            # The report may cut a long line; what it shows must match.
            if not real.startswith(ev["text"]):
                problems.append(f"incident {inc['id']}: {ev['file']}:{n} "
                                f"says {ev['text'][:80]!r}, the file has "
                                f"{real[:80]!r}")
    for p in problems[:20]:
        print(p)
    if problems:
        return 1
    print(f"report valid; {cited} evidence lines found where cited")
    return 0


if __name__ == "__main__":
    sys.exit(main())
