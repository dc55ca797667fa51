#!/bin/sh
# bench/anomaly.sh BUILD [BYTES]: throughput of template mining and of
# embedding, one core, and peak memory, on a generated log of BYTES
# (default 1 GB) written by vigil-demo-gen (auth + access logs).
#
# Prints one line per stage: lines, seconds, lines/s, peak RSS.  Mining
# is `vigil templates --stats` (header stripping, miner, final pass);
# embedding is `vigil embed --stats -o /dev/null` (a mining pass, then a
# vector of 256 floats per line written in the binary layout).
set -eu
build=${1:?usage: bench/anomaly.sh BUILD [BYTES]}
bytes=${2:-1000000000}
dir=${BENCH_DIR:-$build/bench-anomaly}

mkdir -p "$dir"
if [ ! -s "$dir/auth.log" ]; then
	"$build/vigil-demo-gen" "$dir" --bytes "$bytes" >/dev/null
fi
files="$dir/auth.log $dir/access.log"
size=$(cat $files | wc -c)
echo "input: $files ($size bytes)"

run() {		# run NAME COMMAND...: the command's --stats and time -v
	name=$1
	shift
	/usr/bin/time -v "$@" 2> "$dir/$name.err" >/dev/null
	grep -h -E 'lines=|templates=' "$dir/$name.err" | head -1
	awk -v n="$name" '/Maximum resident/ { printf "%s peak_rss_mb=%.1f\n", n, $6 / 1024 }
		/Elapsed \(wall/ { print n, "wall=" $8 }' "$dir/$name.err"
}

run mining taskset -c 0 "$build/vigil" templates --stats --format none $files
run embedding taskset -c 0 "$build/vigil" embed --stats -o /dev/null $files
