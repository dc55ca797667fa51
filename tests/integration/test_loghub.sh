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
check "Linux: every PAM brute forcer with its exact failures" \
	check_counts "$T/linux.json" "$T/pam.txt" pam_failures

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
