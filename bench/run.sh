#!/bin/sh
# Throughput of `vigil analyze` against fail2ban-regex and sshguard's parser.
#
#   sh bench/run.sh BUILD
#
# BUILD is a build directory holding vigil and vigil-demo-gen; nothing is
# built here.  The script writes its inputs and results under bench/out/
# (ignored by git) and prints a Markdown table for docs/benchmarks.md.
#
# Inputs:
#   - the loghub samples (DATASETS/loghub/*/*.log) in one vigil run, when
#     present; DATASETS defaults to ../shared/datasets beside the tree;
#   - a generated auth.log + access.log pair of BENCH_BYTES (1 GB) from
#     `vigil-demo-gen --bytes`, seed 1, regenerated only when missing;
#   - the first BENCH_F2B_LINES (200,000) lines of that auth.log for
#     fail2ban-regex, which is too slow for the whole file.
#
# Every run is wrapped in `/usr/bin/time -v` (peak RSS) and in `timeout
# BENCH_TIMEOUT` (1800 s); wall time is taken around both with date(1) in
# nanoseconds.  A tool that is missing or times out
# gets a row saying so.  Ratios compare vigil with the tool on the same
# file: vigil lines/s divided by the tool's lines/s.
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$here/out
bytes=${BENCH_BYTES:-1000000000}
f2b_lines=${BENCH_F2B_LINES:-200000}
limit=${BENCH_TIMEOUT:-1800}
datasets=${DATASETS:-$root/../shared/datasets}
vigil=$build/vigil
gen=$build/vigil-demo-gen
sshg=${SSHG_PARSER:-/usr/libexec/sshguard/sshg-parser}
f2b_filter=${F2B_FILTER:-/etc/fail2ban/filter.d/sshd.conf}

if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time missing (Debian package: time)" >&2
	exit 1
fi
if [ ! -x "$gen" ]; then
	echo "bench: $gen missing: build the vigil-demo-gen target" >&2
	exit 1
fi
mkdir -p "$out"
rows=$out/rows.tsv
: >"$rows"

# measure INPUT TOOL FILE-FOR-COUNTS COMMAND: runs COMMAND (a shell
# string) under time and timeout, appends a row to rows.tsv.
measure() {
	input=$1 tool=$2 counted=$3 cmd=$4
	tf=$out/time.txt
	lines=$(cat $counted | wc -l)
	size=$(cat $counted | wc -c)
	echo "bench: $tool on $input ($lines lines)" >&2
	set +e
	t0=$(date +%s%N)
	/usr/bin/time -v -o "$tf" timeout "$limit" sh -c "exec $cmd"
	status=$?
	t1=$(date +%s%N)
	set -e
	if [ $status -eq 124 ]; then
		printf '%s\t%s\t%s\t%s\ttimeout\t\t\n' "$input" "$tool" \
			"$lines" "$size" >>"$rows"
		return
	fi
	if [ $status -gt 124 ]; then
		printf '%s\t%s\t%s\t%s\tfailed (%s)\t\t\n' "$input" "$tool" \
			"$lines" "$size" "$status" >>"$rows"
		return
	fi
	wall=$(echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$input" "$tool" "$lines" \
		"$size" "$wall" "$rss" "$status" >>"$rows"
}

skip() {
	printf '%s\t%s\t\t\t%s\t\t\n' "$1" "$2" "$3" >>"$rows"
	echo "bench: $2 on $1: $3" >&2
}

# --- inputs
big=$out/gen
if [ ! -f "$big/truth.txt" ] ||
   ! grep -q "^# vigil-demo-gen --bytes $bytes, seed 1$" "$big/truth.txt"
then
	rm -rf "$big"
	echo "bench: generating $bytes bytes into $big" >&2
	/usr/bin/time -v -o "$out/gen-time.txt" \
		"$gen" "$big" --bytes "$bytes" --seed 1
fi
head -n "$f2b_lines" "$big/auth.log" >"$out/auth-head.log"
cat "$big/auth.log" "$big/access.log" >/dev/null	# warm the page cache

loghub=$(ls "$datasets"/loghub/*/*.log 2>/dev/null || true)

# --- vigil
vigil_cmd="'$vigil' analyze --quiet --format json"
if [ ! -x "$vigil" ]; then
	for i in loghub auth+access auth auth-head; do
		skip "$i" vigil "not built"
	done
else
	if [ -n "$loghub" ]; then
		# shellcheck disable=SC2086
		measure loghub vigil "$loghub" \
			"$vigil_cmd $(echo $loghub) >'$out/vigil-loghub.json'"
	else
		skip loghub vigil "no datasets at $datasets/loghub"
	fi
	measure auth+access vigil "$big/auth.log $big/access.log" \
		"$vigil_cmd '$big/auth.log' '$big/access.log' \
		 >'$out/vigil-big.json'"
	measure auth vigil "$big/auth.log" \
		"$vigil_cmd '$big/auth.log' >'$out/vigil-auth.json'"
	measure auth-head vigil "$out/auth-head.log" \
		"$vigil_cmd '$out/auth-head.log' >'$out/vigil-head.json'"
fi

# --- sshguard's parser: one line of attack per match on stdout
if [ -x "$sshg" ]; then
	measure auth sshg-parser "$big/auth.log" \
		"'$sshg' <'$big/auth.log' >'$out/sshg.out'"
else
	skip auth sshg-parser "not installed (Debian package: sshguard)"
fi

# --- fail2ban-regex with the stock sshd filter, on the head sample
if command -v fail2ban-regex >/dev/null 2>&1 && [ -f "$f2b_filter" ]; then
	measure auth-head fail2ban-regex "$out/auth-head.log" \
		"fail2ban-regex '$out/auth-head.log' '$f2b_filter' \
		 >'$out/fail2ban.out' 2>&1"
else
	skip auth-head fail2ban-regex "not installed (Debian package: fail2ban)"
fi

sh "$here/table.sh" "$rows" | tee "$out/results.md"
