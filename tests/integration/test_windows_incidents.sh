#!/usr/bin/env bash
# vigil analyze on a small Windows scenario (flat EventData JSON lines:
# Sysmon 1 and 10, System 7045, Security 4769; Security 4625 and 4624 in
# logons.jsonl; a Cowrie honeypot in cowrie.json) and on a Linux auth log:
# the evidence lines of Windows records are summaries of their salient
# fields, and "What to do next" fits the platform each incident came from.
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents
WIN=$T/windows.txt
LNX=$T/linux.txt
BOTH=$T/both.txt

"$VIGIL" analyze --no-default-rules -r "$FIX/rules" "$FIX/windows.jsonl" \
	>"$WIN" 2>"$T/win.err"
check "windows: analyze exits 0" test $? -eq 0
"$VIGIL" analyze --year 2024 "$FIX/auth.log" >"$LNX" 2>"$T/lnx.err"
check "linux: analyze exits 0" test $? -eq 0
"$VIGIL" analyze --year 2024 -r "$FIX/rules" "$FIX/windows.jsonl" \
	"$FIX/auth.log" >"$BOTH" 2>"$T/both.err"
check "both: analyze exits 0" test $? -eq 0

# The explanation is wrapped: phrases are looked for with lines joined.
flat() {
	tr '\n' ' ' <"$1" | tr -s ' '
}
has() {		# has FILE TEXT: the report holds TEXT
	flat "$1" | grep -qF -- "$2"
}
lacks() {
	! flat "$1" | grep -qF -- "$2"
}

# Evidence: a summary of the fields that matter, not raw JSON.
check "sysmon 10 summary" has "$WIN" \
	"Sysmon 10 | SourceImage=C:\\Users\\eve\\AppData\\Local\\Temp\\procdump64.exe | TargetImage=C:\\Windows\\system32\\lsass.exe | GrantedAccess=0x1fffff"
check "system 7045 summary" has "$WIN" \
	"System 7045 | ServiceName=updater | ImagePath=C:\\Windows\\Temp\\upd.exe"
check "security 4769 summary" has "$WIN" \
	"Security 4769 | TargetUserName=eve@CORP.TEST"
check "no raw JSON in text evidence" lacks "$WIN" '{"EventID"'
check "file name readable" grep -qF "windows.jsonl:2  Sysmon 10" "$WIN"

# Windows advice, per tactic.
check "privesc: process tree and session" has "$WIN" \
	"Review the process tree and logon session of eve on wks01.corp.test"
check "persistence: services, tasks, Run keys" has "$WIN" \
	"new services (System 7045, Security 4697), scheduled tasks"
check "lsass: exposed accounts" has "$WIN" \
	"Treat the passwords and hashes of the accounts that logged on to wks01.corp.test"
check "lsass: protection" has "$WIN" "Check that LSASS is protected"
check "kerberoasting: service accounts" has "$WIN" \
	"service accounts whose Kerberos tickets were requested"
check "kerberoasting is no golden ticket" lacks "$WIN" "krbtgt"
check "mapped IPv4 source is the internal IPv4 host" has "$WIN" \
	"Investigate the internal host 10.1.2.3:"
check "where it was seen" has "$WIN" \
	"Seen in the Windows event logs of wks01.corp.test"
for s in "sudo" "rate-limit SSH" "cron jobs" "authorized_keys"; do
	check "windows report without '$s'" lacks "$WIN" "$s"
done

# Linux advice as it always was, and nothing of Windows.
check "linux: reset and keys" has "$LNX" \
	"Reset the password of deploy, end its sessions and check its authorized_keys."
check "linux: sudo" has "$LNX" "Review sudo activity of user deploy on bastion."
check "linux: persistence" has "$LNX" \
	"Look for new accounts, keys, services and cron jobs."
for s in "Sysmon" "Security 4624" "LSASS" "Windows event logs"; do
	check "linux report without '$s'" lacks "$LNX" "$s"
done

# Both inputs in one run: each incident keeps its own advice.
check "both: windows advice" has "$BOTH" "Check that LSASS is protected"
check "both: linux advice" has "$BOTH" "Review sudo activity of user deploy"

# Windows logons count as logins: 12 failed 4625, then a 4624 from the
# same address is a success after failures, told in Windows terms.
"$VIGIL" analyze --no-default-rules -r "$FIX/rules" "$FIX/logons.jsonl" \
	>"$T/logons.txt" 2>/dev/null
check "logons: failures and the success counted" has "$T/logons.txt" \
	"source.ip 198.51.100.23: failed logins 12, logins 1, users tried 1"
check "logons: told as Windows logons" has "$T/logons.txt" \
	"198.51.100.23 failed 12 Windows logons (1 account tried) and logged in successfully 1 time"
check "logons: the success bonus" has "$T/logons.txt" \
	"+20 for a successful login after failures"
check "logons: end the logon sessions" has "$T/logons.txt" \
	"Reset the password of svc_backup, end its logon sessions"
check "logons: no SSH advice" lacks "$T/logons.txt" "authorized_keys"
check "logons: no SSH wording" lacks "$T/logons.txt" "SSH"

# A honeypot's accepted login is no account to reset.
"$VIGIL" analyze "$FIX/cowrie.json" >"$T/cowrie.txt" 2>/dev/null
check "honeypot: a login the honeypot let in" has "$T/cowrie.txt" \
	"The honeypot let the source in as root"
check "honeypot: no password reset" lacks "$T/cowrie.txt" \
	"Reset the password of root"

# JSON: the raw record stays, the summary and platforms are added.
"$VIGIL" analyze --format json --no-default-rules -r "$FIX/rules" \
	"$FIX/windows.jsonl" >"$T/win.json" 2>/dev/null
check "json: summary, raw text and platforms" python3 - "$T/win.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ev = [e for i in doc["incidents"] for e in i["evidence"]]
assert ev and all(e["summary"].startswith(("Sysmon ", "System ",
                                           "Security ")) for e in ev)
assert all(e["text"].startswith("{") for e in ev)
assert all(i["platforms"] == ["windows"] for i in doc["incidents"])
PY
"$VIGIL" analyze --format json --year 2024 "$FIX/auth.log" \
	>"$T/lnx.json" 2>/dev/null
check "json: linux has no summary" python3 - "$T/lnx.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert all("summary" not in e for i in doc["incidents"]
           for e in i["evidence"])
# The brute force is a correlation: its evidence text alone is "other".
assert "linux" in doc["incidents"][0]["platforms"]
assert "windows" not in doc["incidents"][0]["platforms"]
PY

# A correlation over Winlogbeat records longer than an evidence copy
# holds (agent, host and log keys first): its evidence still names the
# account and the address, from the record's own fields.
python3 - "$T/big.json" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(20):
        f.write(json.dumps({
            "@timestamp": "2024-03-05T10:00:%02d.000Z" % i,
            "agent": {"name": "WS01", "id": "a" * 36, "type": "winlogbeat",
                      "version": "8.12.0", "ephemeral_id": "b" * 36},
            "host": {"name": "ws01.corp.test", "os": {"family": "windows",
                     "name": "Windows Server 2019", "build": "17763.1"}},
            "log": {"level": "information", "file": {"path": "x" * 200}},
            "message": "An account failed to log on. " + "z" * 300,
            "winlog": {"channel": "Security", "event_id": "4625",
                       "computer_name": "ws01.corp.test",
                       "provider_name":
                           "Microsoft-Windows-Security-Auditing",
                       "event_data": {"TargetUserName": "administrator",
                                      "IpAddress": "203.0.113.9",
                                      "WorkstationName": "KALI",
                                      "LogonType": "3"}}}) + "\n")
PY
"$VIGIL" analyze --no-default-rules -r "$SRCDIR/rules/windows" \
	"$T/big.json" >"$T/big.txt" 2>"$T/big.err"
check "big records: a correlation fires" has "$T/big.txt" \
	"Many failed logons for one account"
check "big records: its evidence names the address" has "$T/big.txt" \
	"Security 4625 | TargetUserName=administrator | IpAddress=203.0.113.9"

# Without -r, Windows input gets a note that only vigil's rules ran.
"$VIGIL" analyze "$FIX/windows.jsonl" >/dev/null 2>"$T/note.err"
check "no -r: the community rules are suggested" \
	grep -q "Windows events were matched with vigil's own rules only" \
	"$T/note.err"
check "with -r: no such note" \
	bash -c "! grep -q 'own rules only' '$T/win.err'"
# Without any rule (--no-default-rules, no -r) nothing was matched.
"$VIGIL" analyze --no-default-rules "$FIX/windows.jsonl" >/dev/null \
	2>"$T/none.err"
check "no rules at all: no note of vigil's own rules" \
	bash -c "! grep -q 'own rules only' '$T/none.err'"

# A Windows record is not a web request: text shaped like a request line
# inside one (here a command line) gives no url.pattern to link on.
mkdir -p "$T/reqrule"
cat >"$T/reqrule/r.yml" <<'EOF2'
title: Command line holding a request line
id: 5f2d7c1e-0b1a-4c55-9d0e-3a6f1e2b7c90
status: test
level: medium
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains: 'GET /a?b='
    condition: selection
tags:
    - attack.execution
references:
    - https://example.org/a/very/long/path/to/a/write-up/of/command-lines-that-carry-request-lines/and-why-they-are-no-web-requests/at-all/as-seen-in-the-process-creation-events-of-a-windows-host.html#section-two
EOF2
for h in 1 2; do
	printf '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws%s.corp.test","UtcTime":"2024-03-0%s 10:00:00.000","Image":"C:\\\\Windows\\\\System32\\\\curl.exe","CommandLine":"curl.exe \\"GET /a?b=1%s HTTP/1.1\\"","User":"CORP\\\\u%s"}\n' \
		"$h" "$h" "$h" "$h"
done >"$T/req.jsonl"
"$VIGIL" analyze --no-default-rules -r "$T/reqrule" --format json \
	"$T/req.jsonl" >"$T/req.json" 2>"$T/req.err"
check "request-shaped command lines: two alerts" \
	python3 -c "import json,sys; sys.exit(json.load(open('$T/req.json'))['stats']['alerts'] != 2)"
check "request-shaped command lines: no url.pattern entity" \
	bash -c "! grep -q 'url.pattern' '$T/req.json'"
# A link is printed whole, in text and Markdown, however long.
LINK='https://example.org/a/very/long/path/to/a/write-up/of/command-lines-that-carry-request-lines/and-why-they-are-no-web-requests/at-all/as-seen-in-the-process-creation-events-of-a-windows-host.html#section-two'
for fmt in text md; do
	"$VIGIL" analyze --no-default-rules -r "$T/reqrule" --format "$fmt" \
		"$T/req.jsonl" >"$T/req.$fmt" 2>/dev/null
	check "read more: the whole link ($fmt)" grep -qF -- "$LINK" \
		"$T/req.$fmt"
done

# An older Sysmon's registry event carries no User: it is the user of the
# process that wrote it (its Sysmon 1), so the value planted and the
# program started by the elevated one are one incident of that user.
mkdir -p "$T/uacrule"
cat >"$T/uacrule/r.yml" <<'EOF2'
title: Shell open command planted
logsource: {product: windows, category: registry_set}
detection:
    selection:
        TargetObject|endswith: '\Shell\open\command\(Default)'
    condition: selection
level: medium
tags: [attack.privilege-escalation, attack.t1548.002]
---
title: Shell started by an auto-elevating program
logsource: {product: windows, category: process_creation}
detection:
    selection:
        ParentImage|endswith: '\WSReset.exe'
    condition: selection
level: high
tags: [attack.privilege-escalation, attack.t1548.002]
EOF2
S='"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws9.corp.test"'
cat >"$T/uac.jsonl" <<EOF2
{"EventID":1,$S,"TimeCreated":"2024-03-01T10:00:00Z","ProcessGuid":"{5e1f0c2a-0001-6630-0a00-000000000f00}","Image":"C:\\\\Windows\\\\System32\\\\reg.exe","User":"CORP\\\\eve"}
{"EventID":13,$S,"TimeCreated":"2024-03-01T10:00:01Z","ProcessGuid":"{5e1f0c2a-0001-6630-0a00-000000000f00}","Image":"C:\\\\Windows\\\\System32\\\\reg.exe","TargetObject":"HKU\\\\S-1-5-21-1_Classes\\\\ms-settings\\\\Shell\\\\open\\\\command\\\\(Default)"}
{"EventID":1,$S,"TimeCreated":"2024-03-01T10:00:20Z","ProcessGuid":"{5e1f0c2a-0001-6630-0b00-000000000f00}","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","ParentImage":"C:\\\\Windows\\\\System32\\\\WSReset.exe","User":"CORP\\\\eve"}
EOF2
"$VIGIL" analyze --no-default-rules -r "$T/uacrule" --format json \
	"$T/uac.jsonl" >"$T/uac.json" 2>"$T/uac.err"
check "older Sysmon registry event: two alerts, one incident of eve" \
	python3 -c "
import json, sys
d = json.load(open('$T/uac.json'))
inc = d['incidents']
sys.exit(not (d['stats']['alerts'] == 2 and len(inc) == 1 and
	any(e['type'] == 'user.name' and e['value'] == 'eve'
	    for e in inc[0]['entities'])))"

finish
