#!/bin/bash
# The command line: help texts, versions, usage errors and exit codes.
. "$(dirname "$0")/lib.sh"

out=$("$VIGIL" --help); rc=$?
check "--help exits 0" [ $rc -eq 0 ]
check "--help names analyze" grep -q analyze <<<"$out"

out=$("$VIGIL" analyze --help); rc=$?
check "analyze --help exits 0" [ $rc -eq 0 ]
for opt in --input-format --format --rules --top --min-severity --evidence \
	--output --quiet --color --year --tz --no-default-rules --verbose; do
	check "analyze --help documents $opt" grep -q -- "$opt" <<<"$out"
	check "man page documents $opt" grep -q -- "${opt//-/\\\\-}" \
		"$SRCDIR/docs/vigil.1"
done

# The input formats analyze --help lists, the man page and the README
# list too; all three give the default year as the code takes it.
fmts=$(sed -n '/--input-format FMT/,/--year/p' <<<"$out" | sed '1s/.*://' |
	grep -v -- --year | tr ',' ' ')
check "analyze --help lists input formats" [ "$(wc -w <<<"$fmts")" -ge 8 ]
man_f=$(sed -n '/^\.BR \\-F/,/^\.TP/p' "$SRCDIR/docs/vigil.1")
readme_f=$(grep -- '--input-format [a-z|]*' "$SRCDIR/README.md")
for f in $fmts; do
	check "man page lists input format $f" grep -qF "\\fB$f\\fR" \
		<<<"$man_f"
	check "README lists input format $f" grep -qE "[ |\`]$f[|\`]" \
		<<<"$readme_f"
done
check "analyze --help: default year from the modification time" \
	grep -q "modification" <<<"$(sed -n '/--year/,/--tz/p' <<<"$out")"
check "man page: default year from the modification time" \
	grep -q "year of the file's modification time" "$SRCDIR/docs/vigil.1"
check "README: default year from when the file was last written" \
	grep -q "takes the year the file was last" "$SRCDIR/README.md"

# "Building by hand" names every library the build looks for (its
# pkg-config name) and every package scripts/deps.sh installs.
build_doc=$(sed -n '/^## Building by hand/,/^## /p' "$SRCDIR/README.md")
mods='s/.*pkg_check_modules([A-Z0-9]* REQUIRED [A-Z_]* \(.*\))/\1/p'
for m in $(sed -n "$mods" "$SRCDIR/CMakeLists.txt" \
	"$SRCDIR/tests/CMakeLists.txt"); do
	check "README lists library $m" grep -qF "\`$m\`" <<<"$build_doc"
done
for p in $(sed -n '/^build="/,/^bench=/p' "$SRCDIR/scripts/deps.sh" |
	grep -v '^bench=' | sed 's/^[a-z]*="//; s/\$[a-z]*//; s/"//'); do
	check "README lists package $p" grep -qF "\`$p\`" <<<"$build_doc"
done

"$VIGIL" version | grep -q '^vigil [0-9]'
check "version prints" [ $? -eq 0 ]

"$VIGIL" >/dev/null 2>&1
check "no command is a usage error" [ $? -eq 2 ]
"$VIGIL" frobnicate >/dev/null 2>&1
check "unknown command is a usage error" [ $? -eq 2 ]
"$VIGIL" analyze >/dev/null 2>&1
check "analyze without input is a usage error" [ $? -eq 2 ]
"$VIGIL" analyze --format yaml x >/dev/null 2>&1
check "unknown --format is a usage error" [ $? -eq 2 ]
"$VIGIL" analyze --tz +25:00 x >/dev/null 2>&1
check "bad --tz is a usage error" [ $? -eq 2 ]

# One message per mistake, saying what would be right.
usage_msg() {	# usage_msg "ARGS" PATTERN: exit 2, one line matching it
	local err rc
	# shellcheck disable=SC2086
	err=$("$VIGIL" analyze $1 2>&1 >/dev/null); rc=$?
	[ $rc -eq 2 ] && grep -q -- "$2" <<<"$err" &&
		[ "$(grep -vc -- '--help lists the options' <<<"$err")" -eq 1 ] ||
		{ echo "--- analyze $1 (rc=$rc):"; echo "$err"; return 1; }
}
check "--threads without a value: one message" \
	usage_msg "--threads" "analyze: --threads needs a value"
check "-n without a value: one message" \
	usage_msg "-n" "analyze: -n needs a value"
check "an unknown option is named" \
	usage_msg "--bogus x" "unknown option '--bogus'"
check "an unknown short option is named" usage_msg "-qx x" "unknown option '-x'"
check "--threads 1000: the valid range is said" \
	usage_msg "--threads 1000 x" "bad --threads '1000' (.*1 to 256)"
check "--min-severity severe: the levels are listed" \
	usage_msg "--min-severity severe x" \
	"'severe' (informational, low, medium, high, critical)"
check "-F unknown: the formats are listed" \
	usage_msg "-F foo x" "'foo' (syslog, journal, .*evtx, raw)"
check "--year out of range: the range is said" \
	usage_msg "--year 1800 x" "'1800' (1970 to 9999)"
err=$("$VIGIL" rules check "$T/no-such-rules" 2>&1 >/dev/null)
check "rules check names why the rules cannot be read" \
	grep -q "no-such-rules: cannot read rules: No such file or directory" \
	<<<"$err"
err=$("$VIGIL" analyze -r "$T/no-such-rules" "$T/none.log" 2>&1 >/dev/null)
check "analyze -r names why the rules cannot be read" \
	grep -q "no-such-rules: cannot read rules: No such file or directory" \
	<<<"$err"

# A rule file emptied by mistake, a folder without rules: said, not passed.
mkdir -p "$T/norules"
: >"$T/empty.yml"
printf '# nothing yet\n' >"$T/comments.yml"
for f in empty comments; do
	out=$("$VIGIL" rules check "$T/$f.yml" 2>&1)
	check "rules check: $f.yml is said to hold no rule" grep -q \
		"$f.yml:1: no YAML document in the file" <<<"$out"
	"$VIGIL" rules check --strict "$T/$f.yml" >/dev/null 2>&1
	check "rules check --strict: $f.yml fails it" [ $? -eq 1 ]
done
printf 'Mar  1 10:00:00 h app: ok\n' >"$T/one.log"
err=$("$VIGIL" analyze -r "$T/empty.yml" -r "$T/norules" "$T/one.log" \
	2>&1 >/dev/null)
check "analyze -r: a file without rules is named" grep -q \
	"src=$T/empty.yml msg=\"no rule loaded from it" <<<"$err"
check "analyze -r: a folder without rules is named" grep -q \
	"src=$T/norules msg=\"no rule loaded from it" <<<"$err"

# Log text printed for a terminal is escaped: a terminal escape or a
# right-to-left override in a log cannot act on the reader's screen.
printf 'Mar  1 10:00:00 h app: user \033[31mred\033[0m and \342\200\256evil\n' \
	>"$T/esc.log"
for cmd in "templates $T/esc.log" "similar user $T/esc.log"; do
	out=$("$VIGIL" $cmd 2>&1)
	check "$cmd: no raw escape byte" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$out"
	check "$cmd: no raw override" bash -c '! grep -q $'"'"'\xe2\x80\xae'"'"' <<<"$1"' _ "$out"
	check "$cmd: both shown escaped" grep -q 'x1b.*u202eevil' <<<"$out"
done

# So are file names and rule titles: whoever names a file in a folder
# vigil reads, or writes a rule, may be the attacker.
mkdir -p "$T/names" "$T/trules"
evil=$(printf 'n\033[31mame\342\200\256gol')
for i in 1 2 3 4 5 6 7 8 9; do
	printf 'Mar  1 10:00:0%d h sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2\n' "$i"
done >"$T/names/$evil.log"
printf '\001\002\003 binary\n' >"$T/names/$evil.bin"
printf 'title: "T\\e[31mitle"\nid: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0020\nlevel: low\nlogsource: {product: linux, service: sshd}\ndetection:\n  k: [Failed password]\n  condition: k\n' \
	>"$T/trules/t.yml"
out=$("$VIGIL" analyze "$T/names" 2>&1; "$VIGIL" rules test "$T/trules/t.yml" \
	"$T/names" 2>&1; "$VIGIL" rules check "$T/names" 2>&1)
check "file names and titles: no raw escape byte" \
	bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$out"
check "file names and titles: no raw override" \
	bash -c '! grep -q $'"'"'\xe2\x80\xae'"'"' <<<"$1"' _ "$out"
check "a warning names the file escaped" \
	grep -q 'src=.*n\\x1b\[31mame\\xe2\\x80\\xaegol.bin' <<<"$out"
check "a rules test hit names the file and title escaped" \
	grep -q 'n\\x1b\[31mame\\u202egol.log:1: hit \[low\] T\\x1b\[31mitle' \
	<<<"$out"

err=$("$VIGIL" analyze "$T/missing.log" 2>&1 >/dev/null); rc=$?
check "only a missing input: exit 1" [ $rc -eq 1 ]
check "missing input is named" grep -q "missing.log" <<<"$err"

printf 'Mar  1 10:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.\n' \
	>"$T/one.log"
"$VIGIL" analyze --quiet "$T/one.log" >/dev/null
check "a quiet log analyses with exit 0" [ $? -eq 0 ]
"$VIGIL" analyze --quiet - <"$T/one.log" >"$T/out.txt"
check "stdin is read" [ $? -eq 0 ]
# Rotated logs are read oldest first, whatever order they are given in:
# the brute force in auth.log.1, then the login that got in, in auth.log.
mkdir -p "$T/rot"
for i in 1 2 3 4 5 6 7 8; do
	printf 'Dec  1 10:00:%02d h1 sshd[%d]: Failed password for root from '\
'198.51.100.7 port %d ssh2\n' "$i" "$((100 + i))" "$((40000 + i))"
done >"$T/rot/auth.log.1"
echo 'Dec  1 10:00:20 h1 sshd[200]: Accepted password for root from'\
' 198.51.100.7 port 40100 ssh2' >"$T/rot/auth.log"
"$VIGIL" analyze --quiet --format json "$T/rot/auth.log" \
	"$T/rot/auth.log.1" >"$T/rot.json"
check "rotated logs given newest first: success after brute force" \
	python3 -c '
import json,sys
a=[x for x in json.load(open(sys.argv[1]))["alerts"]
   if x["rule"]["title"] == "SSH login success after brute force"]
sys.exit(0 if len(a) == 1 else 1)' "$T/rot.json"

"$VIGIL" analyze --quiet -o "$T/report.json" --format json "$T/one.log"
check "--output writes the file" python3 -c \
	"import json,sys; json.load(open(sys.argv[1]))" "$T/report.json"

# --help points at a manual page that exists from the source tree; its
# SYNOPSIS names every command --help lists.
out=$("$VIGIL" --help)
check "--help gives the manual's path in the tree" \
	grep -qF 'man -l docs/vigil.1' <<<"$out"
check "the manual --help names exists" [ -f "$SRCDIR/docs/vigil.1" ]
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' \
	"$SRCDIR/docs/vigil.1" | tr -d '\\' | sed 's/fB//g; s/fR//g')
for cmd in "rules check" "rules test" "rules fields" "audit verify" \
	"analyze" "show" "investigate" "feedback" "triage" "llm check" \
	"templates" "eval" "embed" "similar"; do
	check "man SYNOPSIS has 'vigil $cmd'" \
		grep -q "^\.B vigil $cmd" <<<"$synopsis"
done
# help COMMAND is COMMAND --help, for every command; an unknown one is a
# usage error.  A command missing what it needs says what in one line.
for c in analyze show investigate feedback audit triage llm templates \
	eval embed similar rules; do
	"$VIGIL" help "$c" >"$T/help.out" 2>&1
	check "help $c: its own usage" grep -q "^usage: vigil $c" \
		"$T/help.out"
done
"$VIGIL" help bogus >/dev/null 2>&1
check "help of no command: exit 2" [ $? -eq 2 ]
"$VIGIL" help help >/dev/null 2>&1
check "help help: the general help" [ $? -eq 0 ]
"$VIGIL" eval >/dev/null 2>"$T/eval.err"
check "eval alone: exit 2" [ $? -eq 2 ]
check "eval alone: names both evaluations" \
	grep -q "which evaluation? templates or anomalies" "$T/eval.err"
"$VIGIL" triage 2>"$T/tri.err" >/dev/null
check "triage alone: says what is missing" \
	grep -q "^vigil triage: which incident" "$T/tri.err"

finish
