#!/bin/bash
# vigil triage and vigil llm check against the scripted model server
# (llm_server.py, loopback only) playing well-behaved and hostile models:
# every case must end correct and bounded, with the right producer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"

triage() {	# triage OUT: incident 1, JSON out
	VIGIL_TEST_KEY=sekrit-123 "$VIGIL" triage 1 --store "$T/db" \
		--config "$T/vigil.yaml" --format json >"$1" 2>"$T/err"
}

"$VIGIL_DEMO_GEN" "$T/demo" >/dev/null 2>&1
"$VIGIL" analyze -q --store "$T/db" "$T"/demo/*.log "$T"/demo/*.json \
	>/dev/null 2>&1 || fail "analyze --store"

# A well-behaved model: one warranted tool call, then a verdict.
start_server good
check "good: triage runs" triage "$T/good.json"
check "good: producer llm" test "$(field "$T/good.json" producer)" = llm
check "good: malicious" test "$(field "$T/good.json" verdict)" = malicious
check "good: one tool call" test "$(field "$T/good.json" tool_calls)" = 1
check "good: no refusal" test "$(field "$T/good.json" tools_refused)" = 0
check "good: two requests" test "$(requests)" = 2
check "good: answer mapped back" grep -q '203\.0\.113\.' "$T/good.json"
check "good: the key reached the server" \
	grep -q '"auth": "Bearer sekrit-123"' "$T/req.log"
check "good: the key is not in the store" \
	bash -c "! grep -aq sekrit-123 '$T'/db*"
check "good: the key is not printed" bash -c "! grep -q sekrit '$T/err'"
"$VIGIL" show 1 --store "$T/db" >"$T/show.txt" 2>&1
check "good: show renders the trace" grep -q 'scripted' "$T/show.txt"

check "llm check: ok" "$VIGIL" llm check --config "$T/vigil.yaml"
start_server stream
check "llm check: streamed" "$VIGIL" llm check --config "$T/vigil.yaml" \
	--stream

# One broken answer is repaired; two fall back.
start_server repair
triage "$T/r.json"
check "repair: llm after one repair" test "$(field "$T/r.json" producer)" = llm
check "repair: two requests" test "$(requests)" = 2
start_server malformed
triage "$T/m.json"
check "malformed: deterministic" \
	test "$(field "$T/m.json" producer)" = deterministic
check "malformed: status invalid" test "$(field "$T/m.json" status)" = invalid
check "malformed: one repair only" test "$(requests)" = 2
check "malformed: verdict kept" test "$(field "$T/m.json" verdict)" = malicious
start_server wrong_schema
triage "$T/w.json"
check "wrong schema: deterministic" \
	test "$(field "$T/w.json" producer)" = deterministic

# 429 with Retry-After: waited for, then answered.
start_server rate_limit
t0=$(date +%s%N)
triage "$T/rl.json"
t1=$(date +%s%N)
check "429: llm in the end" test "$(field "$T/rl.json" producer)" = llm
check "429: Retry-After honoured (>= 1.9 s)" \
	test $(((t1 - t0) / 1000000)) -ge 1900

# 500: retried the configured number of times, then deterministic.
RETRIES=2 start_server error500
triage "$T/e.json"
check "500: deterministic" test "$(field "$T/e.json" status)" = http-error
check "500: 1 + 2 retries" test "$(requests)" = 3

# A slow model times out; the run stays bounded.
TIMEOUT_MS=800 RETRIES=0 start_server slow --delay 5
t0=$(date +%s%N)
triage "$T/s.json"
t1=$(date +%s%N)
check "slow: timeout" test "$(field "$T/s.json" status)" = timeout
# Under the 5 s the server would take: the 0.8 s timeout cut it short
# (the margin is for a loaded machine and the sanitizer build).
check "slow: bounded (< 4.5 s)" test $(((t1 - t0) / 1000000)) -lt 4500

RETRIES=1 start_server drop
triage "$T/d.json"
check "dropped: deterministic" \
	test "$(field "$T/d.json" producer)" = deterministic
check "dropped: retried once" test "$(requests)" = 2

# Endless tool calls end at the step limit (4 turns).
start_server loop
triage "$T/l.json"
check "loop: step limit" test "$(field "$T/l.json" status)" = step-limit
check "loop: 4 requests" test "$(requests)" = 4

start_server huge
triage "$T/h.json"
check "huge: too big" test "$(field "$T/h.json" status)" = too-big

# A server without structured output: asked again without it.
start_server noschema
triage "$T/n.json"
check "no schema: llm" test "$(field "$T/n.json" producer)" = llm
check "no schema: retried without response_format" python3 -c '
import json,sys
reqs=[json.loads(l)["body"] for l in open(sys.argv[1])]
sys.exit(0 if "response_format" in reqs[0] and
         "response_format" not in reqs[-1] else 1)' "$T/req.log"
stop_server

# Several triage processes on one store share one pseudonym map: the
# first ones race to create the map key, all of them add tokens.  From
# the server's log, each real value (paired through the store's copy of
# the incident) must have had one token, and each token one value.
P="$T/par"
mkdir -p "$P"
for _ in 1 2 3; do	# three runs: incidents 1, 4 and 7 are alike
	"$VIGIL" analyze -q --store "$P/db" "$T"/demo/*.log \
		"$T"/demo/*.json >/dev/null 2>&1 || fail "analyze --store"
done
ptriage() {	# ptriage INCIDENT...: all at once; prints the failures
	local pids=() bad=0
	for i in "$@"; do
		VIGIL_TEST_KEY=k "$VIGIL" triage "$i" --store "$P/db" \
			--config "$T/vigil.yaml" --format json \
			>"$P/t$i.json" 2>"$P/e$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	for i in "$@"; do
		[ "$(field "$P/t$i.json" producer 2>/dev/null)" = llm ] ||
			bad=$((bad + 1))
	done
	echo "$bad"
}
start_server good
check "parallel: 4 first triages on a fresh store all succeed" \
	test "$(ptriage 1 2 3 4)" = 0
check "parallel: 9 more at once all succeed" \
	test "$(ptriage 9 5 6 7 8 1 2 3 4)" = 0
check "parallel: one token per value, one value per token" \
	python3 - "$VIGIL" "$P/db" "$T/req.log" 9 <<'PY'
import json, re, subprocess, sys
vigil, store, log, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
TOK = re.compile(r"^(IP|USER|HOST|EMAIL|DOMAIN)(-[A-Z]+)?(\[[^]]*\])?-\d+$")
cases = {}
for i in range(1, n + 1):
    d = json.loads(subprocess.run([vigil, "show", str(i), "--store", store,
                                   "--format", "json"], check=True,
                                  capture_output=True, text=True).stdout)
    cases.setdefault((d["ts_first"], d["ts_last"], d["events"]),
                     d["entities"])
tok2val, val2tok, packs, bad = {}, {}, 0, []
for line in open(log):
    body = json.loads(line)["body"]
    user = [m for m in body["messages"] if m["role"] == "user"][0]
    text = user["content"]
    pack = json.loads(text[text.index("{"):text.rindex("}") + 1])
    pack = pack["incident_pack"]
    inc = pack["incident"]
    ents = cases.get((inc["first"], inc["last"], inc["events"]))
    if ents is None:
        bad.append("no stored incident like %r" % (inc,))
        continue
    packs += 1
    j = 0
    for e in pack["entities"]:	# the pack keeps the store's order
        while j < len(ents) and (ents[j]["type"] != e["type"] or
                                 ents[j].get("events") != e.get("events")):
            j += 1
        if j == len(ents):
            bad.append("%s %s pairs with nothing stored" %
                       (e["type"], e["value"]))
            break
        real, tok = ents[j]["value"], e["value"]
        j += 1
        if not TOK.match(tok):
            continue
        if tok2val.setdefault(tok, real) != real:
            bad.append("%s means %s and %s" % (tok, tok2val[tok], real))
        if val2tok.setdefault(real, tok) != tok:
            bad.append("%s is %s and %s" % (real, val2tok[real], tok))
for b in sorted(set(bad)):
    print(b)
print("%d packs, %d tokens" % (packs, len(tok2val)))
sys.exit(1 if bad or packs < 13 or len(tok2val) < 8 else 0)
PY
stop_server

# A base_url with credentials in it is refused, naming the line, and
# the credentials are not printed (they would have been sent too).
printf 'model: m\nbase_url: http://admin:pw@127.0.0.1:1/v1?token=abc\n' \
	>"$T/cred.yaml"
"$VIGIL" llm check --config "$T/cred.yaml" >"$T/cred.out" 2>&1
check "base_url: credentials refused at their line" \
	grep -q 'cred.yaml:2: base_url: must not hold a user name' "$T/cred.out"
# The file's own name is taken out first: the random part of the test's
# directory may spell "pw" or "abc" by chance.
check "base_url: credentials not printed" \
	bash -c "! sed 's|$T/cred.yaml||g' '$T/cred.out' | grep -qE 'pw|abc|admin'"
printf 'privacy: pseudonymise\nmodel: m\nprivacy: off\n' >"$T/dup.yaml"
"$VIGIL" triage 1 --store "$T/db" --config "$T/dup.yaml" >"$T/dup.out" 2>&1
check "config: privacy twice is an error at the second" \
	grep -q 'dup.yaml:3: privacy: duplicate key' "$T/dup.out"

# No model at all: deterministic, and said so.
"$VIGIL" triage 1 --store "$T/db" --no-model >"$T/nm.txt" 2>&1
check "no model: says so" grep -q '(deterministic: --no-model)' "$T/nm.txt"
finish
