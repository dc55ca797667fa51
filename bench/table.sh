#!/bin/sh
# Turns bench/run.sh's rows.tsv into the Markdown of docs/benchmarks.md.
#
#   sh bench/table.sh ROWS.tsv
#
# Columns of a row: input, tool, lines, bytes, wall seconds (or a reason
# the run has no figure), peak RSS in KiB, exit status.  The ratio column
# divides vigil's lines/s on the same input by the tool's.
set -eu

rows=${1:?usage: table.sh ROWS.tsv}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ver() { "$@" 2>/dev/null | head -n 1 || true; }

echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}," \
	"$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' \
	/proc/meminfo), Linux $(uname -r)."
echo "Versions: $(ver fail2ban-regex --version | tr -d '\n')" \
	"(fail2ban-regex); sshguard $(dpkg-query -W -f='${Version}' \
	sshguard 2>/dev/null || echo '?'); vigil" \
	"$(git -C "$(dirname "$0")/.." describe --always --dirty 2>/dev/null \
	|| echo '?')."
echo

awk -F'\t' '
function num(x) { return x ~ /^[0-9.]+$/ && x + 0 > 0 }
{
	n++; input[n] = $1; tool[n] = $2; lines[n] = $3; bytes[n] = $4
	wall[n] = $5; rss[n] = $6
	if (tool[n] == "vigil" && num(wall[n]))
		vrate[$1] = lines[n] / wall[n]
}
END {
	print "| input | tool | lines | MB | wall s | lines/s | MB/s |" \
	      " peak RSS MB | vigil ÷ tool |"
	print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= n; i++) {
		mb = bytes[i] != "" ? sprintf("%.1f", bytes[i] / 1e6) : ""
		if (!num(wall[i])) {
			printf "| %s | %s | %s | %s | %s | | | | |\n", input[i],
			       tool[i], lines[i], mb, wall[i] == "" ? \
			       "not yet measured" : wall[i]
			continue
		}
		rate = lines[i] / wall[i]
		ratio = ""
		if (tool[i] != "vigil" && input[i] in vrate)
			ratio = sprintf("%.1f", vrate[input[i]] / rate)
		printf "| %s | %s | %d | %s | %.3f | %d | %.1f | %.1f | %s |\n",
		       input[i], tool[i], lines[i], mb, wall[i], rate,
		       bytes[i] / 1e6 / wall[i], rss[i] / 1024, ratio
	}
}' "$rows"
