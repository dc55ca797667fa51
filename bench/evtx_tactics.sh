#!/bin/sh
# Per ATT&CK tactic, the share of EVTX sample files in which at least one
# community Sigma rule tagged with that tactic fires; then the same with
# vigil's own Windows rules (rules/windows) loaded beside them.
#
#   bench/evtx_tactics.sh BUILD [SAMPLES] [SIGMA]
#
# SAMPLES (default ../shared/datasets/evtx-attack-samples) holds one folder
# per tactic ("Credential Access", "Lateral Movement" ...); every *.evtx
# below a folder counts for that folder's tactic.  Folders that name no
# tactic (Other, AutomatedTestingTools) and files at the top are listed
# with the share of files where any rule fires.  SIGMA (default
# ../shared/datasets/sigma) holds the rule folders rules*; all of them are
# loaded at once.  One `vigil rules test` run per rule set reads every
# file; its hit lines (FILE:RECORD: hit [level] title (id), correlations
# with "(N events)" after the id) are joined with each rule's tags, read
# from the rule files.  Prints one Markdown table with both columns, then
# the tactic files that both sets together miss.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: bench/evtx_tactics.sh BUILD [SAMPLES] [SIGMA]}
samples=${2:-$here/../shared/datasets/evtx-attack-samples}
sigma=${3:-$here/../shared/datasets/sigma}
vigil=$build/vigil
[ -x "$vigil" ] || { echo "no $vigil (build first)" >&2; exit 1; }
[ -d "$samples" ] || { echo "SKIP: no samples at $samples" >&2; exit 77; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set --
for d in "$sigma"/rules*; do
	[ -d "$d" ] && set -- "$@" -r "$d"
done
find "$samples" -name '*.evtx' | LC_ALL=C sort >"$out/files"
tr '\n' '\0' <"$out/files" |
	xargs -0 "$vigil" rules test "$@" >"$out/hits" 2>/dev/null || true
tr '\n' '\0' <"$out/files" |
	xargs -0 "$vigil" rules test "$@" -r "$here/rules/windows" \
	>"$out/hits_vigil" 2>/dev/null || true

python3 - "$samples" "$sigma" "$out/files" "$out/hits" "$out/hits_vigil" \
	"$here/rules/windows" <<'PY'
import os, re, sys, yaml

samples, sigma, files, hits, hits_vigil, own = sys.argv[1:7]

# Folder name -> the tactic tags that count for it.  The community rules
# tag Defense Evasion techniques as stealth or defense-impairment too.
def tags_for(folder):
    t = folder.lower().replace(" ", "-")
    if t == "defense-evasion":
        return {"defense-evasion", "stealth", "defense-impairment"}
    known = {"reconnaissance", "resource-development", "initial-access",
             "execution", "persistence", "privilege-escalation",
             "credential-access", "discovery", "lateral-movement",
             "collection", "command-and-control", "exfiltration", "impact"}
    return {t} if t in known else None

tags = {}
dirs = [os.path.join(sigma, d) for d in sorted(os.listdir(sigma))
        if d.startswith("rules")] + [own]
for top in dirs:
    for root, _, names in os.walk(top):
        for n in names:
            if not n.endswith((".yml", ".yaml")):
                continue
            try:
                docs = list(yaml.safe_load_all(open(os.path.join(root, n))))
            except Exception:
                continue
            for doc in docs:
                if isinstance(doc, dict) and doc.get("id"):
                    tags[str(doc["id"])] = {
                        str(t)[7:].replace("_", "-")
                        for t in doc.get("tags") or []
                        if str(t).startswith("attack.")}

line = re.compile(r"^(.*\.evtx):\d+: (?:hit|correlation) \[.*\((\S+)\)"
                  r"(?: \(\d+ events?\))?$")

def read_hits(path):
    fired = {}
    for l in open(path, errors="replace"):
        m = line.match(l.rstrip("\n"))
        if m:
            fired.setdefault(m.group(1), set()).add(m.group(2))
    return fired

# rows[folder] = [is tactic folder, files, [tactic hit, any hit] per set]
sets = [read_hits(hits), read_hits(hits_vigil)]
rows = {}
missed = []
for f in open(files):
    f = f.rstrip("\n")
    rel = os.path.relpath(f, samples)
    folder = rel.split(os.sep)[0] if os.sep in rel else "(top level)"
    want = tags_for(folder)
    r = rows.setdefault(folder, [want is not None, 0, [0, 0], [0, 0]])
    r[1] += 1
    for k, fired in enumerate(sets):
        ids = fired.get(f, set())
        ok = bool(ids) if want is None else any(
            tags.get(i, set()) & want for i in ids)
        r[2 + k][0] += ok
        r[2 + k][1] += bool(ids)
    # ok and ids are the last set's: the community set plus rules/windows.
    if want is not None and not ok:
        missed.append((rel, sorted({t for i in ids for t in tags.get(i, ())})))

def share(ok, n):
    return "%.1f%%" % (100.0 * ok / n)

print("| folder | tactic tags | files | community: tactic hit | share "
      "| any hit | + rules/windows: tactic hit | share | any hit |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
tot = [0, 0, 0]
for folder in sorted(rows):
    tac, n, c, v = rows[folder]
    tg = ", ".join(sorted(tags_for(folder))) if tac else "(any rule)"
    if tac:
        tot[0] += n
        tot[1] += c[0]
        tot[2] += v[0]
        cells = (c[0], share(c[0], n), c[1], v[0], share(v[0], n), v[1])
    else:
        cells = ("", "", c[1], "", "", v[1])
    print("| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (
        (folder, tg, n) + cells))
if tot[0]:
    print("| all tactic folders | | %d | %d | %s | | %d | %s | |" % (
        tot[0], tot[1], share(tot[1], tot[0]), tot[2],
        share(tot[2], tot[0])))
if missed:
    print()
    print("Tactic files without a tactic hit, both sets loaded (the tactics"
          " that did fire):")
    print()
    for rel, fired in missed:
        print("- `%s`: %s" % (rel, ", ".join(fired) or "no hit"))
PY
