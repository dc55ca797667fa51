#!/bin/sh
# Sigma matching speed with the whole community rule set loaded, one core,
# with and without the literal prefilter, plus evtxexport (libevtx-utils)
# on the same EVTX files.  Builds nothing: give it a build directory.
#
#   bench/sigma.sh BUILD
#
# Inputs (under bench/out/sigma/, made when missing):
#   syslog.log  loghub Linux_2k + OpenSSH_2k concatenated, 10 x SIGMA_REPEAT
#               times
#   gen/        vigil-demo-gen --bytes SIGMA_GEN_BYTES --seed 1 (auth.log,
#               access.log)
#   evtx/       copies of every *.evtx of evtx-attack-samples,
#               SIGMA_EVTX_REPEAT (default 50) times (about 1 GB; vigil
#               reads a file given twice once, links included; the folder
#               also holds text logs, which are left out)
# Each run is `taskset -c 0 vigil analyze --quiet --format json` under
# /usr/bin/time (user CPU seconds, peak RSS).  The rule-loading cost is
# measured alone (an empty input) and taken off to give the matching
# rate; both figures are printed.  Output: a Markdown table on stdout and
# bench/out/sigma/results.md.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: bench/sigma.sh BUILD}
vigil=$build/vigil
gen=$build/vigil-demo-gen
ds=${DATASETS:-$here/../shared/datasets}
sigma=$ds/sigma
evtx=$ds/evtx-attack-samples
repeat=${SIGMA_REPEAT:-10}
genbytes=${SIGMA_GEN_BYTES:-200M}
out=$here/bench/out/sigma
mkdir -p "$out"

[ -x "$vigil" ] || { echo "no $vigil" >&2; exit 1; }
set --
for d in "$sigma"/rules*; do
	[ -d "$d" ] && set -- "$@" -r "$d"
done
[ $# -gt 0 ] || { echo "SKIP: no rules under $sigma" >&2; exit 77; }
rules="$*"
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"

if [ ! -s "$out/syslog.log" ]; then
	i=0
	while [ "$i" -lt $((repeat * 10)) ]; do
		cat "$ds/loghub/Linux/Linux_2k.log" \
			"$ds/loghub/OpenSSH/OpenSSH_2k.log"
		i=$((i + 1))
	done >"$out/syslog.log"
fi
[ -s "$out/gen/auth.log" ] ||
	"$gen" "$out/gen" --bytes "$genbytes" --seed 1 >/dev/null
echo x >"$out/empty.log"
erepeat=${SIGMA_EVTX_REPEAT:-50}
find "$evtx" -name '*.evtx' | LC_ALL=C sort >"$out/evtx.list"
# An older run left symbolic links, which now count once: copy instead.
if [ -L "$out/evtx/0-1.evtx" ]; then
	rm -rf "$out/evtx"
fi
if [ ! -d "$out/evtx" ]; then
	mkdir -p "$out/evtx"
	i=0
	while [ "$i" -lt "$erepeat" ]; do
		k=0
		while read -r f; do
			k=$((k + 1))
			cp "$f" "$out/evtx/$i-$k.evtx"
		done <"$out/evtx.list"
		i=$((i + 1))
	done
fi

# run NAME RULES EXTRA INPUT...: prints "user_s rss_kb events alerts".
run() {
	name=$1 r=$2 extra=$3
	shift 3
	# shellcheck disable=SC2086
	/usr/bin/time -f "%U %M" -o "$out/$name.time" $pin "$vigil" analyze \
		--quiet --format json --no-default-rules $r $extra \
		-o "$out/$name.json" "$@" 2>/dev/null || true
	python3 - "$out/$name.json" "$out/$name.time" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["stats"]
u, m = open(sys.argv[2]).read().split()[-2:]
print(u, m, d["events"], d["alerts"])
PY
}

row() {	# label rules-label extra load-name input...
	label=$1 rl=$2 r=$3 extra=$4 load=$5
	shift 5
	set -- $(run "$label$extra" "$r" "$extra" "$@")
	lu=$(cut -d' ' -f1 "$out/$load.line")
	awk -v l="$label" -v rl="$rl" -v pf="${extra:-on}" -v u="$1" \
		-v m="$2" -v e="$3" -v a="$4" -v lu="$lu" 'BEGIN {
		mu = u - lu; if (mu <= 0) mu = 0.001
		printf "| %s | %s | %s | %d | %d | %.2f | %.0f | %.0f | %.1f |\n",
			l, rl, pf == "--no-prefilter" ? "off" : "on", e, a,
			u, e / u, e / mu, m / 1024 }'
}

{
echo "| input | rules | prefilter | events | alerts | CPU s | events/s" \
	"| events/s matching | peak RSS MB |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for pf in "" --no-prefilter; do
	run "load$pf" "$rules" "$pf" "$out/empty.log" >"$out/load$pf.line"
	run "webload$pf" "-r $here/rules" "$pf" "$out/empty.log" \
		>"$out/webload$pf.line"
done
for pf in "" --no-prefilter; do
	row evtx community "$rules" "$pf" "load$pf" "$out/evtx"
	row syslog community "$rules" "$pf" "load$pf" "$out/syslog.log"
	row auth community "$rules" "$pf" "load$pf" "$out/gen/auth.log"
	row access shipped "-r $here/rules" "$pf" "webload$pf" \
		"$out/gen/access.log"
done
} | tee "$out/results.md"

if command -v evtxexport >/dev/null; then
	# One pass over the files (libevtx reads about 4,000 records/s).
	start=$(date +%s%N)
	while read -r f; do
		evtxexport "$f" 2>/dev/null
	done <"$out/evtx.list" | grep -c '^Event number' >"$out/n" || :
	n=$(cat "$out/n")
	end=$(date +%s%N)
	awk -v n="$n" -v ns=$((end - start)) 'BEGIN {
		printf "\nevtxexport: %d records in %.2f s wall: %.0f " \
			"records/s\n", n, ns / 1e9, n / (ns / 1e9) }' |
		tee -a "$out/results.md"
else
	echo "evtxexport not installed (apt-get install libevtx-utils)"
fi
