#!/bin/bash
# rules test, templates and embed read a Windows event log (EVTX) as
# analyze does: named, piped to standard input, redirected, gzip'd on
# disk or on the pipe; each way gives what the file gives.  Uses the
# small EVTX files of the fuzz corpus, no dataset.
. "$(dirname "$0")/lib.sh"

C="$SRCDIR/tests/fuzz/corpus/input_evtx"
E="$C/twenty_records.evtx"
[ -f "$E" ] || skip "no EVTX fixture at $E"

# Runs vigil with stdout to $T/$1, stderr to $T/$1.err; sets rc.
run() {
	local out=$1
	shift
	"$VIGIL" "$@" >"$T/$out" 2>"$T/$out.err"
	rc=$?
	if [ $rc -gt 128 ]; then fail "crashed with signal $((rc - 128)): $*"; fi
}

# Same as run, with standard input from the command before the name.
run_in() {	# run_in OUT "PRODUCER" vigil-args...
	local out=$1 producer=$2
	shift 2
	eval "$producer" | "$VIGIL" "$@" >"$T/$out" 2>"$T/$out.err"
	rc=${PIPESTATUS[1]}
	if [ $rc -gt 128 ]; then fail "crashed with signal $((rc - 128)): $*"; fi
}

# same A B: the two outputs are equal, the difference shown when not.
same() {
	cmp -s "$T/$1" "$T/$2" || {
		echo "--- $1 against $2:"
		diff "$T/$1" "$T/$2" | head -20
		echo "--- $2.err:"
		head -5 "$T/$2.err"
		return 1
	}
}

has() {
	grep -q -- "$2" "$T/$1" || { echo "--- $1:"; head -20 "$T/$1"; return 1; }
}

hasnt() {
	! grep -q -- "$2" "$T/$1" || { echo "--- $1:"; head -20 "$T/$1"; return 1; }
}

gzip -c "$E" >"$T/twenty.evtx.gz"

# ------------------------------------------------------------ analyze

# The reference the other commands follow.
run_in an "cat '$E'" analyze -
check "analyze: EVTX piped in, every record read" has an " 20 records, 20 decoded"

# --------------------------------------------------------- rules test

cat >"$T/enc.yml" <<'EOF'
title: Encoded PowerShell
id: 22222222-2222-4222-8222-222222222222
level: medium
logsource: {product: windows, service: sysmon}
detection:
  s: {CommandLine|contains: '-enc'}
  condition: s
EOF

# Hits without their source's name: a file and <stdin> give the same.
hits() {	# hits OUT
	sed 's/^[^ ][^ ]*\(:[0-9][0-9]*: \)/SRC\1/' "$T/$1" >"$T/$1.n"
}

run rt_file rules test "$T/enc.yml" "$E"
check "rules test: the EVTX file hits every record (rc=$rc)" \
	has rt_file "^hits: 20$"
hits rt_file
run_in rt_pipe "cat '$E'" rules test "$T/enc.yml" -
check "rules test: EVTX piped in is read (rc=$rc)" [ $rc -eq 0 ]
check "rules test: EVTX piped in, no refusal" \
	hasnt rt_pipe.err "not a text log"
check "rules test: EVTX piped in is named <stdin>" \
	has rt_pipe "^<stdin>:20: hit"
hits rt_pipe
check "rules test: EVTX piped in gives the file's hits" same rt_file.n rt_pipe.n
run rt_redir rules test "$T/enc.yml" - <"$E"
hits rt_redir
check "rules test: EVTX redirected to stdin gives the file's hits" \
	same rt_file.n rt_redir.n
run rt_gz rules test "$T/enc.yml" "$T/twenty.evtx.gz"
hits rt_gz
check "rules test: an .evtx.gz file gives the file's hits (rc=$rc)" \
	same rt_file.n rt_gz.n
run_in rt_gzpipe "gzip -c '$E'" rules test "$T/enc.yml" -
hits rt_gzpipe
check "rules test: gzip'd EVTX piped in gives the file's hits" \
	same rt_file.n rt_gzpipe.n
run_in rt_cut "cat '$C/cut_in_record.evtx'" rules test "$T/enc.yml" -
check "rules test: a cut EVTX on stdin is told as <stdin>" \
	has rt_cut.err "<stdin>"

# ---------------------------------------------------------- templates

run tp_file templates "$E"
check "templates: the EVTX file is mined (rc=$rc)" [ $rc -eq 0 ]
check "templates: an EVTX record is mined as its fields" \
	has tp_file "Microsoft-Windows-Sysmon"
check "templates: all 20 records in one template" has tp_file "^[0-9a-f]* *20 "
run_in tp_pipe "cat '$E'" templates -
check "templates: EVTX piped in gives the file's templates" same tp_file tp_pipe
run tp_gz templates "$T/twenty.evtx.gz"
check "templates: an .evtx.gz file gives the file's templates" \
	same tp_file tp_gz
run_in tp_gzpipe "gzip -c '$E'" templates -
check "templates: gzip'd EVTX piped in gives the file's templates" \
	same tp_file tp_gzpipe
run tp_raw templates --raw "$E"
run_in tp_rawpipe "cat '$E'" templates --raw -
check "templates --raw: EVTX piped in gives the file's templates" \
	same tp_raw tp_rawpipe
run_in tp_text "printf 'user a logged in\nuser b logged in\n'" templates -
check "templates: text on stdin is still mined" has tp_text "user <\*> logged in"

# -------------------------------------------------------------- embed

run em_file embed -f csv --dim 16 -o - "$E"
check "embed: the EVTX file gives a vector per record (rc=$rc)" \
	[ "$(wc -l <"$T/em_file")" -eq 21 ]
check "embed: an EVTX record's line is its EventRecordID" \
	has em_file "^[0-9a-f]*,20,"
# Event vectors read the input twice: a pipe must be kept in between.
run_in em_pipe "cat '$E'" embed -f csv --dim 16 -o - -
check "embed: EVTX piped in gives the file's vectors" same em_file em_pipe
# The pipe's copy is kept in $TMPDIR, as a user with a small /tmp
# expects; one that cannot hold it is said.
mkdir -p "$T/tmpd"
cat "$E" | TMPDIR="$T/tmpd" "$VIGIL" embed -f csv --dim 16 -o - - \
	>"$T/em_tmpdir" 2>"$T/em_tmpdir.err"
check "embed: a pipe's copy in TMPDIR gives the file's vectors" \
	same em_file em_tmpdir
check "embed: the copy leaves nothing behind in TMPDIR" \
	bash -c "[ -z \"\$(ls -A '$T/tmpd')\" ]"
cat "$E" | TMPDIR="$T/missing" "$VIGIL" embed -f csv --dim 16 -o - - \
	>/dev/null 2>"$T/em_notmp.err"
check "embed: a TMPDIR that cannot hold the copy is said" \
	grep -q "<stdin>: cannot keep a copy: No such file" "$T/em_notmp.err"
run em_redir embed -f csv --dim 16 -o - - <"$E"
check "embed: EVTX redirected to stdin gives the file's vectors" \
	same em_file em_redir
run em_gz embed -f csv --dim 16 -o - "$T/twenty.evtx.gz"
check "embed: an .evtx.gz file gives the file's vectors" same em_file em_gz
run_in em_gzpipe "gzip -c '$E'" embed -f csv --dim 16 -o - -
check "embed: gzip'd EVTX piped in gives the file's vectors" \
	same em_file em_gzpipe
run em_tfile embed --templates -f csv --dim 16 -o - "$E"
run_in em_tpipe "cat '$E'" embed --templates -f csv --dim 16 -o - -
check "embed --templates: EVTX piped in gives the file's vectors" \
	same em_tfile em_tpipe
run em_bfile embed --dim 16 -o "$T/file.bin" "$E"
run_in em_bpipe "cat '$E'" embed --dim 16 -o "$T/pipe.bin" -
check "embed: binary vectors of EVTX piped in equal the file's" \
	cmp -s "$T/file.bin" "$T/pipe.bin"
printf 'user a logged in\nuser b logged in\n' >"$T/two.log"
run em_text embed -f csv --dim 16 -o - "$T/two.log"
run_in em_tpipe2 "cat '$T/two.log'" embed -f csv --dim 16 -o - -
check "embed: text piped in gives a vector per line, as the file does" \
	same em_text em_tpipe2

finish
