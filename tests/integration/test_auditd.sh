#!/usr/bin/env bash
# vigil on audit.log as auditd writes it: the format is sniffed, records
# become events of their own key names (arguments written in hex
# decoded, the enriched names after GS), auditd rules fire on them, and
# a record that cannot be read is named with its file and line while
# the rest is still read; an EXECVE record carries its SYSCALL's process;
# vigil's own audit rules see guessed logins and reverse shells.
. "$(dirname "$0")/lib.sh"

LOG=$SRCDIR/tests/integration/fixtures/auditd/audit.log
cat >"$T/r.yml" <<'EOR'
title: Netcat runs a shell for a remote address
id: 3b9f0d2e-6a41-4c8e-9f7a-2d5e8c1b4a60
logsource: {product: linux, service: auditd}
detection:
  s: {type: EXECVE, a0|endswith: nc, a1: '-e'}
  condition: s
level: high
tags: [attack.execution, attack.t1059.004]
---
title: base64 decodes a file
id: 8c2e4f1a-5b3d-4e6f-a7b8-9c0d1e2f3a4b
logsource: {product: linux, service: auditd}
detection:
  s: {type: EXECVE, a0: base64, a1: '-d', a2|contains: '/tmp/a b'}
  condition: s
level: medium
---
title: personality called
id: 1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d
logsource: {product: linux, service: auditd}
detection:
  s: {SYSCALL: personality}
  condition: s
level: low
EOR

"$VIGIL" analyze --no-default-rules -r "$T/r.yml" --format json \
	-o "$T/a.json" "$LOG" 2>"$T/a.err"
check "analyze exits 0" [ $? -eq 0 ]
check "every record read as auditd, the damaged one kept raw" python3 -c "
import json, sys
st = json.load(open('$T/a.json'))['stats']
sys.exit(not (st['per_format'].get('auditd') == 8 and
              st['decoded'] == 7 and st['raw'] == 1))"
check "three rules fire" python3 -c "
import json, sys
sys.exit(json.load(open('$T/a.json'))['stats']['alerts'] != 3)"
check "the damaged record is named with file and line" \
	grep -q "audit.log.*line=6\|audit.log:6" "$T/a.err"
"$VIGIL" rules test "$T/r.yml" "$LOG" >"$T/t.out" 2>&1
check "rules test: hex argument decoded (line 2)" \
	grep -q "audit.log:2: hit \[medium\] base64 decodes a file" "$T/t.out"
check "rules test: enriched SYSCALL name (line 5)" \
	grep -q "audit.log:5: hit \[low\] personality called" "$T/t.out"
check "rules test: netcat (line 8)" \
	grep -q "audit.log:8: hit \[high\] Netcat runs a shell" "$T/t.out"

cat >"$T/exe.yml" <<'EOR'
title: netcat binary runs a shell
id: 6f0e2d1c-3b4a-4c5d-8e9f-a0b1c2d3e4f5
logsource: {product: linux, service: auditd}
detection:
  s: {type: EXECVE, a1: '-e', exe|endswith: '/nc.openbsd', pid: 903}
  condition: s
level: high
EOR
"$VIGIL" rules test "$T/exe.yml" "$LOG" >"$T/exe.out" 2>&1
check "rules test: EXECVE given its SYSCALL's exe and pid (line 8)" \
	grep -q "audit.log:8: hit \[high\] netcat binary runs" "$T/exe.out"

# A raw record (log_format=RAW) names its call by number: the rule's
# enriched name SYSCALL=mknod is derived from syscall=133 on x86_64.
printf '%s\n' 'type=SYSCALL msg=audit(1709287210.000:4580): arch=c000003e syscall=133 success=yes exit=0 a0=7ffd a1=61b0 pid=990 auid=1000 uid=0 comm="mknod" exe="/usr/bin/mknod" key=(null)' \
	>"$T/raw.log"
cat >"$T/mknod.yml" <<'EOR'
title: mknod called
id: 0e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b
logsource: {product: linux, service: auditd}
detection:
  s: {type: SYSCALL, SYSCALL: mknod}
  condition: s
level: low
EOR
"$VIGIL" rules test "$T/mknod.yml" "$T/raw.log" >"$T/mknod.out" 2>&1
check "rules test: a raw record's call named from its number" \
	grep -q "raw.log:1: hit \[low\] mknod called" "$T/mknod.out"

# vigil's own rules on an intrusion in the audit log alone: six failed
# authentications from one address, its login and session, a sudo
# session of root inside it, three reverse shells and an ordinary
# command.
INTR=$SRCDIR/tests/integration/fixtures/auditd/intrusion.log
"$VIGIL" analyze --format json -o "$T/i.json" "$INTR" 2>"$T/i.err"
check "intrusion: analyze exits 0" [ $? -eq 0 ]
check "intrusion: guessing, the login after it, three shells" \
	python3 - "$T/i.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hits = {}
for a in d["alerts"]:
    t = a["rule"]["title"]
    hits[t] = hits.get(t, 0) + a["count"]
want = {"Repeated failed logins from one address (audit log)": 1,
        "Login after failed logins from the same address (audit log)": 1,
        "Reverse shell command run (audit log)": 3}
for t, n in want.items():
    assert hits.get(t) == n, (t, hits)
# The shells' records name the session's account (its login's PAM
# session, not sudo's root one): one incident with the login.
assert len(d["incidents"]) == 1, [i["title"] for i in d["incidents"]]
users = [e["value"] for e in d["incidents"][0]["entities"]
         if e["type"] == "user.name"]
assert users == ["bob"], users
PY
check "intrusion: says the community rules hold more" \
	grep -q "audit records were matched with vigil's own rules only" \
	"$T/i.err"
"$VIGIL" rules test "$SRCDIR/rules/linux/auditd_reverse_shell.yml" \
	"$INTR" >"$T/rs.out" 2>&1
check "reverse shells: bash /dev/tcp, nc -e, socat exec, not ls" \
	bash -c "[ \"\$(grep -o '^[^ ]*: hit' '$T/rs.out' |
		sed 's/.*log://; s/: hit//' | tr '\n' ' ')\" = '13 16 19 ' ]"

# Reverse shells and look-alikes, one EXECVE each: /dev/tcp both ways
# but not port probes, netcat and ncat given a shell, a named pipe to
# netcat, socat joining a stream to a shell but not to another program.
SH=$SRCDIR/tests/integration/fixtures/auditd/shells.log
"$VIGIL" rules test "$SRCDIR/rules/linux/auditd_reverse_shell.yml" \
	"$SH" >"$T/sh.out" 2>&1
check "reverse shells found, look-alikes not" \
	bash -c "[ \"\$(grep -o '^[^ ]*: hit' '$T/sh.out' |
		sed 's/.*log://; s/: hit//' | tr '\n' ' ')\" = '1 2 3 4 9 10 11 12 13 14 15 19 20 21 22 23 24 ' ]"
finish
