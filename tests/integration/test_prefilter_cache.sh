#!/bin/bash
# The prefilter's database cache through the binary: a warm run reads
# every database and reports as a cold one and one without the cache do;
# damaged, loosely permitted or foreign files are ignored and replaced; a
# directory others may write, or none that can be made, fails nothing and
# is told once; an empty VIGIL_CACHE_DIR writes nothing; the default
# places follow HOME and XDG_CACHE_HOME.  With the public datasets, the
# community rules' JSON reports over the EVTX samples and the regression
# cases are the same cold, warm and off.
. "$(dirname "$0")/lib.sh"

R="$T/rules"
mkdir -p "$R"
# sshd gets two databases: four keywords (they weigh 64 literals) and 64
# user name literals.
cat >"$R/kw.yml" <<'EOF'
title: Cache keyword
logsource: {product: linux, service: sshd}
detection:
  keywords: [kwalpha, kwbravo, kwcharlie, kwdelta]
  condition: keywords
EOF
{
	printf 'title: Cache user\nlogsource: {product: linux, service: sshd}\n'
	printf 'detection:\n  s:\n    user.name|contains:\n'
	for i in $(seq -w 0 63); do printf '      - usr%szz\n' "$i"; done
	printf '  condition: s\n'
} >"$R/user.yml"
LOG="$T/auth.log"
cat >"$LOG" <<'EOF'
Mar  1 10:00:00 host sshd[123]: Failed password for invalid user kwbravo from 203.0.113.5 port 4022 ssh2
Mar  1 10:00:01 host sshd[124]: Failed password for invalid user xusr07zzx from 203.0.113.6 port 4023 ssh2
Mar  1 10:00:02 host sshd[125]: Failed password for invalid user nobody from 203.0.113.7 port 4024 ssh2
EOF

C="$T/c"
export VIGIL_CACHE_DIR="$C"
stats() {	# the cache line of rules check
	"$VIGIL" rules check "$R" 2>"$T/check.err" | grep '^prefilter cache'
}
# rules test's hits, and analyze's JSON report without its elapsed time.
hits() {
	"$VIGIL" rules test -r "$R" "$LOG" 2>"$T/test.err"
	echo "exit $?"
}
report() {
	"$VIGIL" analyze --no-default-rules --rules "$R" --format json "$LOG" \
		2>"$T/analyze.err" | sed 's/"elapsed_us": *[0-9]*/"elapsed_us":0/'
}

VIGIL_CACHE_DIR= hits >"$T/off.hits"
VIGIL_CACHE_DIR= report >"$T/off.json"
check "the fixture rules hit" grep -q "Cache keyword" "$T/off.hits"
check "both fixture rules hit" grep -q "Cache user" "$T/off.hits"

s=$(stats)
check "cold: both databases written ($s)" \
	[ "$s" = "prefilter cache: 0 of 2 databases read, 2 written ($C)" ]
check "cache directory made 0700" \
	[ "$(stat -c %a "$C")" = 700 ]
check "cache files 0600" \
	[ "$(stat -c %a "$C"/*.hsdb | sort -u)" = 600 ]
s=$(stats)
check "warm: both databases read ($s)" \
	[ "$s" = "prefilter cache: 2 of 2 databases read, 0 written ($C)" ]
check "warm: nothing said on stderr" [ ! -s "$T/check.err" ]
hits >"$T/warm.hits"
check "rules test: warm hits as without the cache" \
	cmp -s "$T/off.hits" "$T/warm.hits"
report >"$T/warm.json"
check "analyze: warm report as without the cache" \
	cmp -s "$T/off.json" "$T/warm.json"
rm -rf "$C"
report >"$T/cold.json"
check "analyze: cold report as without the cache" \
	cmp -s "$T/off.json" "$T/cold.json"

# Damage: one file cut short, one with a byte of its payload changed.
set -- "$C"/*.hsdb
truncate -s 100 "$1"
printf '\377' | dd of="$2" bs=1 seek=300 conv=notrunc status=none
s=$(stats)
check "damaged files ignored and rewritten ($s)" \
	[ "$s" = "prefilter cache: 0 of 2 databases read, 2 written ($C)" ]
check "damaged files: no warning" [ ! -s "$T/check.err" ]
s=$(stats)
check "then read again ($s)" \
	[ "$s" = "prefilter cache: 2 of 2 databases read, 0 written ($C)" ]

# A file others may write, or someone else's: ignored, replaced.
chmod 664 "$1"
s=$(stats)
check "group-writable file ignored ($s)" \
	[ "$s" = "prefilter cache: 1 of 2 databases read, 1 written ($C)" ]
check "replaced 0600" [ "$(stat -c %a "$1")" = 600 ]
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$2"
	s=$(stats)
	check "foreign file ignored ($s)" \
		[ "$s" = "prefilter cache: 1 of 2 databases read, 1 written ($C)" ]
	check "replaced by one of ours" [ "$(stat -c %u "$2")" = 0 ]
fi

# A directory others may write: not used at all, told once.
chmod 770 "$C"
s=$(stats)
check "group-writable directory not used ($s)" \
	[ "$s" = "prefilter cache: 0 of 2 databases read, 0 written ($C)" ]
check "one warning for it" \
	[ "$(grep -c 'prefilter cache' "$T/check.err")" = 1 ]
hits >"$T/gw.hits"
check "group-writable directory: same hits" cmp -s "$T/off.hits" "$T/gw.hits"
chmod 700 "$C"

# No directory can be made (a file is in the way), or none written.
: >"$T/file"
VIGIL_CACHE_DIR="$T/file/cache" hits >"$T/nodir.hits"
check "no cache directory: same hits" cmp -s "$T/off.hits" "$T/nodir.hits"
check "no cache directory: one warning" \
	[ "$(grep -c 'prefilter cache' "$T/test.err")" = 1 ]
# A directory that refuses new files, as a read-only disk does: by its
# mode, or for root (who writes whatever the mode) the immutable flag.
# Both databases fail to be written; one warning tells it.
mkdir -m 700 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	chmod 500 "$T/ro"
elif ! chattr +i "$T/ro" 2>/dev/null; then
	rmdir "$T/ro"
fi
if [ -d "$T/ro" ]; then
	VIGIL_CACHE_DIR="$T/ro" hits >"$T/ro.hits"
	chattr -i "$T/ro" 2>/dev/null
	chmod 700 "$T/ro"
	check "read-only directory: same hits" cmp -s "$T/off.hits" "$T/ro.hits"
	check "read-only directory: one warning" \
		[ "$(grep -c 'prefilter cache' "$T/test.err")" = 1 ]
	check "read-only directory: nothing left in it" \
		[ -z "$(ls -A "$T/ro")" ]
else
	echo "no way to make a directory refuse root's writes: part skipped"
fi

# Off, and the default places.
mkdir -p "$T/home"
s=$(HOME="$T/home" XDG_CACHE_HOME= VIGIL_CACHE_DIR= stats)
check "empty VIGIL_CACHE_DIR: off ($s)" [ "$s" = "prefilter cache: off" ]
HOME="$T/home" XDG_CACHE_HOME= VIGIL_CACHE_DIR= hits >/dev/null
HOME="$T/home" XDG_CACHE_HOME= VIGIL_CACHE_DIR= report >/dev/null
check "off: nothing written" [ -z "$(ls -A "$T/home")" ]
s=$(unset VIGIL_CACHE_DIR; HOME="$T/home" XDG_CACHE_HOME= stats)
check "default: ~/.cache/vigil ($s)" [ "$s" = \
	"prefilter cache: 0 of 2 databases read, 2 written ($T/home/.cache/vigil)" ]
check "default: made 0700" [ "$(stat -c %a "$T/home/.cache/vigil")" = 700 ]
s=$(unset VIGIL_CACHE_DIR; HOME="$T/home" XDG_CACHE_HOME="$T/xdg" stats)
check "XDG_CACHE_HOME/vigil ($s)" [ "$s" = \
	"prefilter cache: 0 of 2 databases read, 2 written ($T/xdg/vigil)" ]

# The community rules over real Windows logs: cold, warm and off agree.
if [ -d "$DATASETS/sigma/rules" ] && [ -d "$DATASETS/evtx-attack-samples" ]
then
	rules=()
	for d in "$DATASETS"/sigma/rules*; do
		[ -d "$d" ] && rules+=(-r "$d")
	done
	inputs=("$DATASETS/evtx-attack-samples")
	[ -d "$DATASETS/sigma/regression_data" ] &&
		inputs+=("$DATASETS/sigma/regression_data")
	community() {
		"$VIGIL" analyze "${rules[@]}" --format json "${inputs[@]}" \
			2>/dev/null |
			sed 's/"elapsed_us": *[0-9]*/"elapsed_us":0/'
	}
	export VIGIL_CACHE_DIR="$T/community"
	VIGIL_CACHE_DIR= community >"$T/c-off.json"
	community >"$T/c-cold.json"
	community >"$T/c-warm.json"
	check "community: a report" [ -s "$T/c-off.json" ]
	check "community: cold report as without the cache" \
		cmp -s "$T/c-off.json" "$T/c-cold.json"
	check "community: warm report as without the cache" \
		cmp -s "$T/c-off.json" "$T/c-warm.json"
	check "community: databases cached" \
		[ "$(ls "$T/community" | wc -l)" -gt 40 ]
else
	echo "community rules or EVTX samples absent: that part skipped"
fi
finish
