#!/bin/sh
# Per-incident triage overhead (vigil's own time, model latency excluded)
# and evidence pack size, for small incidents (the demo day) and very
# large ones (--bytes mode: weeks of brute force folded into few
# incidents).  Deterministic run and a run against the scripted model
# server answering at once, so that what is measured is vigil.
#
#   sh bench/triage.sh BUILD_DIR [BYTES]
set -eu
build=${1:-build}
bytes=${2:-100000000}
src=$(cd "$(dirname "$0")/.." && pwd)
t=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$t"' EXIT
srv=""

python3 "$src/tests/integration/llm_server.py" --mode notools \
	--port-file "$t/port" &
srv=$!
while [ ! -s "$t/port" ]; do sleep 0.05; done
printf 'base_url: http://127.0.0.1:%s/v1\nmodel: scripted\n' \
	"$(cat "$t/port")" >"$t/vigil.yaml"

measure() {	# measure NAME DIR
	"$build/vigil" analyze -q --store "$t/$1.db" "$2"/*.log \
		$(ls "$2"/*.json 2>/dev/null) >/dev/null 2>&1
	for mode in deterministic model; do
		if [ $mode = model ]; then
			flags="--config $t/vigil.yaml"
		else
			flags="--no-model"
		fi
		# shellcheck disable=SC2086
		"$build/vigil" triage --all --store "$t/$1.db" $flags \
			--format json >"$t/$1.$mode.json"
		python3 - "$1" "$mode" "$t/$1.$mode.json" "$t/$1.db" <<'PY'
import json, sqlite3, sys
name, mode, path, db = sys.argv[1:]
rs = json.load(open(path))
ev = {r[0]: r[1] for r in sqlite3.connect(db).execute(
    "SELECT id, events FROM incidents")}
for r in rs:
    print(f"| {name} | {mode} | {r['incident']} | {ev.get(r['incident'], 0)} "
          f"| {r['overhead_us'] / 1000:.2f} | {r['pack_bytes']} "
          f"| {r['pack_tokens']} |")
PY
	done
}

# One very large incident: 300,000 failed logins from one address with
# 30,000 user names, then a success and sudo.
huge() {
	mkdir -p "$t/huge"
	python3 - "$t/huge/auth.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(300000):
        s = i // 60
        f.write(f"Mar 10 {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d} "
                f"bastion sshd[{1000 + i}]: Failed password for invalid user "
                f"u{i % 30000} from 203.0.113.9 port {1024 + i % 60000} ssh2\n")
    f.write("Mar 10 23:59:58 bastion sshd[9]: Accepted password for deploy "
            "from 203.0.113.9 port 4242 ssh2\n")
    f.write("Mar 10 23:59:59 bastion sudo:   deploy : TTY=pts/1 ; PWD=/ ; "
            "USER=root ; COMMAND=/usr/bin/su -\n")
PY
}

{
"$build/vigil-demo-gen" "$t/small" >/dev/null 2>&1
measure small "$t/small"
"$build/vigil-demo-gen" "$t/large" --bytes "$bytes" >/dev/null 2>&1
measure large "$t/large"
huge
measure huge "$t/huge"
} >"$t/rows"
cat "$t/rows" >&2
echo "| set | triage | incidents | events, largest | overhead ms, mean | overhead ms, max | pack tokens, max |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
python3 - "$t/rows" <<'PY'
import sys
sets = {}
for line in open(sys.argv[1]):
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    sets.setdefault((c[0], c[1]), []).append(
        (int(c[3]), float(c[4]), int(c[6])))
for (name, mode), rs in sets.items():
    ov = [r[1] for r in rs]
    print(f"| {name} | {mode} | {len(rs)} | {max(r[0] for r in rs)} "
          f"| {sum(ov) / len(ov):.2f} | {max(ov):.2f} "
          f"| {max(r[2] for r in rs)} |")
PY
