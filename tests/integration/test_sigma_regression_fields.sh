#!/bin/bash
# vigil's EVTX decoder against the JSON rendering SigmaHQ's regression
# cases were made with: every EventData (or UserData) item and System
# value of every event in regression_data/**/<id>.evtx must be what
# <id>.json says, after the conventions docs/formats.md gives for evtx
# (GUIDs in braces, FILETIME's seven digits, Windows' trailing blanks
# kept), and a Sigma rule testing a field for the JSON's value by
# equality must match the EVTX record (docs/rules.md: the braces and
# blanks are also compared without).  See sigma_fields_oracle.py for
# the method (one generated rule per event, its Sigma `fields` listing
# the event's items, run through `vigil rules test`) and for what counts
# as explained.  Mismatches are printed one a line, "MISMATCH ...".
#
# evtx-attack-samples is compared the same way where a JSON rendering
# sits beside an EVTX file (upstream ships none: that part says so).
. "$(dirname "$0")/lib.sh"
need_dataset sigma/regression_data

S="$DATASETS/sigma"
oracle="$SRCDIR/tests/integration/sigma_fields_oracle.py"

python3 "$oracle" "$VIGIL" "$T/regression" \
	"$S/regression_data" >"$T/out" 2>&1
rc=$?
cat "$T/out"
check "the oracle ran over the regression cases (exit $rc)" \
	[ "$rc" -le 1 ]
check "events and fields were compared" \
	grep -q "^compared: [1-9][0-9]* files, [1-9][0-9]* events, [1-9]" \
	"$T/out"
check "every field as the JSON renders it, or differing as documented" \
	[ $rc -eq 0 ]

A="$DATASETS/evtx-attack-samples"
if [ -d "$A" ]; then
	python3 "$oracle" "$VIGIL" "$T/attack" "$A" >"$T/aout" 2>&1
	arc=$?
	if [ $arc -eq 77 ]; then
		echo "SKIP (part): evtx-attack-samples has no JSON rendering" \
			"beside its EVTX files; not compared"
	else
		cat "$T/aout"
		check "evtx-attack-samples: every field as its JSON renders it" \
			[ $arc -eq 0 ]
	fi
else
	echo "SKIP (part): evtx-attack-samples absent at $A"
fi
finish
