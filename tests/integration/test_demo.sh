#!/bin/bash
# The bundled demo: the generator's own ground truth (DIR/README) must be
# what the report shows: a handful of incidents, the intrusion first, with
# every attacker address, the compromised and the created account, and
# the exact failed-password counts per attacker.
. "$(dirname "$0")/lib.sh"

: "${VIGIL_DEMO_GEN:?}"
"$VIGIL_DEMO_GEN" "$T/demo" 2>/dev/null
check "demo generated" [ -s "$T/demo/auth.log" ]
logs=("$T"/demo/*.log "$T"/demo/*.json)

"$VIGIL" analyze --quiet --format json -o "$T/r.json" "${logs[@]}"
check "analyze exits 0" [ $? -eq 0 ]
check "report is valid and cites real lines" \
	python3 "$SRCDIR/tests/integration/check_report.py" \
	"$SRCDIR/docs/vigil-report.schema.json" "$T/r.json"

# Independent figures: failed passwords per attacker, counted with awk.
awk '/sshd\[[0-9]+\]: Failed password for/ {
	for (i = 1; i <= NF; i++) if ($i == "from") print $(i + 1) }' \
	"$T/demo/auth.log" | sort | uniq -c >"$T/failed.txt"

python3 - "$T/r.json" "$T/failed.txt" "$T/demo/README" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
failed = {ip: int(n) for n, ip in
          (l.split() for l in open(sys.argv[2]) if l.strip())}
readme = open(sys.argv[3]).read()
attackers = sorted(set(re.findall(r"(203\.0\.113\.\d+)\s+\d+\s+attacker",
                                  readme)))
bad = []
incs = doc["incidents"]
if not 2 <= len(incs) <= 6:
    bad.append(f"{len(incs)} incidents, want a handful (2..6)")
if doc["stats"]["alerts"] < 5 * len(incs):
    bad.append("the incident count is not small against the alerts")
top = incs[0]
if top["severity"] != "critical":
    bad.append(f"intrusion is {top['severity']}, not critical")
ents = {(e["type"], e["value"]): e for e in top["entities"]}
for ip in attackers:
    e = ents.get(("source.ip", ip))
    if not e:
        bad.append(f"attacker {ip} not in the first incident")
        continue
    got = e["counters"]["login_failures"]
    if got != failed.get(ip):
        bad.append(f"{ip}: {got} failed logins, awk counts "
                   f"{failed.get(ip)}")
users = {v for (t, v) in ents if t in ("user.name", "user.target.name")}
for u in ("deploy", "sysupd"):
    if u not in users:
        bad.append(f"account {u} not in the first incident")
tactics = top["tactics"]
for t in ("credential_access", "initial_access", "privilege_escalation",
          "persistence"):
    if t not in tactics:
        bad.append(f"tactic {t} missing from the intrusion")
# Benign mistakes must not be an incident of their own.
for inc in incs[1:]:
    if "10.0.1.5" in json.dumps(inc["entities"]):
        bad.append("a mistyped password became an incident")
print("\n".join(bad) or "ground truth matches")
sys.exit(1 if bad else 0)
PY
check "the report matches the scenario's ground truth" [ $? -eq 0 ]

"$VIGIL" analyze --color never "${logs[@]}" >"$T/r.txt" 2>/dev/null
check "text report starts with the reduction line" \
	grep -qE '^[0-9]+ events -> [0-9]+ alerts -> [0-9]+ incidents' "$T/r.txt"
check "text report: intrusion first" \
	grep -m1 -E '^#1 \[[0-9]+ critical\]' "$T/r.txt"
check "no colour when not a terminal" bash -c "! grep -q $'\e\\[' '$T/r.txt'"
"$VIGIL" analyze --format md "${logs[@]}" >"$T/r.md" 2>/dev/null
check "markdown report has a heading per incident" grep -q '^## ' "$T/r.md"
"$VIGIL" analyze --min-severity critical --format json -o "$T/c.json" \
	"${logs[@]}" 2>/dev/null
check "--min-severity keeps only critical" python3 -c "
import json,sys; d=json.load(open('$T/c.json'))
sys.exit(0 if d['incidents'] and all(i['severity']=='critical'
         for i in d['incidents']) else 1)"

# gzip and stdin give the same incidents as plain files.
gzip -c "$T/demo/auth.log" >"$T/auth.log.gz"
"$VIGIL" analyze --quiet --format json -o "$T/gz.json" "$T/auth.log.gz"
cat "$T/demo/auth.log" | "$VIGIL" analyze --quiet --format json \
	-o "$T/stdin.json" -
check "gzip and stdin agree" python3 -c "
import json
a=json.load(open('$T/gz.json')); b=json.load(open('$T/stdin.json'))
t=lambda d:[(i['title'],i['score']) for i in d['incidents']]
import sys; sys.exit(0 if t(a)==t(b) and t(a) else 1)"
finish
