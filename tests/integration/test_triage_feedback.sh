#!/bin/bash
# Learning from analysts, measured: eight generated days (seeds 1-8) with
# known ground truth (the intrusion from 203.0.113.0/24 is malicious; the
# scanner probe and the policy alert are false positives).  Analysts'
# decisions on days 1-4 are replayed as feedback; on days 5-8 the share
# of false positives among the incidents shown to the analyst must drop,
# and no malicious incident may be hidden.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
[ -x "${VIGIL_DEMO_GEN:-}" ] || skip "vigil-demo-gen not built"

for s in 1 2 3 4 5 6 7 8; do
	"$VIGIL_DEMO_GEN" "$T/d$s" --seed "$s" >/dev/null 2>&1
	"$VIGIL" analyze -q --store "$T/db" "$T/d$s"/*.log "$T/d$s"/*.json \
		>/dev/null 2>&1 || fail "analyze seed $s"
done

# Ground truth per incident: id run truth
n=0
while "$VIGIL" show $((n + 1)) --store "$T/db" --format json \
	>"$T/i.json" 2>/dev/null; do
	n=$((n + 1))
	python3 - "$T/i.json" >>"$T/truth" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = any(e["type"] == "source.ip" and e["value"].startswith("203.0.113.")
          for e in d["entities"])
print(d["id"], d["run_id"], "malicious" if bad else "false-positive")
PY
done
check "24 incidents stored" test "$n" -ge 24

share() {	# share TRIAGE_JSON: FP share shown on runs 5-8, malicious hidden
	python3 - "$1" "$T/truth" <<'PY'
import json, sys
res = {r["incident"]: r for r in json.load(open(sys.argv[1]))}
truth = {}
for line in open(sys.argv[2]):
    i, run, t = line.split()
    truth[int(i)] = (int(run), t)
runs = sorted({r for r, _ in truth.values()})
late = set(runs[len(runs) // 2:])
shown = fp = hidden_bad = 0
for i, (run, t) in truth.items():
    r = res.get(i)
    if run not in late or r is None:
        continue
    if r["hidden"] or r["verdict"] in ("benign", "false_positive"):
        hidden_bad += t == "malicious"
        continue
    shown += 1
    fp += t == "false-positive"
print(f"{fp} {shown} {hidden_bad}")
PY
}

"$VIGIL" triage --all --store "$T/db" --no-model --format json \
	>"$T/before.json" 2>/dev/null
read -r fp0 shown0 bad0 <<<"$(share "$T/before.json")"

# Replay the analysts' decisions on the first four days.
runs=$(cut -d' ' -f2 "$T/truth" | sort -n | uniq | head -4 | tr '\n' ' ')
while read -r id run truth; do
	case " $runs " in
	*" $run "*)
		"$VIGIL" feedback "$id" "$truth" --note "ground truth" \
			--store "$T/db" >/dev/null 2>&1 ||
			fail "feedback $id"
		;;
	esac
done <"$T/truth"

"$VIGIL" triage --all --store "$T/db" --no-model --format json \
	>"$T/after.json" 2>/dev/null
read -r fp1 shown1 bad1 <<<"$(share "$T/after.json")"
echo "false positives shown on days 5-8: before $fp0 of $shown0," \
	"after feedback $fp1 of $shown1"
check "feedback lowers the false-positive share" \
	python3 -c "import sys; sys.exit(0 if $fp1 * $shown0 < $fp0 * max($shown1, 1) else 1)"
check "no malicious incident hidden before" test "$bad0" = 0
check "no malicious incident hidden after" test "$bad1" = 0
check "the local model explains itself" grep -q 'fp_probability' "$T/after.json"

# The user reads one spelling, the one vigil feedback takes: triage and
# show print false-positive (JSON keeps the model's false_positive).
"$VIGIL" triage --all --store "$T/db" --no-model >"$T/after.txt" 2>&1
check "triage text: the analysts' false-positive as feedback spells it" \
	grep -q 'analyst decided: false-positive' "$T/after.txt"
check "triage text: the summary counts false-positive" \
	grep -Eq '^triaged .*, false-positive [0-9]+;' "$T/after.txt"
check "triage text: no false_positive" \
	[ "$(grep -c false_positive "$T/after.txt")" -eq 0 ]
fpid=
for i in $(seq 1 "$n"); do
	"$VIGIL" show "$i" --store "$T/db" --format json 2>/dev/null |
		grep -q '"verdict":"false_positive"' && { fpid=$i; break; }
done
check "a stored verdict false_positive (else the next is idle)" \
	[ -n "$fpid" ]
"$VIGIL" show "${fpid:-1}" --store "$T/db" >"$T/fp-show.txt" 2>&1
check "show: the verdict reads false-positive" \
	grep -Eq '^    [a-z -]+: false-positive \(confidence' "$T/fp-show.txt"
check "show: no false_positive" \
	[ "$(grep -c false_positive "$T/fp-show.txt")" -eq 0 ]
# The analysts decide days 5-8 too; stats then measure the local model
# on every decision, each predicted by a model of the earlier ones only.
while read -r id run truth; do
	case " $runs " in
	*" $run "*) ;;
	*) "$VIGIL" feedback "$id" "$truth" --store "$T/db" >/dev/null 2>&1 ||
		fail "feedback $id" ;;
	esac
done <"$T/truth"
"$VIGIL" triage stats --store "$T/db" >"$T/stats.txt" 2>&1
check "stats: local model agreement" grep -q 'local/analyst' "$T/stats.txt"
row() {	# row PRODUCER COLUMN: a figure of the per-producer table
	awk -v p="$1" -v c="$2" '$0 ~ "^  " p " " {
		sub("^  " p " +", ""); split($0, f, " +"); print f[c]; exit }' \
		"$T/stats.txt"
}
check "stats: local model compared out of sample ($(row 'local model' 2))" \
	test "$(row 'local model' 2)" -ge $((n - 8))
check "stats: out of sample, models trained" \
	grep -Eq 'only on earlier ones, [1-9][0-9]* models' "$T/stats.txt"
check "stats: deterministic compared on every decision" \
	test "$(row deterministic 2)" -ge "$n"
check "stats: local model precision" grep -Eq '^  local model .*%' \
	"$T/stats.txt"
check "stats: analysts' latency" grep -Eq '^  analyst .* (ms|s) ' \
	"$T/stats.txt"
cat "$T/stats.txt"
finish
