#!/usr/bin/env bash
# A distinct count the text report can only bound (an entity that also
# acted outside the incident: curl's two sources, one per incident) is
# marked "~", and the incident says once what the mark means.
. "$(dirname "$0")/lib.sh"

LOG=$SRCDIR/tests/integration/fixtures/incidents/bounds/access.log
"$VIGIL" analyze --color never "$LOG" >"$T/r.txt" 2>"$T/err"
check "analyze exits 0" [ $? -eq 0 ]
check "two incidents" [ "$(grep -c '^#' "$T/r.txt")" -eq 2 ]
check "curl's sources are a bound" \
	grep -q "user_agent.original curl/8.5.0: sources ~2" "$T/r.txt"
check "each incident with a bound says what ~ means, once" \
	[ "$(grep -c '^    (~: not exact: counted over the whole input' \
		"$T/r.txt")" -eq 2 ]
"$VIGIL" analyze --color never \
	"$SRCDIR/tests/integration/fixtures/incidents/sudo/auth.log" \
	>"$T/s.txt" 2>/dev/null
check "no legend where no count is a bound" \
	bash -c "! grep -q '(~:' '$T/s.txt'"
finish
