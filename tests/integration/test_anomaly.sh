#!/bin/bash
# The anomaly subcommands on logs of our own: embed writes the documented
# binary layout and CSV, similar ranks the right template first, the plot
# is an SVG with labels, analyze --baseline saves a state that a later run
# reuses, and anomaly-only incidents stay informational.
. "$(dirname "$0")/lib.sh"

base="$T/base.log"
new="$T/new.log"
for i in $(seq 1 200); do
	h=$((i % 24))
	printf 'Mar  1 %02d:00:%02d web1 sshd[%d]: Accepted publickey for alice from 10.0.0.%d port %d ssh2\n' \
		"$h" $((i % 60)) $((1000 + i)) $((i % 9)) $((40000 + i))
	printf 'Mar  1 %02d:00:%02d web1 sshd[%d]: Connection closed by 10.0.0.%d port %d\n' \
		"$h" $((i % 60)) $((1000 + i)) $((i % 9)) $((40000 + i))
done > "$base"
{
	echo 'Mar  2 10:00:00 web1 sshd[3001]: Accepted publickey for alice from 10.0.0.1 port 50000 ssh2'
	echo 'Mar  2 10:00:01 web1 kernel: segfault at 0 ip 00007f0a sp 00007ffd error 4 in libc.so'
	echo 'Mar  2 10:00:02 web1 sshd[3002]: Accepted publickey for mallory from 198.51.100.9 port 50001 ssh2'
} > "$new"

"$VIGIL" embed -o "$T/e.bin" "$base"
check "embed binary exits 0" [ $? -eq 0 ]
check "binary size is header + 400 records of 16 + 256*4 bytes" \
	[ "$(stat -c %s "$T/e.bin")" -eq $((24 + 400 * (16 + 1024))) ]
check "binary magic" [ "$(head -c 8 "$T/e.bin")" = "VGEMBED1" ]
"$VIGIL" embed --templates --dim 512 -f csv -o "$T/t.csv" "$base"
check "csv has 513 columns of vectors plus id and count" \
	[ "$(head -1 "$T/t.csv" | tr ',' '\n' | wc -l)" -eq 514 ]
check "csv has one row per template" [ "$(wc -l < "$T/t.csv")" -eq 3 ]

out=$("$VIGIL" similar --top 1 'Connection closed by 1.2.3.4 port 9' "$base")
check "similar ranks the closing template first" \
	grep -q 'Connection closed by <\*> port <\*>' <<< "$out"
out=$("$VIGIL" similar --top 1 --event "$base:1" "$base")
check "similar --event takes the file's line" \
	grep -q 'Accepted publickey' <<< "$out"

"$VIGIL" embed --plot "$T/p.svg" "$base" "$new"
check "plot is an SVG" grep -q '</svg>' "$T/p.svg"
check "plot labels a cluster by its template" \
	grep -q 'Accepted publickey for alice from &lt;\*&gt;' "$T/p.svg"
check "plot counts each template's lines once (200 closed)" \
	grep -q 'Connection closed by &lt;\*&gt; port &lt;\*&gt; (200)' \
	"$T/p.svg"

# Writing the event vectors too must not count the lines twice.
"$VIGIL" embed -o "$T/both.bin" --plot "$T/both.svg" "$base"
check "embed -o with --plot: the plot's counts as --plot alone" \
	grep -q 'Connection closed by &lt;\*&gt; port &lt;\*&gt; (200)' \
	"$T/both.svg"
check "embed -o with --plot: the vectors are still written" \
	[ "$(stat -c %s "$T/both.bin")" -eq $((24 + 400 * (16 + 1024))) ]

"$VIGIL" analyze --quiet --format json -o "$T/r1.json" \
	--baseline "$base" --anomaly-state "$T/state" "$new"
check "analyze --baseline exits 0" [ $? -eq 0 ]
check "state saved" [ -s "$T/state" ]
check "new template reported with its nearest" \
	grep -q 'template never seen in' "$T/r1.json"
check "first-seen user on host reported" \
	grep -q 'anomaly.pair.user_host' "$T/r1.json"
check "first-seen source network reported" \
	grep -q 'anomaly.pair.network_service' "$T/r1.json"
check "anomaly-only incidents are informational" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = [i["score"] for i in r["incidents"]]
sys.exit(0 if s and max(s) < 20 else 1)' "$T/r1.json"

"$VIGIL" analyze --quiet --format json -o "$T/r2.json" \
	--anomaly-state "$T/state" "$new"
check "a later run reuses the saved state" \
	grep -q 'template never seen in' "$T/r2.json"
"$VIGIL" analyze --quiet --format json -o "$T/r3.json" \
	--no-anomaly --anomaly-state "$T/state" "$new"
check "--no-anomaly turns it off" \
	bash -c "! grep -q 'anomaly:' '$T/r3.json'"
printf 'garbage' > "$T/bad"
"$VIGIL" analyze --quiet --anomaly-state "$T/bad" "$new" 2> "$T/err"
check "a bad state is refused with a message" \
	grep -q 'anomaly state' "$T/err"

check "a bad state: no doubled prefix" bash -c "! grep -q 'state: state' '$T/err'"

# Usage errors say why; an unreadable input is an exit 1.
"$VIGIL" embed --dim 13 "$new" 2> "$T/err"
check "embed --dim 13: exit 2 and why" \
	bash -c "[ $? -eq 2 ] && grep -q -- '--dim is a number' '$T/err'"
"$VIGIL" embed "$new" 2> "$T/err" >/dev/null
check "embed without -o says where the vectors go" \
	grep -q 'say where the vectors go' "$T/err"
"$VIGIL" similar 'x y' "$T/no-such-file" >/dev/null 2>"$T/err"
check "similar over a missing file: exit 1 (got $?)" [ $? -eq 1 ]
"$VIGIL" embed --plot "$T/p.svg" --baseline-state "$T/bad" "$new" \
	>/dev/null 2>"$T/err"
check "embed with a bad baseline state: exit 1" [ $? -eq 1 ]

if [ -r "$DATASETS/loghub/BGL/BGL_2k.log_structured.csv" ]; then
	out=$("$VIGIL" eval anomalies "$DATASETS/loghub")
	check "eval anomalies prints BGL" grep -q '^BGL_2k' <<< "$out"
else
	echo "SKIP: loghub BGL absent; eval anomalies not run"
fi
finish
