# Shared set-up for the tests that drive vigil against the scripted model
# server (llm_server.py); sourced after lib.sh, not run.  The server binds
# to a free loopback port and writes it to $T/port; it is stopped by its
# pid on exit.
command -v python3 >/dev/null || skip "python3 is not installed"
[ -x "${VIGIL_DEMO_GEN:-}" ] || skip "vigil-demo-gen not built"
SERVER="$SRCDIR/tests/integration/llm_server.py"
SRV=""
stop_server() {
	if [ -n "$SRV" ]; then
		kill "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null
	fi
	SRV=""
}
trap 'stop_server; rm -rf "$T"' EXIT

run_server() {	# run_server MODE [server args]: sets PORT, empties the log
	local mode=$1
	shift
	stop_server
	rm -f "$T/port" "$T/req.log"
	touch "$T/req.log"
	python3 "$SERVER" --mode "$mode" --port-file "$T/port" \
		--log "$T/req.log" "$@" &
	SRV=$!
	for _ in $(seq 200); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/port")
}

start_server() {	# start_server MODE [server args], then the config
	run_server "$@"
	cat >"$T/vigil.yaml" <<CFG
base_url: http://127.0.0.1:$PORT/v1
model: scripted
key_env: VIGIL_TEST_KEY
timeout_ms: ${TIMEOUT_MS:-5000}
retries: ${RETRIES:-2}
backoff_ms: 50
max_backoff_ms: 3000
step_limit: 4
CFG
}

requests() { wc -l <"$T/req.log"; }
field() {	# field FILE KEY: a key of the first result in vigil's JSON
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0][sys.argv[2]])' "$1" "$2"
}
