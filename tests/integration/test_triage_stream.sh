#!/bin/bash
# Streaming and concurrency of triage against the scripted server.
# --stream prints the model's answer as server-sent events bring it, then
# the verdict mapped back; --all keeps at most `concurrency` requests in
# flight (the server counts them), and with 3 it is faster than with 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"

start_server() {	# start_server MODE CONCURRENCY [server args]
	local mode=$1 conc=$2
	shift 2
	run_server "$mode" "$@"
	cat >"$T/vigil.yaml" <<CFG
base_url: http://127.0.0.1:$PORT/v1
model: scripted
timeout_ms: 5000
retries: 0
step_limit: 4
concurrency: $conc
CFG
}

peak() {	# the most requests the server had in flight at once
	python3 -c 'import json,sys
print(max([json.loads(l)["in_flight"] for l in open(sys.argv[1])] or [0]))' \
		"$T/req.log"
}

"$VIGIL_DEMO_GEN" "$T/demo" >/dev/null 2>&1
for _ in 1 2 3; do	# three runs: nine incidents
	"$VIGIL" analyze -q --store "$T/db" "$T"/demo/*.log "$T"/demo/*.json \
		>/dev/null 2>&1 || fail "analyze --store"
done

# --stream: the answer arrives in 7-byte pieces; vigil prints them as
# they come, then the verdict with the real addresses.
start_server stream 2
"$VIGIL" triage 1 --stream --store "$T/db" --config "$T/vigil.yaml" \
	>"$T/stream.txt" 2>"$T/stream.err"
check "stream: exits 0" [ $? -eq 0 ]
check "stream: the model's text printed" \
	grep -q '^model: {"verdict": "malicious"' "$T/stream.txt"
check "stream: then the verdict, by the model" \
	grep -q '^incident 1: malicious.*(by llm)' "$T/stream.txt"
check "stream: the request asked for a stream" python3 -c '
import json,sys
r=[json.loads(l)["body"] for l in open(sys.argv[1])]
sys.exit(0 if r and all(b.get("stream") is True for b in r) else 1)' \
	"$T/req.log"
check "stream: tokens in the streamed text, real values in the verdict" \
	bash -c "grep '^model:' '$T/stream.txt' | grep -q 'IP-PUB-' &&
		 grep '^  why:' '$T/stream.txt' | grep -q '203\.0\.113\.'"
"$VIGIL" triage --all --stream --store "$T/db" --config "$T/vigil.yaml" \
	>/dev/null 2>&1
check "stream with --all: usage error" [ $? -eq 2 ]

# Concurrency: a slow model (0.4 s per answer), nine incidents.
for conc in 1 3; do
	start_server slow "$conc" --delay 0.4
	t0=$(date +%s%N)
	"$VIGIL" triage --all --store "$T/db" --config "$T/vigil.yaml" \
		--format json >"$T/all$conc.json" 2>"$T/all$conc.err"
	rc=$?
	t1=$(date +%s%N)
	eval "ms$conc=$(( (t1 - t0) / 1000000 ))"
	check "concurrency $conc: exits 0" [ $rc -eq 0 ]
	check "concurrency $conc: nine model verdicts in id order" \
		python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
ids=[r["incident"] for r in d]
sys.exit(0 if ids == list(range(1, 10)) and
         all(r["producer"] == "llm" for r in d) else 1)' "$T/all$conc.json"
	p=$(peak)
	check "concurrency $conc: at most $conc in flight (peak $p)" \
		[ "$p" -le "$conc" ]
	# On a loaded machine the last slot may open late; more than one in
	# flight is what shows the requests overlap.
	check "concurrency $conc: requests overlap when allowed (peak $p)" \
		[ "$p" -ge $(( conc > 1 ? 2 : 1 )) ]
done
echo "triage --all of 9 incidents, 0.4 s model: ${ms1} ms with" \
	"concurrency 1, ${ms3} ms with 3"
check "concurrency 3 is faster than 1 (${ms3} vs ${ms1} ms)" \
	[ "$ms3" -lt "$ms1" ]
stop_server
finish
