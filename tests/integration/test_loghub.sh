#!/bin/bash
# Real logs (loghub): the brute-force sources and targeted accounts that
# are plainly in the logs appear in the incidents with the counts awk
# finds, and the incident count stays small.
. "$(dirname "$0")/lib.sh"
need_dataset loghub/OpenSSH/OpenSSH_2k.log
need_dataset loghub/Linux/Linux_2k.log

ssh="$DATASETS/loghub/OpenSSH/OpenSSH_2k.log"
linux="$DATASETS/loghub/Linux/Linux_2k.log"

"$VIGIL" analyze --quiet --format json -o "$T/ssh.json" "$ssh"
check "OpenSSH analyses" [ $? -eq 0 ]
check "OpenSSH report valid, evidence real" python3 \
	"$SRCDIR/tests/integration/check_report.py" \
	"$SRCDIR/docs/vigil-report.schema.json" "$T/ssh.json"
"$VIGIL" analyze --quiet --format json -o "$T/linux.json" "$linux"
check "Linux report valid, evidence real" python3 \
	"$SRCDIR/tests/integration/check_report.py" \
	"$SRCDIR/docs/vigil-report.schema.json" "$T/linux.json"

# Sources with 20 or more failed passwords (sshd) or pam_unix
# "authentication failure" lines with an rhost: each is a brute force.
# "message repeated N times: [ ... ]" stands for N such lines.
times='n = 1; if (match($0, /message repeated [0-9]+ times/)) {
	split(substr($0, RSTART, RLENGTH), w, " "); n = w[3] }'
tr -d '\r' <"$ssh" | awk "/Failed password for/ { $times
	for (i = 1; i <= NF; i++) if (\$i == \"from\") s[\$(i + 1)] += n }
	END { for (ip in s) if (s[ip] >= 20) print s[ip], ip }" >"$T/ssh.txt"
tr -d '\r' <"$linux" | awk '/authentication failure;/ {
	for (i = 1; i <= NF; i++) if ($i ~ /^rhost=./) print substr($i, 7) }' |
	sort | uniq -c | awk '$1 >= 10' >"$T/pam.txt"
check "awk found brute forcers in OpenSSH" [ -s "$T/ssh.txt" ]
check "awk found brute forcers in Linux" [ -s "$T/pam.txt" ]

check_counts() {	# report counts-file counter
	python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = {ip: int(n) for n, ip in
        (l.split() for l in open(sys.argv[2]) if l.strip())}
counter = sys.argv[3]
got = {}
for inc in doc["incidents"]:
    for e in inc["entities"]:
        if e["type"] in ("source.ip", "source.address"):
            got[e["value"]] = e["counters"][counter]
bad = [f"{ip}: want {n}, report has {got.get(ip)}"
       for ip, n in want.items() if got.get(ip) != n]
print("\n".join(bad) or f"{len(want)} sources with exact {counter}")
sys.exit(1 if bad else 0)
PY
}
check "OpenSSH: every brute forcer with its exact failures" \
	check_counts "$T/ssh.json" "$T/ssh.txt" login_failures
# An incident's counters cover its own hours and one either side
# (docs/scoring.md): each PAM brute forcer is in an incident, with the
# exact failures of those hours.
check_pam_window() {	# report log pam-list
	python3 - "$@" <<'PY'
import datetime as dt, json, re, sys
doc = json.load(open(sys.argv[1]))
want_ips = {l.split()[1] for l in open(sys.argv[3]) if l.strip()}
stamp = re.compile(r"^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) ")
fails = []
for line in open(sys.argv[2], errors="replace"):
    m = re.search(r"authentication failure;.*rhost=(\S+)", line)
    s = stamp.match(line)
    if m and s and m.group(1) in want_ips:
        fails.append((m.group(1), s.groups()))
def ts(iso):
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
seen, bad = set(), []
for inc in doc["incidents"]:
    t0, t1 = ts(inc["ts_first"]), ts(inc["ts_last"])
    lo, hi = int(t0.timestamp()) // 3600 - 1, int(t1.timestamp()) // 3600 + 1
    for e in inc["entities"]:
        ip = e["value"]
        if e["type"] not in ("source.ip", "source.address") or \
                ip not in want_ips:
            continue
        seen.add(ip)
        n = 0
        for who, (mon, day, hh, mm, ss) in fails:
            t = dt.datetime.strptime(f"{t0.year} {mon} {day} {hh}:{mm}:{ss}",
                                     "%Y %b %d %H:%M:%S")
            slot = int(t.replace(tzinfo=dt.timezone.utc).timestamp()) // 3600
            n += who == ip and lo <= slot <= hi
        got = e["counters"]["pam_failures"]
        if got != n:
            bad.append(f"{ip} in #{inc['id']}: want {n}, report has {got}")
bad += [f"{ip}: in no incident" for ip in want_ips - seen]
print("\n".join(bad) or f"{len(seen)} sources with exact failures")
sys.exit(1 if bad else 0)
PY
}
check "Linux: every PAM brute forcer with its exact failures in its hours" \
	check_pam_window "$T/linux.json" "$linux" "$T/pam.txt"

# The most targeted account in OpenSSH (root) is named with its failures.
root_fail=$(tr -d '\r' <"$ssh" | awk "/Failed password for root from/ {
	$times; s += n } END { print s }")
check "root's failures ($root_fail) counted" python3 -c "
import json,sys
d=json.load(open('$T/ssh.json'))
v=[e['counters']['login_failures'] for i in d['incidents']
   for e in i['entities'] if e['type']=='user.name' and e['value']=='root']
sys.exit(0 if v and v[0]==$root_fail else 1)"

check "incident count stays small" python3 -c "
import json,sys
for f in ('$T/ssh.json','$T/linux.json'):
    d=json.load(open(f)); n=len(d['incidents'])
    if n == 0 or n > 15: sys.exit(1)"

"$VIGIL" analyze --quiet --format json -o "$T/all.json" "$DATASETS/loghub"
check "the whole loghub folder analyses" [ $? -eq 0 ]
finish
