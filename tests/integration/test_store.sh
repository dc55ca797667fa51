#!/bin/bash
# The store through the real binary: analyze the demo into a fresh store
# (twice: runs append, incidents keep their ids), show an incident, look
# into an attacker's address with figures checked against the JSON report
# and an awk count of the log, record feedback and read it back from the
# incident and from the audit log, which refuses changes.  Every command
# line parser rejects junk with status 2.
. "$(dirname "$0")/lib.sh"

: "${VIGIL_DEMO_GEN:?}"
python3 -c 'import sqlite3' 2>/dev/null || skip "python3 without sqlite3"
"$VIGIL_DEMO_GEN" "$T/demo" 2>/dev/null
check "demo generated" [ -s "$T/demo/auth.log" ]
logs=("$T"/demo/*.log "$T"/demo/*.json)
db="$T/store/vigil.db"
export HOME="$T/home" XDG_DATA_HOME= VIGIL_STORE=

"$VIGIL" analyze --quiet --format json -o "$T/r.json" --store "$db" \
	"${logs[@]}"
check "analyze --store exits 0" [ $? -eq 0 ]
check "store created, private" [ "$(stat -c %a "$db")" = 600 ]
"$VIGIL" analyze --quiet --format json -o "$T/r2.json" "${logs[@]}"
check "without --store nothing is written" [ ! -e "$HOME/.local" ]
"$VIGIL" analyze --store "$db" "${logs[@]}" >/dev/null 2>"$T/second.err"
check "second run appends" grep -q "stored run 2 in" "$T/second.err"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))
	["incidents"]))' "$T/r.json")

# The JSON report of a stored run leads to its incidents in the store.
for r in 1 2; do
	"$VIGIL" analyze --quiet --format json -o "$T/ids$r.json" \
		--store "$T/ids.db" "${logs[@]}"
done
python3 - "$T/ids1.json" "$T/ids2.json" "$T/ids.db" "$n" <<'PY' ||
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
db, n = sys.argv[3], int(sys.argv[4])
assert first["store"] == {"path": db, "run": 1}, first["store"]
assert second["store"] == {"path": db, "run": 2}, second["store"]
assert [i["stored_id"] for i in first["incidents"]] == \
    list(range(1, n + 1)), first["incidents"]
assert [i["stored_id"] for i in second["incidents"]] == \
    list(range(n + 1, 2 * n + 1)), second["incidents"]
PY
	fail "stored ids"
"$VIGIL" show --store "$T/ids.db" --format json $((n + 1)) >"$T/ids.show"
check "a stored run's report fits the schema" \
	python3 "$SRCDIR/tests/integration/check_report.py" \
	"$SRCDIR/docs/vigil-report.schema.json" "$T/ids2.json"
check "the stored id is the one show takes" python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["incidents"][0]
b = json.load(open(sys.argv[2]))
b = b["incidents"][0] if "incidents" in b else b.get("incident", b)
sys.exit(a["title"] != b["title"])' "$T/ids2.json" "$T/ids.show"
check "without --store the JSON has no stored ids" \
	bash -c "! grep -q 'stored_id\|\"store\"' '$T/r2.json'"

# A reader that stops early (a closed pipe) does not lose the run.
"$VIGIL" analyze --format json --store "$T/pipe.db" "${logs[@]}" \
	2>/dev/null | true
check "a run whose report met a closed pipe is stored" \
	"$VIGIL" show --store "$T/pipe.db" 1

"$VIGIL" show --store "$db" --format json 1 >"$T/show1.json"
check "show json exits 0" [ $? -eq 0 ]
"$VIGIL" show --store "$db" --format json $((n + 1)) >"$T/show2.json"
"$VIGIL" show --store "$db" 1 >"$T/show1.txt"
check "show text names the incident" grep -q '^#1 \[' "$T/show1.txt"
"$VIGIL" show --store "$db" --format md 1 >"$T/show1.md"
check "show md has a heading" grep -q '^## Incident 1:' "$T/show1.md"

# The attacker: the first source address of the first incident.
ip=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([e["value"] for e in d["incidents"][0]["entities"]
       if e["type"] == "source.ip"][0])' "$T/r.json")
"$VIGIL" investigate --store "$db" --type ip --format json "$ip" \
	>"$T/inv.json"
check "investigate exits 0" [ $? -eq 0 ]
"$VIGIL" investigate --store "$db" "$ip" >"$T/inv.txt"
check "investigate text shows peers" grep -q 'peers' "$T/inv.txt"
check "investigate text prints times as show does" grep -qE \
	'first seen [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC' "$T/inv.txt"
check "investigate text prints no RFC 3339 time" bash -c \
	"! grep -qE '[0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]+Z' '$T/inv.txt'"

awk -v ip="$ip" '/sshd\[[0-9]+\]: Failed password for/ {
	for (i = 1; i <= NF; i++) if ($i == "from" && $(i + 1) == ip) n++ }
	END { print n + 0 }' "$T/demo/auth.log" >"$T/awk.txt"

python3 - "$T/r.json" "$T/show1.json" "$T/show2.json" "$T/inv.json" \
	"$ip" "$(cat "$T/awk.txt")" "$n" <<'PY' || fail "figures"
import json, sys
rep, s1, s2, inv = (json.load(open(p)) for p in sys.argv[1:5])
ip, awk_failed, n = sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append(f"{what}: got {got!r}, expected {exp!r}")
r1 = rep["incidents"][0]
want("title", s1["title"], r1["title"])
want("score", s1["score"], r1["score"])
want("severity", s1["severity"], r1["severity"])
want("techniques", s1["techniques"], r1["techniques"])
want("evidence lines", [(e["file"], e["line"]) for e in s1["evidence"]],
     [(e["file"], e["line"]) for e in r1["evidence"]])
want("entities", [(e["type"], e["value"]) for e in s1["entities"]],
     [(e["type"], e["value"]) for e in r1["entities"]])
want("second run: previous id", s2["previous_id"], 1)
want("second run: rank", s2["rank"], 1)
ents = [e for e in inv["entity"]["entities"] if e["type"] == "source.ip"]
want("one entity", len(ents), 1)
e = ents[0]
counters = [x["counters"] for x in r1["entities"]
            if x["type"] == "source.ip" and x["value"] == ip][0]
for run in e["runs"]:
    for k in ("login_failures", "invalid_users", "requests", "events",
              "distinct_users", "ids_alerts"):
        want(f"run {run['run_id']} {k}", run.get(k, 0), counters[k])
want("failed passwords (awk) <= login_failures",
     awk_failed <= counters["login_failures"] and awk_failed > 0, True)
want("first seen", e["first_seen"], counters["first_seen"])
want("last seen", e["last_seen"], counters["last_seen"])
want("runs", len(e["runs"]), 2)
inc_ids = sorted(i["id"] for i in e["incidents"])
exp_ids = sorted(x["id"] for x in rep["incidents"]
                 if any(y["value"] == ip for y in x["entities"]))
want("incidents", inc_ids, exp_ids + [i + n for i in exp_ids])
recs = [a for a in rep["alerts"]
        if ip in [v for v in a.get("entities", {}).values()]] \
    if isinstance(rep["alerts"], list) else []
u = e["unusual"]
want("population counted", u["population"] >= 1, True)
lf = [c for c in u["counters"] if c["counter"] == "login_failures"]
want("login_failures ranked", len(lf), 1)
if lf:
    want("rank value", lf[0]["value"], counters["login_failures"])
    want("percentile in 0..100", 0 <= lf[0]["percentile"] <= 100, True)
evs = inv["events"]["entities"][0]["events"]
want("event lines cite the logs", all(x["line"] > 0 for x in evs), True)
want("some event lines", len(evs) > 0, True)
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
ok

# Feedback, then the incident and the audit log carry it.
USER=analyst1 "$VIGIL" feedback --store "$db" --note 'lab host; "quoted"' \
	1 false-positive >"$T/fb.txt"
check "feedback exits 0" [ $? -eq 0 ]
check "feedback confirms" grep -q 'incident 1: false-positive' "$T/fb.txt"
"$VIGIL" show --store "$db" --format json 1 >"$T/show1b.json"
python3 - "$T/show1b.json" "$db" <<'PY' || fail "feedback and audit"
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
f = d["feedback"]
assert len(f) == 1 and f[0]["verdict"] == "false-positive", f
assert f[0]["analyst"] == "analyst1" and f[0]["note"] == 'lab host; "quoted"'
db = sqlite3.connect(sys.argv[2])
rows = db.execute("SELECT actor, action, object, detail FROM audit_log "
                  "ORDER BY id").fetchall()
assert [r[1] for r in rows] == ["analyze", "analyze", "feedback"], rows
assert rows[2][0] == "analyst1" and rows[2][2] == "incident:1", rows[2]
assert json.loads(rows[2][3])["verdict"] == "false-positive"
for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
    try:
        db.execute(sql)
        db.commit()
    except sqlite3.DatabaseError as e:
        assert "append-only" in str(e), e
    else:
        sys.exit("audit log accepted: " + sql)
assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 3
PY
ok
"$VIGIL" feedback --store "$db" 999999 benign 2>"$T/fb.err"
check "feedback on a missing incident fails" [ $? -eq 1 ]
check "... and says so" grep -q 'no incident 999999' "$T/fb.err"

# The default path under the data directory.
mkdir -p "$T/xdg/vigil" && cp "$db" "$T/xdg/vigil/vigil.db"
XDG_DATA_HOME="$T/xdg" "$VIGIL" show 1 >/dev/null
check "XDG_DATA_HOME default store" [ $? -eq 0 ]
"$VIGIL" show 1 2>"$T/nostore.err"
check "no store: status 1" [ $? -eq 1 ]
check "no store: says where" grep -q 'no store here' "$T/nostore.err"

# Junk on every command line: status 2, one clear line, no crash.
junk() {	# junk "what" command...
	what=$1
	shift
	"$@" >/dev/null 2>"$T/junk.err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q '^vigil' "$T/junk.err"; then
		fail "junk rejected: $what (status $rc)"
	else
		ok
	fi
}
for id in abc 0 -5 +5 1x '' 99999999999999999999 '1 2' 0x10; do
	junk "show '$id'" "$VIGIL" show --store "$db" -- "$id"
	junk "feedback '$id'" "$VIGIL" feedback --store "$db" "$id" benign
done
junk "show two ids" "$VIGIL" show --store "$db" 1 2
junk "show no id" "$VIGIL" show --store "$db"
junk "show format" "$VIGIL" show --store "$db" --format xml 1
junk "show option" "$VIGIL" show --bogus 1
junk "investigate none" "$VIGIL" investigate --store "$db"
junk "investigate type" "$VIGIL" investigate --type planet x
junk "investigate limit 0" "$VIGIL" investigate --limit 0 x
junk "investigate limit junk" "$VIGIL" investigate --limit 5z x
junk "investigate limit big" "$VIGIL" investigate --limit 501 x
junk "investigate empty" "$VIGIL" investigate --store "$db" ''
junk "investigate long" "$VIGIL" investigate "$(printf 'a%.0s' {1..300})"
junk "feedback verdict" "$VIGIL" feedback --store "$db" 1 evil
junk "feedback no verdict" "$VIGIL" feedback --store "$db" 1
junk "feedback long note" "$VIGIL" feedback --store "$db" \
	--note "$(printf 'n%.0s' {1..5000})" 1 benign
junk "analyze --store without value" "$VIGIL" analyze --store
# How unusual, against every observed entity: the scanning, guessing
# attacker is extreme; an office address staff log in from is not, and
# it is in the store although no alert names it.
unusual() {	# unusual ADDRESS: "extreme-count population basis"
	"$VIGIL" investigate --store "$db" --type ip --format json "$1" |
	python3 -c 'import json,sys
u = json.load(sys.stdin)["entity"]["entities"][0]["unusual"]
print(sum(c.get("extreme", False) for c in u["counters"]),
      u["population"], u["basis"].replace(" ", "_"))'
}
read -r ext pop basis <<<"$(unusual 203.0.113.45)"
check "attacker weighed against all observed sources" \
	[ "$basis" = all_observed_entities ]
check "population is every source, not the stored few ($pop)" \
	[ "${pop:-0}" -gt 100 ]
check "attacker extreme on several counters ($ext)" [ "${ext:-0}" -ge 5 ]
read -r ext pop basis <<<"$(unusual 198.51.100.10)"
check "office address found and weighed" [ "$basis" = all_observed_entities ]
check "office address extreme on nothing ($ext)" [ "${ext:-1}" -eq 0 ]
"$VIGIL" investigate --store "$db" 203.0.113.45 >"$T/inv.txt"
check "text marks extreme counters" grep -q 'EXTREME' "$T/inv.txt"

# The audit chain: intact, then edited behind vigil's back (the owner
# drops the triggers), which verify finds.
"$VIGIL" audit verify --store "$db" >"$T/audit.txt"
check "audit verify: intact" [ $? -eq 0 ]
check "audit verify prints the head" grep -Eq 'head [0-9a-f]{64}$' \
	"$T/audit.txt"
head=$(grep -Eo '[0-9a-f]{64}$' "$T/audit.txt")
cp "$db" "$T/copy.db"
tamper() {	# tamper SQL: runs SQL on a fresh copy of the store
	cp "$T/copy.db" "$T/t.db"
	python3 - "$T/t.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("DROP TRIGGER audit_log_no_update;"
                "DROP TRIGGER audit_log_no_delete;" + sys.argv[2])
c.commit()
PY
	"$VIGIL" audit verify --store "$T/t.db" --expect "$head"
}
out=$(tamper "UPDATE audit_log SET actor = 'someone' WHERE id = 2")
check "changed row found: $out" [ $? -eq 1 ]
check "changed row named" grep -q 'row 2 does not match' <<<"$out"
out=$(tamper "DELETE FROM audit_log WHERE id = 2")
check "removed row found: $out" grep -q 'missing' <<<"$out"
out=$(tamper "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM
	audit_log)")
check "cut last row found: $out" grep -q 'cut from the end' <<<"$out"
out=$(tamper "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM
	audit_log); UPDATE sqlite_sequence SET seq = seq - 1 WHERE
	name = 'audit_log'")
check "cut row and sequence: only the head shows: $out" \
	grep -q 'recorded head' <<<"$out"
out=$(tamper "SELECT 1")
check "untouched copy verifies: $out" grep -q 'intact' <<<"$out"
junk "audit no command" "$VIGIL" audit --store "$db"
junk "audit short head" "$VIGIL" audit verify --store "$db" --expect ab

"$VIGIL" investigate --store "$db" 'no-such-entity' 2>/dev/null
check "unknown entity: status 1" [ $? -eq 1 ]


# investigate counts in the singular when there is one (a store of one
# run); its event lines list each file:line once though several alerts
# and both runs of $db cite it.
"$VIGIL" analyze --quiet --store "$T/show-db" "${logs[@]}" >"$T/an.txt"
"$VIGIL" investigate --store "$T/show-db" --type ip "$ip" >"$T/inv1.txt"
check "investigate of one incident says '1 incident'" \
	grep -q '^    [0-9]* alert records, 1 incident$' "$T/inv1.txt"
check "investigate: no '1 incidents' or '1 alert records'" \
	[ "$(grep -Ec '(^|[^0-9])1 (incidents|alert records)' \
	"$T/inv1.txt")" -eq 0 ]
"$VIGIL" investigate --store "$db" --type ip "$ip" >"$T/inv2.txt"
python3 - "$T/inv.json" >"$T/inv-dup.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["events"]
seen = [(x["file"], x["line"]) for e in d["entities"] for x in e["events"]]
print(len(seen) - len(set(seen)))
PY
check "the store holds lines cited twice (else the next check is idle)" \
	[ "$(cat "$T/inv-dup.txt")" -gt 0 ]
# An event line: "2026-03-01 10:00:00 UTC FILE:LINE  TEXT".
sed -n '/^  event lines/,$p' "$T/inv2.txt" | awk 'NR > 1 && $1 ~ /^20/ {
	print $4 }' | sort | uniq -d >"$T/inv-twice.txt"
check "investigate: each event line once" [ ! -s "$T/inv-twice.txt" ]

# show speaks as the report does: its counter names and its times.
"$VIGIL" show --store "$T/show-db" 1 >"$T/show-w.txt"
check "show: 'unknown-user attempts', as analyze says" \
	grep -q 'unknown-user attempts [0-9]' "$T/show-w.txt"
check "analyze says 'unknown-user attempts' too" \
	grep -q 'unknown-user attempts [0-9]' "$T/an.txt"
check "show: no 'invalid users'" \
	[ "$(grep -c 'invalid users' "$T/show-w.txt")" -eq 0 ]
span=$(grep -Eom1 '[0-9-]{10} [0-9:]{8} UTC \.\. [0-9-]{10} [0-9:]{8} UTC' \
	"$T/an.txt")
check "show: the incident's span as analyze prints it ($span)" \
	grep -qF "$span" <(sed -n 3p "$T/show-w.txt")
check "show: no ISO timestamps outside the log lines" \
	[ "$(sed '/^  evidence:/,/^  alert records:/d' "$T/show-w.txt" |
	grep -Ec '[0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}')" -eq 0 ]

# One of a thing is counted in the singular: a store of one sudo line,
# one event, one alert, one incident of one evidence line.
printf 'Mar  1 10:00:00 web1 sudo:   bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash\n' \
	>"$T/one.log"
"$VIGIL" analyze --store "$T/one.db" "$T/one.log" >"$T/one.txt" 2>/dev/null
check "analyze: '1 event -> 1 alert -> 1 incident'" \
	grep -q '^1 event -> 1 alert -> 1 incident ' "$T/one.txt"
"$VIGIL" triage 1 --no-model --store "$T/one.db" >"$T/one-tri.txt" 2>&1
check "triage: '1 evidence line'" \
	grep -Eq '^  pack: .*, 1 evidence line$' "$T/one-tri.txt"

# An incident keeps its strongest entities only (256): a brute force on
# root from 400 addresses names root in its alert records alone, and
# investigate must still count and list that incident as root's, as its
# alert rows say.
python3 - >"$T/dist.log" <<'PY'
for w in range(8):
    for k in range(5):
        for i in range(50):
            j = w * 50 + i
            print("Mar  1 %02d:%02d:%02d bastion sshd[%d]: Failed password "
                  "for root from 45.%d.%d.7 port %d ssh2"
                  % (w, k, i, 2000 + j, 10 + j // 200, j % 200, 40000 + j))
PY
"$VIGIL" analyze --quiet --store "$T/dist.db" "$T/dist.log" >/dev/null 2>&1
"$VIGIL" investigate --store "$T/dist.db" --type user root >"$T/dist.txt"
kept=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM "
    "incident_entities ie JOIN entities e ON e.id = ie.entity_id "
    "WHERE e.value = ?", ("root",)).fetchone()[0])' "$T/dist.db")
check "the incident names root in its records only ($kept; else idle)" \
	[ "$kept" = 0 ]
check "investigate root: its rows' incident counted" \
	grep -Eq '^    [0-9]+ alert records, 1 incident$' "$T/dist.txt"
check "investigate root: and listed" \
	grep -q '^    #1 \[[0-9]* [a-z]*\] .*distributed brute force' \
	"$T/dist.txt"
"$VIGIL" investigate --store "$T/dist.db" --type user --format json root |
	python3 -c 'import json, sys
e = json.load(sys.stdin)["entity"]["entities"][0]
rows = {a["incident_id"] for a in e["alerts"] if a["incident_id"]}
ids = {i["id"] for i in e["incidents"]}
sys.exit(0 if rows and rows <= ids and e["incident_count"] == len(ids)
         else 1)'
check "investigate root --format json: the rows' incidents are listed" \
	[ $? -eq 0 ]

# A --store that is no store fails first, under its own name, with no
# report and no analysis spent (the anomaly state used to meet it first).
printf 'not a database\n' >"$T/bad.db"
"$VIGIL" analyze --store "$T/bad.db" "${logs[@]}" >"$T/bad.out" 2>"$T/bad.err"
check "analyze --store on a non-store: exit 1" [ $? -eq 1 ]
check "analyze --store on a non-store: the store is named" \
	grep -q "bad.db: not a vigil store (file is not a database)" \
	"$T/bad.err"
check "analyze --store on a non-store: no report" [ ! -s "$T/bad.out" ]
check "analyze --store on a non-store: the file is left as it was" \
	grep -q '^not a database$' "$T/bad.db"
finish
