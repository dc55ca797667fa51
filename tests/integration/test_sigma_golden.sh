#!/bin/bash
# Golden hits: the whole community rule set over every EVTX attack sample,
# each hit as "SAMPLE:RECORD RULE-ID" (sample relative to the sample
# folder), sorted, must equal tests/integration/golden/evtx_hits.txt.
# A change in what a decoder renders, in a log-source mapping or in the
# matcher (the prefilter) shows here as the lines that moved.
# After a deliberate change, VIGIL_UPDATE_GOLDEN=1 rewrites the file.
. "$(dirname "$0")/lib.sh"
need_dataset evtx-attack-samples
need_dataset sigma/rules

S="$DATASETS/sigma"
E="$DATASETS/evtx-attack-samples"
G="$SRCDIR/tests/integration/golden/evtx_hits.txt"

rules=()
for d in rules rules-emerging-threats rules-threat-hunting \
	rules-placeholder rules-compliance; do
	[ -d "$S/$d" ] && rules+=(-r "$S/$d")
done
find "$E" -name '*.evtx' | LC_ALL=C sort >"$T/samples"

# hits ARGS...: the sorted "SAMPLE:RECORD RULE-ID" lines of one run.
hits() {
	tr '\n' '\0' <"$T/samples" |
		xargs -0 "$VIGIL" rules test "$@" "${rules[@]}" \
			2>/dev/null |
		sed -n 's/^\(.*\.evtx:[0-9]*\): [a-z]* \[.*(\([0-9a-f-]*\))\( (.*)\)*$/\1 \2/p' |
		sed "s|^$E/||" | LC_ALL=C sort
}

hits >"$T/got"
check "the samples raise hits" [ -s "$T/got" ]
if [ "${VIGIL_UPDATE_GOLDEN:-0}" = 1 ]; then
	mkdir -p "$(dirname "$G")"
	cp "$T/got" "$G"
	echo "golden rewritten: $(wc -l <"$G") hits"
fi
if diff -u "$G" "$T/got" >"$T/diff"; then
	ok
else
	head -40 "$T/diff"
	fail "hits differ from $G ($(grep -c '^[-+][^-+]' "$T/diff") lines)"
fi
echo "hits: $(wc -l <"$T/got")"

# The same hits with the prefilter off.
hits --no-prefilter >"$T/nopf"
check "--no-prefilter gives the same hits" cmp -s "$T/got" "$T/nopf"
finish
