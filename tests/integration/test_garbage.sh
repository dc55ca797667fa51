#!/bin/bash
# Bad input of every kind, next to a good log: no crash, a clear message
# naming the file (and line), and the good log still analysed.
. "$(dirname "$0")/lib.sh"

good="$T/good/auth.log"
mkdir -p "$T/good" "$T/bad/sub"
for i in $(seq 1 30); do
	printf 'Mar  1 10:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.77 port %d ssh2\n' \
		$((i / 60)) $((i % 60)) $((1000 + i)) $((40000 + i))
done >"$good"

bad="$T/bad"
# Random bytes, the same every run (a seeded generator).
python3 -c 'import random, sys
r = random.Random(11)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(65536)))' \
	>"$bad/random.bin"
printf 'Mar  1 10:00:00 h sshd[1]: a\0b\0c\nMar  1 10:00:01 h x: ok\n' \
	>"$bad/nul.log"
printf 'Mar  1 10:00:00 h sshd[1]: bad \xff\xfe\xc0\xaf utf8\n' >"$bad/utf8.log"
{ printf 'Mar  1 10:00:00 h app: '; head -c 3000000 /dev/zero | tr '\0' A;
  printf '\nMar  1 10:00:01 h app: after\n'; } >"$bad/long.log"
seq 1 20000 | sed 's/^/Mar  1 10:00:00 h app: line /' | gzip -c \
	>"$T/full.gz"
head -c $(($(stat -c %s "$T/full.gz") / 2)) "$T/full.gz" >"$bad/cut.log.gz"
{ printf 'Mar  1 10:00:00 h sshd[1]: Server listening on :: port 22.\n'
  printf 'Feb 30 25:61:99 h sshd[1]: x\n2024-02-30T10:00:00Z h a: y\n'
  printf 'Mar  1 10:00:01 h sshd[1]: Server listening on :: port 22.\n'
  printf '99999-01-01T00:00:00Z h a: far\n<999>1 - - - - - -\n'
  printf 'Mar  1 10:00:02 h sshd[1]: Server listening on :: port 22.\n'
} >"$bad/time.log"
: >"$bad/empty.log"
printf '%s\n' '203.0.113.5 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"' \
	'203.0.113.5 - - [01/Jan/1970:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"' \
	>"$bad/epoch.log"
printf '{"event_type": "alert", "src_ip": \n{{{{\n[1,2\n' >"$bad/eve.json"
printf '\xfd7zXZ\0\0junk' >"$bad/x.log.xz"
ln -s "$T/nowhere" "$bad/dangling.log"
ln -s "$bad" "$bad/sub/loop"
mkfifo "$bad/fifo"

"$VIGIL" analyze --format json -o "$T/r.json" "$bad" "$good" 2>"$T/err"
rc=$?
check "exit 0 with bad inputs beside a good one (rc=$rc)" [ $rc -eq 0 ]
if [ $rc -gt 128 ]; then fail "crashed with signal $((rc - 128))"; fi

msg() { grep -q -- "$1" "$T/err" || { echo "--- stderr:"; cat "$T/err"; \
	return 1; }; }
check "binary file named"      msg "src=$bad/random.bin msg=\"binary data"
check "NUL line named"         msg "src=$bad/nul.log line=1 .*NUL"
check "bad UTF-8 named"        msg "src=$bad/utf8.log line=1 .*UTF-8"
check "long line named"        msg "src=$bad/long.log line=1 .*longer than"
check "truncated gzip named"   msg "cut.log.gz.*truncated"
check "xz named"               msg "x.log.xz.*xz"
check "dangling link named"    msg "dangling.log.*dangling"
check "loop not followed"      msg "loop.*not followed"
check "fifo skipped"           msg "fifo.*not a regular file"
check "bad JSON counted"       msg "eve.json.*kept raw"
check "impossible time named"  msg "src=$bad/time.log line=2 .*no real date"
check "1970 time named"        msg "src=$bad/epoch.log line=2 .*before 1990"

py() { python3 - "$T/r.json" "$@"; }

# Junk near the top of a log: the log is still read as what it is, the
# junk named by its line, the lines after it analysed.
sshd_lines() {	# sshd_lines FIRST COUNT
	local i
	for i in $(seq "$1" $(($1 + $2 - 1))); do
		printf 'Mar  1 %02d:%02d:%02d web02 sshd[%d]: Failed password for root from 198.51.100.9 port %d ssh2\n' \
			$((i / 3600)) $((i / 60 % 60)) $((i % 60)) \
			$((2000 + i)) $((30000 + i))
	done
}
# The junk is the same bytes every run (a seeded generator, no byte a
# line break): random bytes that began with one moved the first bad
# line.
junk() {
	python3 -c 'import random, sys
r = random.Random(7)
sys.stdout.buffer.write(bytes(r.choice([b for b in range(256) if b != 10])
                              for _ in range(5120)))'
}
{ sshd_lines 0 20; junk; printf '\n'; sshd_lines 20 1980; } \
	>"$T/junk3.log"
"$VIGIL" analyze --format json -o "$T/j.json" "$T/junk3.log" 2>"$T/err"
rc=$?
check "junk near the top: still analysed (rc=$rc)" [ $rc -eq 0 ]
check "junk near the top: the junk is named by its line" \
	msg "src=$T/junk3.log line=21 "
check "junk near the top: read as syslog" \
	msg "src=$T/junk3.log line=21 msg=\"[0-9]* of [0-9]* records not .* syslog"
check "junk near the top: the lines after it are analysed" \
	python3 - "$T/j.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ok = doc["stats"]["decoded"] >= 1990 and "198.51.100.9" in json.dumps(
    doc["incidents"])
sys.exit(0 if ok else 1)
PY

# What really is binary is skipped by name, src= out of the message.
printf 'LPKSHHRH\0\0\0\0\1\0\0\0' >"$T/system.journal"
head -c 4096 "$VIGIL" >"$T/prog"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/pic.log"
"$VIGIL" analyze "$T/system.journal" "$T/prog" "$T/pic.log" "$bad/random.bin" \
	>/dev/null 2>"$T/err"
rc=$?
check "only binary files: exit 1 (rc=$rc)" [ $rc -eq 1 ]
check "a journal file: named, journalctl suggested" \
	msg "src=$T/system.journal msg=\"a systemd journal file.*journalctl \
-o json --file $T/system.journal | vigil analyze -"
check "an executable: named" msg "src=$T/prog msg=\"an executable (ELF)"
check "an image: named" msg "src=$T/pic.log msg=\"a PNG image"
check "random bytes: src= names the file" \
	msg "src=$bad/random.bin msg=\"binary data, not a text log"

check "the good log's attacker is reported" py <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
text = json.dumps(doc["incidents"])
sys.exit(0 if "203.0.113.77" in text else 1)
PY
check "lines after a cut line are still read" py "$bad/long.log" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if doc["stats"]["events"] >= 30 + 2 + 2 + 1 + 2 + 2 else 1)
PY

# The same under a forced format and from stdin: still no crash.
cat "$bad/random.bin" | "$VIGIL" analyze --quiet --input-format syslog - \
	>/dev/null
check "random bytes forced as syslog on stdin" [ $? -eq 0 ]
"$VIGIL" analyze --quiet --input-format json "$bad" >/dev/null
check "everything forced as JSON" [ $? -eq 0 ]
finish
