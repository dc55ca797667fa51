#!/bin/bash
# The same bytes give the same report whatever the input is called
# (docs/scoring.md): only the name itself differs, in every format.  The
# events alerts cited were once kept in a table indexed by a hash of the
# input's name, one event a slot: loghub's OpenSSH_2k.log read as
# "ssh.log" (or "f") lost an event there and its incident said 1454
# events, 1453 as "a.log".
. "$(dirname "$0")/lib.sh"

FIX=$SRCDIR/tests/integration/fixtures/incidents
NAMES=(ssh.log a.log f x/ssh.log d1/ssh.log auth.log "$T/abs/ssh.log")

# Writes the report of input NAME (a copy of SRC) in FORMAT, the name
# and times made neutral, to OUT.  Names are relative to $T but one.
report_as() {	# src name format out [analyze options...]
	local src=$1 name=$2 fmt=$3 out=$4

	shift 4
	mkdir -p "$T/$(dirname "$name")" "$T/abs"
	cp "$src" "$T/in" && (cd "$T" && mv in "$name")
	(cd "$T" && "$VIGIL" analyze -q --format "$fmt" "$@" "$name") \
		>"$T/raw" 2>"$T/err" || return 1
	python3 - "$T/raw" "$name" "$fmt" >"$out" <<'PY' || return 1
import json, re, sys
raw, name, fmt = open(sys.argv[1], encoding="utf-8").read(), *sys.argv[2:]

def neutral(v):
    if isinstance(v, dict):
        return {k: (0 if k == "elapsed_us" else neutral(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [neutral(x) for x in v]
    return "NAME" if v == name else v

if fmt == "json":
    print(json.dumps(neutral(json.loads(raw)), indent=1, sort_keys=True))
else:
    # Where text and Markdown name an input: "    NAME:12  " and
    # "- `NAME` line 12: "; a long name is shortened (".../abs/ssh.log").
    shown = "(?:%s|\\.\\.\\./[^\\s:`]*)" % re.escape(name)
    raw = re.sub(r"^    %s:(?=\d+  )" % shown, "    NAME:", raw, flags=re.M)
    raw = re.sub(r"^- `%s` line " % shown, "- `NAME` line ", raw,
                 flags=re.M)
    print(re.sub(r"; [0-9.]+ s$", "; T s", raw, flags=re.M), end="")
PY
	(cd "$T" && rm -f "$name")
}

# Every format of SRC under every name equals the first name's.
same_under_names() {	# label src [analyze options...]
	local label=$1 src=$2 fmt i

	shift 2
	for fmt in text md json; do
		report_as "$src" "${NAMES[0]}" "$fmt" "$T/want.$fmt" "$@"
		check "$label: $fmt report as ${NAMES[0]}" [ -s "$T/want.$fmt" ]
		for ((i = 1; i < ${#NAMES[@]}; i++)); do
			report_as "$src" "${NAMES[i]}" "$fmt" "$T/got" "$@"
			if ! cmp -s "$T/want.$fmt" "$T/got"; then
				fail "$label: $fmt report as ${NAMES[i]}" \
					"differs from ${NAMES[0]}'s"
				diff "$T/want.$fmt" "$T/got" | head -8
				continue
			fi
			ok
		done
	done
}

same_under_names "events fixture" "$FIX/events/auth.log"
same_under_names "scan fixture" "$FIX/scan/auth.log"

need_dataset loghub/OpenSSH/OpenSSH_2k.log
ssh=$DATASETS/loghub/OpenSSH/OpenSSH_2k.log
same_under_names "OpenSSH_2k" "$ssh" --year 2017
check "OpenSSH_2k: its incident has 1453 distinct events" \
	grep -q "alerts 31  events 1453$" "$T/want.text"
finish
