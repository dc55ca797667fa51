#!/bin/bash
# An incident's events are distinct events, never more than were read:
# a request two rules raise (a scanner's user agent counted by a
# correlation, an SQL injection on the same line) counts once, as do the
# failures a brute force and the success after it both cite.
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents

# log, events read, alerts at least, the incident's events
while read -r log read alerts want; do
	"$VIGIL" analyze --format json "$FIX/$log" >"$T/r.json" 2>"$T/err"
	check "analyze exits 0 ($log)" [ $? -eq 0 ]
	check "$log: $want distinct events of $read read" \
		python3 - "$T/r.json" "$read" "$alerts" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
read, alerts, want = map(int, sys.argv[2:])
assert d["stats"]["events"] == read, d["stats"]
inc = d["incidents"]
assert len(inc) == 1, [i["title"] for i in inc]
c = inc[0]["counts"]
assert c["alerts"] >= alerts, c
assert c["events"] == want, c
if inc[0]["score_parts"]["volume"]:
    assert "(%d events)" % want in inc[0]["explanation"], \
        inc[0]["explanation"]
PY
done <<'ROWS'
span/access.log 2 2 2
events/auth.log 14 2 14
ROWS
finish
