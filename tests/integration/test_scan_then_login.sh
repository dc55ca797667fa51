#!/bin/bash
# A source that scans the web server and then logs in over SSH: what the
# account does next (sudo to root, a new account) is one incident with
# the scan.  Another user's sudo from an office address is not in it.
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents/scan
"$VIGIL" analyze --year 2026 --format json "$FIX/access.log" \
	"$FIX/auth.log" >"$T/r.json" 2>"$T/err"
check "analyze exits 0" [ $? -eq 0 ]
check "the scan, eve's sudo and the new account are one incident" \
	python3 - "$T/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def lines(i):
    return {(e["file"].rsplit("/", 1)[-1], e["line"]) for e in i["evidence"]}
inc = [i for i in d["incidents"] if ("auth.log", 2) in lines(i)]
assert len(inc) == 1, inc
ev = lines(inc[0])
assert ("auth.log", 3) in ev, ev
assert any(f == "access.log" for f, _ in ev), ev
assert ("auth.log", 5) not in ev, ev
PY
finish
