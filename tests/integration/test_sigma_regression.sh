#!/bin/bash
# SigmaHQ regression cases: each case folder under regression_data/ holds
# info.yml (the rule's id under rule_metadata, the sample under
# regression_tests_info) and the EVTX sample.  vigil runs with the whole
# community rule set over each sample; the named rule must raise an alert.
# Prints the pass share; every case must pass (SIGMA_REGRESSION_MIN, a
# percentage, lowers the bar while a regression is being fixed).
#
# Under AddressSanitizer one run loads 3,700 rules in seconds, so that
# build checks every 10th case only (printed below).
. "$(dirname "$0")/lib.sh"
need_dataset sigma/regression_data
need_dataset sigma/rules

S="$DATASETS/sigma"
min=${SIGMA_REGRESSION_MIN:-100}
step=1
if grep -q __asan_init "$VIGIL" 2>/dev/null; then
	step=10
	echo "NOTE: sanitizer build: every ${step}th case only"
fi

rules=()
for d in rules rules-emerging-threats rules-threat-hunting \
	rules-placeholder rules-compliance; do
	[ -d "$S/$d" ] && rules+=(-r "$S/$d")
done

find "$S/regression_data" -name info.yml | LC_ALL=C sort >"$T/cases"
total=0
passed=0
i=0
while read -r info; do
	i=$((i + 1))
	[ $(((i - 1) % step)) -eq 0 ] || continue
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
	"$VIGIL" analyze --quiet --format json --no-default-rules \
		"${rules[@]}" -o "$T/out.json" "$@" 2>"$T/err"
	if grep -q "\"id\": *\"$id\"" "$T/out.json"; then
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
finish
