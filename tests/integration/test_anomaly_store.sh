#!/bin/bash
# The anomaly state in the store: `analyze --baseline --store` learns one
# part of a log and keeps the model in the store; a later `analyze
# --store` on another part reuses it and raises anomalies only for the
# behaviour the first part never showed; scoring leaves the model as it
# was; `vigil templates --store` keeps template ids stable across runs.
. "$(dirname "$0")/lib.sh"

store="$T/vigil.db"
base="$T/part1.log"
new="$T/part2.log"
for i in $(seq 1 240); do
	h=$((i % 24))
	printf 'Mar  1 %02d:%02d:00 web1 sshd[%d]: Accepted publickey for alice from 10.0.0.%d port %d ssh2\n' \
		"$h" $((i % 60)) $((1000 + i)) $((i % 9)) $((40000 + i))
	printf 'Mar  1 %02d:%02d:01 web1 sshd[%d]: Connection closed by 10.0.0.%d port %d\n' \
		"$h" $((i % 60)) $((1000 + i)) $((i % 9)) $((40000 + i))
	printf 'Mar  1 %02d:%02d:02 web1 CRON[%d]: (root) CMD (run-parts /etc/cron.hourly)\n' \
		"$h" $((i % 60)) $((2000 + i))
done > "$base"
# The second part: the same kinds at 10:00:00, 10:00:03 and later, and
# two new behaviours at 10:00:01 and 10:00:02 only.
{
	echo 'Mar  2 10:00:00 web1 sshd[3001]: Accepted publickey for alice from 10.0.0.1 port 50000 ssh2'
	echo 'Mar  2 10:00:01 web1 kernel: segfault at 0 ip 00007f0a sp 00007ffd error 4 in libc.so'
	echo 'Mar  2 10:00:02 web1 sshd[3002]: Accepted publickey for mallory from 198.51.100.9 port 50001 ssh2'
	echo 'Mar  2 10:00:03 web1 sshd[3003]: Connection closed by 10.0.0.4 port 50002'
	echo 'Mar  2 10:00:04 web1 CRON[3004]: (root) CMD (run-parts /etc/cron.hourly)'
	echo 'Mar  2 10:00:05 web1 sshd[3005]: Accepted publickey for alice from 10.0.0.7 port 50003 ssh2'
} > "$new"

# Which second-part times (HH:MM:SS) the report's anomaly alerts name.
anomaly_times() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = sorted({a["ts_first"][11:19] for a in r["alerts"]
            if a["rule"]["id"].startswith("anomaly.")})
print(" ".join(t))' "$1"
}

# Which anomaly rules the report's alerts come from.
anomaly_rules() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted({a["rule"]["id"] for a in r["alerts"]
                       if a["rule"]["id"].startswith("anomaly.")})))' "$1"
}

"$VIGIL" analyze --quiet --format json -o "$T/r0.json" --store "$store" \
	"$new"
check "a store without a model gives no anomaly alerts" \
	[ -z "$(anomaly_times "$T/r0.json")" ]

"$VIGIL" analyze --quiet --format json -o "$T/r1.json" --store "$store" \
	--baseline "$base" "$new"
check "analyze --baseline --store exits 0" [ $? -eq 0 ]
check "the learning run flags only the new behaviour" \
	[ "$(anomaly_times "$T/r1.json")" = "10:00:01 10:00:02" ]

"$VIGIL" analyze --quiet --format json -o "$T/r2.json" --store "$store" \
	"$new"
check "a later --store run reuses the model" \
	[ "$(anomaly_times "$T/r2.json")" = "10:00:01 10:00:02" ]
check "the reused model names the nearest known template" \
	grep -q 'nearest known template' "$T/r2.json"
"$VIGIL" analyze --quiet --format json -o "$T/r3.json" --store "$store" \
	"$new"
check "scoring does not teach the model: a third run flags the same" \
	[ "$(anomaly_times "$T/r3.json")" = "10:00:01 10:00:02" ]
"$VIGIL" analyze --quiet --format json -o "$T/r4.json" --store "$store" \
	--no-anomaly "$new"
check "--no-anomaly turns the stored model off" \
	[ -z "$(anomaly_times "$T/r4.json")" ]

# Learning more known-good logs adds to the stored model.
"$VIGIL" analyze --quiet --format json -o "$T/r5.json" --store "$store" \
	--baseline "$new" "$new"
check "a second baseline adds to the stored model: the kinds it taught are rare, not new" \
	[ "$(anomaly_rules "$T/r5.json")" = "anomaly.template.rare" ]

# --anomaly-state FILE comes before the store's model.
"$VIGIL" analyze --quiet -o /dev/null --anomaly-state "$T/state" \
	--baseline "$base" "$base"
"$VIGIL" analyze --quiet --format json -o "$T/r6.json" --store "$store" \
	--anomaly-state "$T/state" "$new"
check "--anomaly-state is read before the store" \
	[ "$(anomaly_times "$T/r6.json")" = "10:00:01 10:00:02" ]

cp "$store" "$T/copy.db"
printf 'garbage' > "$T/junk"
python3 - "$T/copy.db" "$T/junk" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE state SET blob = ? WHERE ns = 'anomaly'",
           (open(sys.argv[2], 'rb').read(),))
db.commit()
EOF
"$VIGIL" analyze --quiet -o /dev/null --store "$T/copy.db" "$new" \
	2> "$T/err"
check "a damaged stored model is refused with a message" \
	grep -q 'anomaly state' "$T/err"

# Template ids: learn on the first part, then mine the second on top.
"$VIGIL" templates --store "$store" -f csv "$base" > "$T/t1.csv"
check "templates --store exits 0" [ $? -eq 0 ]
"$VIGIL" templates --store "$store" -f csv "$new" > "$T/t2.csv"
ids1=$(tail -n +2 "$T/t1.csv" | cut -d, -f1 | sort)
ids2=$(tail -n +2 "$T/t2.csv" | cut -d, -f1 | sort)
check "the first run found templates" [ -n "$ids1" ]
check "every template id of the first run is kept by the second" \
	[ -z "$(comm -23 <(echo "$ids1") <(echo "$ids2"))" ]
check "the second run adds the new kinds" \
	[ "$(echo "$ids2" | wc -l)" -gt "$(echo "$ids1" | wc -l)" ]
check "counts add up across runs" \
	[ "$(tail -n +2 "$T/t2.csv" | awk -F, '{ n += $2 } END { print n }')" -eq 726 ]
"$VIGIL" templates --store "$store" --name other -f csv "$new" \
	> "$T/t3.csv"
check "--name keeps another list apart" \
	[ "$(tail -n +2 "$T/t3.csv" | awk -F, '{ n += $2 } END { print n }')" -eq 6 ]
finish
