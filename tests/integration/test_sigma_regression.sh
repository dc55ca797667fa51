#!/bin/bash
# SigmaHQ regression cases: each case folder under regression_data/ holds
# info.yml (the rule's id under rule_metadata, the sample under
# regression_tests_info) and the EVTX sample.  vigil runs with the whole
# community rule set over each sample; the named rule must raise an alert.
# Prints the pass share and each miss; the share must reach
# SIGMA_REGRESSION_MIN percent (default 100: every case).
#
# One `vigil rules test` run reads every sample with all rules loaded and
# prints each hit as FILE:RECORD: hit [level] title (id).
. "$(dirname "$0")/lib.sh"
need_dataset sigma/regression_data
need_dataset sigma/rules

S="$DATASETS/sigma"
min=${SIGMA_REGRESSION_MIN:-100}

rules=()
for d in rules rules-emerging-threats rules-threat-hunting \
	rules-placeholder rules-compliance; do
	[ -d "$S/$d" ] && rules+=(-r "$S/$d")
done

find "$S/regression_data" -name info.yml | LC_ALL=C sort >"$T/cases"
find "$S/regression_data" -name '*.evtx' | LC_ALL=C sort >"$T/samples"
tr '\n' '\0' <"$T/samples" | xargs -0 "$VIGIL" rules test "${rules[@]}" \
	>"$T/hits" 2>"$T/err"
check "rules test ran over the samples" [ -s "$T/hits" ]
total=0
passed=0
while read -r info; do
	dir=$(dirname "$info")
	# The rule id is the first id under rule_metadata.
	id=$(awk '/^rule_metadata:/ { m = 1; next }
		m && /id:/ { print $NF; exit }' "$info")
	total=$((total + 1))
	set -- "$dir"/*.evtx
	if [ ! -f "$1" ] || [ -z "$id" ]; then
		fail "$dir: no sample or no rule id"
		continue
	fi
	if grep -F -- "$1:" "$T/hits" | grep -qF -- "($id)"; then
		passed=$((passed + 1))
		ok
	else
		echo "MISS: ${dir#"$S"/} (rule $id)"
	fi
done <"$T/cases"

share=$(awk -v p="$passed" -v t="$total" \
	'BEGIN { printf "%.1f", t ? 100 * p / t : 0 }')
echo "regression: $passed of $total cases fire their rule ($share%)"
check "pass share $share% >= $min%" \
	awk -v s="$share" -v m="$min" 'BEGIN { exit !(s >= m) }'

# Each case's JSON export of the same events (Event.System and
# Event.EventData nesting, pretty-printed, objects one after another)
# fires exactly the rules the EVTX file fires.
find "$S/regression_data" -name '*.json' | LC_ALL=C sort >"$T/jsons"
tr '\n' '\0' <"$T/jsons" | xargs -0 "$VIGIL" rules test "${rules[@]}" \
	>"$T/jhits" 2>"$T/jerr"
check "rules test ran over the JSON exports" [ -s "$T/jhits" ]
for ext in evtx json; do
	f=$T/hits
	[ $ext = json ] && f=$T/jhits
	grep -E "^[^ ]+\.$ext:[0-9]+: (hit|correlation) " "$f" |
		sed -E "s/\.$ext:[0-9]+: / /; s/ \([0-9]+ events?\)\$//" |
		LC_ALL=C sort -u >"$T/set.$ext"
done
check "the JSON exports give hits" [ -s "$T/set.json" ]
check "JSON exports fire the same rules as the EVTX files" \
	diff "$T/set.evtx" "$T/set.json"
finish
