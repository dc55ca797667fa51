#!/usr/bin/env bash
# Windows records kept in the store read as the report prints them: show
# and investigate give an evidence line of a Windows event as the summary
# of its salient fields ("System 7045 | ServiceName=..."), not as the
# JSON record the store holds, in text and in Markdown.
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents
db=$T/vigil.db
export HOME="$T/home" XDG_DATA_HOME= VIGIL_STORE=

"$VIGIL" analyze --quiet --no-default-rules -r "$FIX/rules" --store "$db" \
	"$FIX/windows.jsonl" >"$T/report.txt" 2>"$T/analyze.err"
check "analyze --store exits 0" test $? -eq 0

has() {		# has FILE TEXT: FILE holds TEXT
	grep -qF -- "$2" "$1"
}
lacks() {
	! grep -qF -- "$2" "$1"
}

# The service install's incident: its number in the report is its
# stored id (a new store numbers a run's incidents in report order).
svc="System 7045 | ServiceName=updater | ImagePath=C:\\Windows\\Temp\\upd.exe"
check "analyze: summary" has "$T/report.txt" "$svc"
id=$(sed -n 's/^#\([0-9]*\) .*Service installed.*/\1/p' "$T/report.txt")
check "analyze: the service install is an incident" [ -n "$id" ]

"$VIGIL" show --store "$db" "${id:-1}" >"$T/show.txt"
check "show exits 0" test $? -eq 0
check "show: summary" has "$T/show.txt" "windows.jsonl:3  $svc"
check "show: no raw record" lacks "$T/show.txt" '{"EventID"'

"$VIGIL" show --store "$db" --format md "${id:-1}" >"$T/show.md"
check "show md exits 0" test $? -eq 0
check "show md: summary, escaped" has "$T/show.md" \
	'System 7045 \| ServiceName=updater \| ImagePath='
check "show md: no raw record" lacks "$T/show.md" '{"EventID"'

"$VIGIL" show --store "$db" --format json "${id:-1}" >"$T/show.json"
check "show json keeps the record" has "$T/show.json" '"EventID'

"$VIGIL" investigate --store "$db" --type user eve >"$T/inv.txt"
check "investigate exits 0" test $? -eq 0
check "investigate: summary" has "$T/inv.txt" \
	"windows.jsonl:1  Sysmon 1 | Image=C:\\Windows\\System32\\cmd.exe"
check "investigate: no raw record" lacks "$T/inv.txt" '{"EventID"'

finish
