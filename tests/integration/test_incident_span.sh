#!/bin/bash
# An incident tells, scores and titles what its entities did in its own
# time (widened by the grouping gap), not over the whole input: a web
# scan from an address that logs in over SSH years or a day later is a
# scan, not an intrusion; the same logins half an hour after it are.
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents/span

for when in years-later day-later same-hour; do
	"$VIGIL" analyze --format json "$FIX/access.log" \
		"$FIX/auth-$when.log" >"$T/$when.json" 2>"$T/err"
	check "analyze exits 0 ($when)" [ $? -eq 0 ]
	check "the scan is read with the logins $when as it should" \
		python3 - "$T/$when.json" "$when" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
joins = sys.argv[2] == "same-hour"
inc = d["incidents"]
assert len(inc) == 1, [i["title"] for i in inc]
i = inc[0]
x = i["explanation"]
assert i["title"].startswith("SQL injection attempt"), i["title"]
assert ("logged in as alice" in i["title"]) == joins, i["title"]
assert (i["score_parts"]["success"] == 20) == joins, i["score_parts"]
assert ("failed 3 SSH logins" in x) == joins, x
assert ("Reset the password of alice" in x) == joins, x
assert "sent 2 web requests" in x, x
src = [e for e in i["entities"] if e["type"] == "source.ip"]
assert len(src) == 1, src
PY
done
finish
