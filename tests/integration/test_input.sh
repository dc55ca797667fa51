#!/bin/bash
# What the user hands vigil analyze: EVTX files cut short, the same file
# twice, directories with a trailing slash, empty or holding nothing
# readable, and standard input; each told once, clearly, by its name.
. "$(dirname "$0")/lib.sh"

# count FILE PATTERN: how many lines match.
count() {
	grep -c -- "$2" "$1"
}

# ------------------------------------------------------ EVTX cut short

evtx_cut() {
	local big f n
	big=$(ls -S "$DATASETS"/evtx-attack-samples/*/*.evtx 2>/dev/null |
		head -1)
	if [ -z "$big" ]; then
		echo "SKIP: EVTX cut checks: no EVTX sample under $DATASETS"
		return
	fi
	f="$T/cut.evtx"

	head -c 100000 "$big" >"$f"
	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$f"
	check "a cut EVTX file is still analysed (rc=$rc)" [ $rc -eq 0 ]
	check "the cut is named with its file and chunk" \
		has "$T/err" "cut.evtx.* msg=\"chunk 1: file is cut short 30368 bytes"
	check "the cut says the records before it were read" \
		has "$T/err" "records before it were read"
	check "the cut is counted as bad" has "$T/out" " 1 bad;"
	n=$(sed -n 's/.* bytes, \([0-9]*\) records.*/\1/p' "$T/out")
	check "the cut chunk's complete records are read ($n > 44)" \
		[ "${n:-0}" -gt 44 ]

	run rules test "$SRCDIR/rules/windows" "$f"
	check "rules test tells the cut too" \
		has "$T/err" "cut.evtx: chunk 1: file is cut short"

	head -c 3000 "$big" >"$f"
	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$f"
	check "a cut inside the file header is named" \
		has "$T/err" "cut.evtx msg=\"file is cut short inside its 4096-byte"
	check "a cut header is counted as bad" has "$T/out" " 1 bad;"

	# Standard input and gzip streams are read chunk by chunk, as the
	# file is: the same records, the same cut.
	records() { sed -n 's/.* bytes, \([0-9]*\) records.*/\1/p' "$1"; }
	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$big"
	n=$(records "$T/out")
	"$VIGIL" analyze --no-default-rules -r "$SRCDIR/rules/windows" - \
		<"$big" >"$T/out" 2>"$T/err"
	check "EVTX on standard input: every record read ($(records "$T/out") = $n)" \
		[ "$(records "$T/out")" = "$n" ]
	check "EVTX on standard input: no refusal" hasnt "$T/err" "skipped"
	cat "$big" | "$VIGIL" analyze -F evtx - >"$T/out" 2>"$T/err"
	check "EVTX through a pipe, forced: every record read" \
		[ "$(records "$T/out")" = "$n" ]
	gzip -c "$big" >"$T/big.evtx.gz"
	run analyze "$T/big.evtx.gz"
	check "a gzip-compressed EVTX file: every record read" \
		[ "$(records "$T/out")" = "$n" ]
	head -c 100000 "$big" | "$VIGIL" analyze - >"$T/out" 2>"$T/err"
	check "a cut EVTX on standard input: the cut named as <stdin>" \
		has "$T/err" "src=<stdin> msg=\"chunk 1: file is cut short 30368 bytes"

	head -c $((4096 + 65536)) "$big" >"$f"
	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$f"
	check "a cut at a chunk boundary is told by the file header" \
		has "$T/err" "cut.evtx msg=\"file header names .* chunks.*cut short"

	# Every other record's signature spoilt, then the cut: the cut is
	# told even after the cap on messages per file.
	python3 - "$big" "$f" <<'PY'
import sys
img = bytearray(open(sys.argv[1], "rb").read(100000))
at, n = 4096 + 512, 0
while True:
    at = img.find(b"**\0\0", at + 4, 4096 + 65536)
    if at < 0:
        break
    n += 1
    if n % 2:
        img[at] = ord("X")
open(sys.argv[2], "wb").write(img)
PY
	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$f"
	check "many damaged records: the cap is told" \
		has "$T/err" "more damaged records or chunks"
	check "many damaged records: the cut is still told" \
		has "$T/err" "cut.evtx.* msg=\"chunk 1: file is cut short"

	run analyze --no-default-rules -r "$SRCDIR/rules/windows" "$big"
	check "a whole EVTX file has no warning" hasnt "$T/err" "room=input"
	check "a whole EVTX file has 0 bad" has "$T/out" " 0 bad;"
}
evtx_cut

# ------------------------------------------------- the same file twice

mkdir -p "$T/logs/sub"
for i in 1 2 3 4 5 6; do
	printf 'Mar  1 10:00:0%d web01 sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2\n' \
		$i $((100 + i)) $((4000 + i))
done >"$T/logs/auth.log"
cp "$T/logs/auth.log" "$T/logs/sub/other.log"
cd "$T/logs" || exit 1

run analyze auth.log
once=$(cat "$T/out")
run analyze auth.log auth.log
check "a file given twice is read once" has "$T/out" " 6 records,"
check "the report is the same as for the file once" \
	[ "$(cat "$T/out" | sed 's/[0-9.]* s$//')" = \
	  "$(echo "$once" | sed 's/[0-9.]* s$//')" ]
check "a file given twice is said once" \
	[ "$(count "$T/err" 'src=auth.log msg="given twice; read once"')" = 1 ]

run analyze auth.log auth.log auth.log
check "three times is counted" has "$T/err" "given 3 times; read once"

run analyze "$T/logs" "$T/logs/sub/other.log"
check "a directory and a file in it read each file once" \
	has "$T/out" " 12 records,"
check "the file inside the directory is named" \
	has "$T/err" "src=$T/logs/sub/other.log msg=\"given twice"

run analyze "$T/logs" "$T/logs" "$T/logs/"
check "a directory given twice is walked once" has "$T/out" " 12 records,"
check "and said once, not file by file" \
	[ "$(count "$T/err" 'given twice')" = 1 ]
check "another name of it is told the first" \
	has "$T/err" "src=$T/logs/ msg=\"the same directory as $T/logs; read once"

run analyze sub/other.log ./sub/other.log
check "two names of one file read it once" has "$T/out" " 6 records,"
check "the second name is told the first" \
	has "$T/err" 'src=./sub/other.log msg="the same file as sub/other.log'

run analyze -q auth.log auth.log
check "--quiet says nothing of a repeat" hasnt "$T/err" "given twice"

"$VIGIL" analyze - - <auth.log >"$T/out" 2>"$T/err"
check "standard input given twice is read once" has "$T/out" " 6 records,"
check "standard input twice is said as <stdin>" \
	has "$T/err" 'src=<stdin> msg="given twice'

# The other commands that read logs take their files as analyze does.
cat >"$T/failed.yml" <<'EOF'
title: Failed SSH password
id: 3f0c6f4e-8a52-4c1e-9d47-2b6f1c0e5a91
status: test
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'Failed password'
    condition: keywords
level: low
EOF
run rules test "$T/failed.yml" auth.log auth.log
check "rules test: a file given twice is tested once" has "$T/out" "^hits: 6$"
check "rules test: and said once" \
	[ "$(count "$T/err" 'auth.log: given twice; read once')" = 1 ]
"$VIGIL" rules test "$T/failed.yml" - - <auth.log >"$T/out" 2>"$T/err"
check "rules test: standard input twice is read once" \
	has "$T/out" "^hits: 6$"
check "rules test: said as <stdin>" has "$T/err" '<stdin>: given twice'
run templates auth.log ./auth.log
check "templates: two names of a file are mined once" \
	has "$T/out" " 6  Failed password"
check "templates: the second name is told the first" \
	has "$T/err" 'templates: ./auth.log: the same file as auth.log'
run templates "$T/logs"
check "templates: a directory is walked (rc=$rc)" \
	has "$T/out" " 12  Failed password"
"$VIGIL" templates - - <auth.log >"$T/out" 2>"$T/err"
check "templates: standard input twice is mined once" \
	has "$T/out" " 6  Failed password"
run embed -f csv -o "$T/v.csv" "$T/logs" auth.log
check "embed: a directory is walked, a file in it named again once" \
	[ "$(grep -c '^[0-9a-f]' "$T/v.csv")" = 12 ]
"$VIGIL" embed -f csv -o "$T/v.csv" - - <auth.log >"$T/out" 2>"$T/err"
check "embed: standard input twice is embedded once" \
	[ "$(grep -c '^[0-9a-f]' "$T/v.csv")" = 6 ]
run similar "Failed password for admin" "$T/logs"
check "similar: a directory is walked (rc=$rc)" \
	has "$T/out" "Failed password"
run similar "Failed password" auth.log "$T/logs/nothing-here"
check "similar: a missing log beside a readable one is said (rc=$rc)" \
	[ $rc -eq 0 ]
run similar "Failed password" "$T/logs/nothing-here"
check "similar: no readable log fails (rc=$rc)" [ $rc -eq 1 ]
run templates "$T/logs/nothing-here"
check "templates: a path that is not there fails (rc=$rc)" [ $rc -eq 1 ]

# An output that names an input is refused before anything is written.
cp auth.log "$T/victim.log"
gzip -c auth.log >"$T/victim.log.gz"
for out in "$T/victim.log" "$T/victim.log.gz"; do
	run analyze -q -o "$out" "$out"
	check "-o naming its input '$out' is refused (rc=$rc)" [ $rc -eq 2 ]
	check "and says why" has "$T/err" "is one of the inputs"
done
check "the input is untouched" cmp -s auth.log "$T/victim.log"
check "the gzip input is untouched" \
	[ "$(gzip -dc "$T/victim.log.gz" | cmp - auth.log && echo same)" ]
run analyze -q -o "$T/logs/sub/other.log" "$T/logs"
check "-o naming a file inside an input directory is refused (rc=$rc)" \
	[ $rc -eq 2 ]
check "the file inside is untouched" cmp -s auth.log "$T/logs/sub/other.log"
"$VIGIL" analyze -q -o "$T/victim.log" - <"$T/victim.log" >"$T/out" \
	2>"$T/err"
check "-o naming the file standard input reads is refused" \
	has "$T/err" "is one of the inputs"
run embed -o "$T/victim.log" "$T/victim.log"
check "embed -o naming its input is refused (rc=$rc)" [ $rc -eq 2 ]
run embed -o "$T/both.out" --plot "$T/both.out" auth.log
check "embed -o and --plot naming one file is refused (rc=$rc)" [ $rc -eq 2 ]
run embed --plot "$T/victim.log" "$T/victim.log"
check "embed --plot naming its input is refused (rc=$rc)" [ $rc -eq 2 ]
check "the input is still untouched" cmp -s auth.log "$T/victim.log"
# Nor may it name the store, a baseline, a rule file or the anomaly state.
"$VIGIL" analyze -q --store "$T/o.db" auth.log >/dev/null 2>&1
cp "$T/o.db" "$T/o.db.orig"
run analyze -q --store "$T/o.db" -o "$T/o.db" auth.log
check "-o naming the store is refused (rc=$rc)" [ $rc -eq 2 ]
check "and says it is the store's" has "$T/err" "is the store's own file"
check "the store is untouched" cmp -s "$T/o.db" "$T/o.db.orig"
run analyze -q --baseline "$T/victim.log" -o "$T/victim.log" auth.log
check "-o naming a --baseline log is refused (rc=$rc)" [ $rc -eq 2 ]
check "and says it is a baseline" has "$T/err" "is a --baseline log"
mkdir -p "$T/orules"
cp "$SRCDIR/rules/linux/ssh_brute_force.yml" "$T/orules/"
run analyze -q -r "$T/orules" -o "$T/orules/ssh_brute_force.yml" auth.log
check "-o naming a rule file is refused (rc=$rc)" [ $rc -eq 2 ]
check "the rule is untouched" \
	cmp -s "$SRCDIR/rules/linux/ssh_brute_force.yml" \
	"$T/orules/ssh_brute_force.yml"
run analyze -q --store "$T/new.db" -o "$T/new.db" auth.log
check "-o naming a store not made yet is refused (rc=$rc)" [ $rc -eq 2 ]
check "and nothing is made" [ ! -e "$T/new.db" ]
run analyze -q --store "$T/o.db" -o "$T/./o.db-wal" auth.log
check "-o naming the store's journal is refused (rc=$rc)" [ $rc -eq 2 ]
run analyze -q --anomaly-state "$T/new.state" -o "$T/new.state" auth.log
check "-o naming an anomaly state not made yet is refused (rc=$rc)" \
	[ $rc -eq 2 ]
printf 'state' >"$T/o.state"
run analyze -q --anomaly-state "$T/o.state" -o "$T/o.state" auth.log
check "-o naming the anomaly state is refused (rc=$rc)" [ $rc -eq 2 ]
check "the victim is still untouched" cmp -s auth.log "$T/victim.log"
run analyze -q -o "$T/report.txt" auth.log
check "an -o beside the inputs is written (rc=$rc)" has "$T/report.txt" "6 records"
cd "$T" || exit 1

# ------------------------------------------------------ trailing slash

printf 'nothing a decoder knows\n' >"$T/logs/sub/notes.txt"
for d in "$T/logs/" "$T/logs//"; do
	run analyze --format json -o "$T/r.json" "$d"
	check "'$d': file names have no doubled slash" \
		hasnt "$T/err" "$T/logs//"
	check "'$d': the file inside is named once with one slash" \
		has "$T/err" "src=$T/logs/sub/notes.txt "
	check "'$d': evidence has no doubled slash" hasnt "$T/r.json" "logs//"
done

# ------------------------------------------- standard input, one name

head -c 4096 /dev/zero | tr '\0' '\1' >"$T/bin"
"$VIGIL" analyze - <"$T/bin" >"$T/out" 2>"$T/err"
check "rejected standard input is <stdin>" \
	has "$T/err" 'src=<stdin> msg="binary data'
"$VIGIL" analyze -F evtx - <"$T/bin" >"$T/out" 2>"$T/err"
check "standard input forced as EVTX that is none: said as <stdin>" \
	has "$T/err" 'src=<stdin> msg="not an EVTX file'
{ cat "$T/logs/auth.log"; printf 'Mar  1 10:00:09 web01 app: a\xff\n'; } |
	"$VIGIL" analyze --format json -o "$T/r.json" - >"$T/out" 2>"$T/err"
check "a damaged line of standard input is <stdin>" \
	has "$T/err" 'src=<stdin> line=7 '
check "evidence from standard input is <stdin>" has "$T/r.json" '"<stdin>'
check "standard input is never '-' in a message" \
	hasnt "$T/err" 'msg="-:\|src=- '
printf 'Mar  1 10:00:00 h app: ok\nFeb 30 10:00:09 h app: a\xff\n' \
	>"$T/twice.log"
"$VIGIL" analyze --format json -o "$T/twice.json" "$T/twice.log" \
	>"$T/out" 2>"$T/err"
check "bad UTF-8 and a bad date: both told" \
	[ "$(count "$T/err" "src=$T/twice.log line=2 ")" -eq 2 ]
check "bad UTF-8 and a bad date: one damaged record" \
	has "$T/twice.json" '"bad_records":1[,}]'

# ---------------------------------------- directories with nothing in it

mkdir -p "$T/empty/sub/deeper"
run analyze "$T/empty"
check "an empty directory exits 1 (rc=$rc)" [ $rc -eq 1 ]
check "an empty directory is named" \
	has "$T/err" "src=$T/empty msg=\"no files in it\""
check "then nothing could be read" has "$T/err" "no input could be read"
run analyze "$T/empty/" "$T/logs/auth.log"
check "an empty directory beside a log: the log is analysed (rc=$rc)" \
	[ $rc -eq 0 ]
check "the empty directory is named beside it" \
	has "$T/err" "src=$T/empty/ msg=\"no files in it\""
check "and counted as skipped" has "$T/out" "inputs 1 (skipped 1)"
run analyze -q "$T/empty"
check "--quiet: no word of it" hasnt "$T/err" "no files in it"

# A FIFO and a file its reader may not open: a message for each.
special_checks() {
	local d as=() v=$VIGIL rules=$SRCDIR/rules/linux
	d=$(mktemp -d /tmp/vigil-test-input-perm.XXXXXX) || return
	chmod 755 "$d"
	mkdir "$d/logs"
	mkfifo "$d/logs/pipe"
	cp "$T/logs/auth.log" "$d/logs/secret.log"
	chmod 000 "$d/logs/secret.log"
	if [ "$(id -u)" = 0 ]; then
		# Root reads any file: run as nobody, from copies it can reach.
		if ! setpriv --reuid=nobody --regid="$(id -g nobody)" \
			--clear-groups true 2>/dev/null; then
			echo "SKIP: unreadable-file check: root without setpriv"
			rm -rf "$d"
			return
		fi
		as=(setpriv --reuid=nobody --regid="$(id -g nobody)"
		    --clear-groups)
		cp "$VIGIL" "$d/vigil"
		cp -r "$rules" "$d/rules"
		# The log source map beside the rules (their ../data): the
		# source tree may be in a directory nobody cannot enter.
		cp -r "$SRCDIR/data" "$d/data"
		chmod -R a+rX "$d/vigil" "$d/rules" "$d/data"
		v=$d/vigil
		rules=$d/rules
	fi
	"${as[@]}" "$v" analyze --no-default-rules -r "$rules" "$d/logs" \
		>"$T/out" 2>"$T/err"
	rc=$?
	check "FIFO and unreadable file only: exit 1, no crash (rc=$rc)" \
		[ $rc -eq 1 ]
	check "the FIFO is named" \
		has "$T/err" "src=$d/logs/pipe msg=\"not a regular file; skipped"
	check "the unreadable file is named with the reason" \
		has "$T/err" "src=$d/logs/secret.log msg=\"cannot open: Permission denied"
	check "then nothing could be read" has "$T/err" "no input could be read"
	rm -rf "$d"
}
special_checks

# A record wider than an event's field table is said, with its file and
# line, and counted as bad; the record itself is still analysed.
python3 -c '
import json
d = {"EventID": 1, "Channel": "Application"}
d.update(("F%d" % i, str(i)) for i in range(300))
print(json.dumps({"EventID": 2, "Channel": "Application"}))
print(json.dumps(d))' >"$T/wide.json"
"$VIGIL" analyze "$T/wide.json" >"$T/wide.out" 2>"$T/wide.err"
check "a too wide record: exit 0" [ $? -eq 0 ]
check "a too wide record is named with file and line" has "$T/wide.err" \
	"src=$T/wide.json line=2 msg=\"record has more fields than an event"
check "a too wide record counts as bad, and both are read" \
	has "$T/wide.out" "2 records, 2 decoded, 0 raw, 1 bad"

# A Winlogbeat 8 record of the Sysmon module (about 110 fields with its
# ECS copies) keeps every event_data item: a rule on them fires.
cat >"$T/wlb.yml" <<'EOF'
title: whoami from cmd
id: 3f2a9c71-5b8e-4d06-a1f4-6e7d8c9b0a12
logsource: {product: windows, category: process_creation}
detection:
  s:
    Image|endswith: '\cmd.exe'
    CommandLine|contains: whoami
    ProcessId: '6120'
  condition: s
EOF
"$VIGIL" rules test "$T/wlb.yml" \
	"$SRCDIR/tests/integration/fixtures/json/winlogbeat8_sysmon_process.json" \
	>"$T/wlb.out" 2>&1
check "Winlogbeat 8 Sysmon record: the rule fires" has "$T/wlb.out" "hits: 1"
check "Winlogbeat 8 Sysmon record: nothing dropped" \
	bash -c "! grep -q 'more fields' '$T/wlb.out'"

# rules test names the first ten too wide records, then counts the rest.
for i in $(seq 13); do sed -n 2p "$T/wide.json"; done >"$T/wide13.json"
"$VIGIL" rules test "$T/wlb.yml" "$T/wide13.json" >/dev/null 2>"$T/w13.err"
check "rules test: ten too wide records named" \
	[ "$(grep -c 'wide13.json:[0-9]*: record has more fields' "$T/w13.err")" \
	  -eq 10 ]
check "rules test: the other three counted" \
	has "$T/w13.err" "3 more records had more fields than an event holds"

# --year is the first line's year; a New Year in the file still moves
# it on, whatever the file's modification time says.
stamps() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["stats"]
print(d["ts_first"][:19], d["ts_last"][:19])' "$1"
}
{ printf 'Dec 31 23:59:58 web01 sshd[1]: Server listening on :: port 22.\n'
  printf 'Jan  1 00:00:01 web01 sshd[1]: Server listening on :: port 22.\n'
  printf 'Mar  2 10:00:00 web01 sshd[1]: Server listening on :: port 22.\n'
  printf 'Dec 30 09:00:00 web01 sshd[1]: Server listening on :: port 22.\n'
  printf 'Jan  2 09:00:00 web01 sshd[1]: Server listening on :: port 22.\n'
} >"$T/rot.log"
touch -d '2024-06-01 12:00:00' "$T/rot.log"
"$VIGIL" analyze --year 2020 --format json -o "$T/rot.json" "$T/rot.log" \
	2>"$T/err"
check "--year across New Year: time runs forward" \
	[ "$(stamps "$T/rot.json")" = \
	  "2020-12-31T23:59:58 2022-01-02T09:00:00" ]
{ printf '2020-06-01T10:00:00Z web01 a: iso with its own year\n'
  printf 'Dec 31 23:59:58 web01 a: x\n'
  printf '2020-06-01T10:00:00 web01 a: back to June, zone-less\n'
  printf 'Jan  1 00:00:01 web01 a: y\n'
  printf '2019-03-01T10:00:00 web01 a: another year, zone-less\n'
  printf 'Jan  1 00:00:02 web01 a: z\n'
} >"$T/mixed.log"
"$VIGIL" analyze --year 2020 --format json -o "$T/mixed.json" \
	"$T/mixed.log" 2>"$T/err"
check "--year: a stamp with its own year moves no year on" \
	[ "$(stamps "$T/mixed.json")" = \
	  "2019-03-01T10:00:00 2021-01-01T00:00:02" ]

# gzip on a pipe has no compressed offset: the bytes read are still told.
printf 'Mar  1 10:00:00 h sshd[1]: Failed password for root from 203.0.113.5 port 22 ssh2\n' |
	gzip -c | "$VIGIL" analyze --format json - >"$T/gzpipe.json" 2>/dev/null
check "gzip on a pipe: bytes read counted" python3 -c "
import json, sys
sys.exit(0 if json.load(open('$T/gzpipe.json'))['stats']['bytes'] > 0 else 1)"

# Warnings name their file and line as src= and line=, a cut gzip stream
# too, and count in the singular when there is one.
python3 -c '
for i in range(3000):
    print("Mar  1 10:%02d:%02d h sshd[%d]: Failed password for root from "
          "203.0.113.%d port %d ssh2" % (i // 60 % 60, i % 60, 1000 + i,
                                         i % 250 + 1, 1024 + i))' |
	gzip -c | head -c 20000 >"$T/cut.log.gz"
"$VIGIL" analyze "$T/cut.log.gz" >/dev/null 2>"$T/cut.err"
check "a cut gzip stream: src= and line=, the message alone" grep -qE \
	'^level=warn room=input src=[^ ]*cut\.log\.gz line=[0-9]+ msg="gzip' \
	"$T/cut.err"
printf 'no known format\n' >"$T/one.txt"
"$VIGIL" analyze "$T/one.txt" >/dev/null 2>"$T/one.err"
check "one record kept raw, in the singular" \
	grep -q '; 1 record kept raw"' "$T/one.err"
printf '%s\n' '{"EventID": 4624, "Channel": "Security", "Computer": "w1",'\
' "TimeCreated_SystemTime": "2024-03-01T10:00:00Z"}' >"$T/one.jsonl"
"$VIGIL" analyze "$T/one.jsonl" >/dev/null 2>"$T/win.err"
check "one Windows event, in the singular" \
	grep -q '^vigil: 1 Windows event was matched' "$T/win.err"

finish
