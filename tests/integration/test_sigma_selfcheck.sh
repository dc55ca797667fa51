#!/bin/bash
# Every Windows community rule fires on an event built from its own
# detection (sigma_selfcheck.py): the log source's channel and event id
# from data/logsources-windows.yml, each field of the selections that
# make the condition true given a value that meets its modifiers.  A
# wrong channel or event id for a category, a field mapping that
# hides a name, or a matcher or prefilter that loses a modifier shows
# here as rules that stop firing, named in the output.  A few events
# cannot be right by construction (a selection whose value a filter
# also excludes), hence a floor rather than every rule.
. "$(dirname "$0")/lib.sh"
need_dataset sigma/rules
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"

S="$DATASETS/sigma"
python3 "$SRCDIR/tests/integration/sigma_selfcheck.py" \
	"$SRCDIR/data/logsources-windows.yml" "$S" "$T/events" >"$T/built"
check "events built" grep -q "^built [0-9]" "$T/built"
cat "$T/built"

rules=()
for d in "$S"/rules*; do
	[ -d "$d" ] && rules+=(-r "$d")
done
cut -f1 "$T/events/index.tsv" | tr '\n' '\0' |
	xargs -0 "$VIGIL" rules test "${rules[@]}" 2>/dev/null |
	sed -n 's/^\(.*\.jsonl\):[0-9]*: hit \[.*(\([0-9a-f-]*\))$/\1	\2/p' |
	LC_ALL=C sort -u >"$T/fired"
cut -f1,2 "$T/events/index.tsv" | LC_ALL=C sort -u >"$T/wanted"
LC_ALL=C comm -23 "$T/wanted" "$T/fired" >"$T/missed"
built=$(wc -l <"$T/wanted")
missed=$(wc -l <"$T/missed")
echo "rules fired on their own event: $((built - missed)) of $built"
join -t '	' -o 2.3 "$T/missed" \
	<(LC_ALL=C sort "$T/events/index.tsv") | sed "s|^$S/|  missed: |"
check "at least 2,000 events built ($built)" [ "$built" -ge 2000 ]
check "at least 99% of the rules fire ($missed missed)" \
	[ $((missed * 100)) -le "$built" ]
finish
