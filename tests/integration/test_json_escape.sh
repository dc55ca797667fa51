#!/bin/bash
# Every JSON output escapes the same characters: a user name holding a
# right-to-left override and its kin (U+202E, U+2066, U+061C, U+200F),
# a C1 control (U+009B, a CSI to some terminals), U+2028 and DEL, and
# an analyst's note holding them too, must reach analyze, show,
# investigate (by user and by address), triage and templates JSON only
# as \uNNNN escapes, never as raw bytes, and each document must parse
# back to the very same strings.
. "$(dirname "$0")/lib.sh"

python3 -c 'import json' 2>/dev/null || skip "python3 absent"
export HOME="$T/home" XDG_DATA_HOME= VIGIL_STORE= USER=analyst

# Eight failed passwords, then a login, from one address.
python3 - "$T/bidi.log" <<'PY'
import sys
user = "adm\u202egnp\u2066.exe\u061c\u200f\u009b\u2028\x7fx"
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(8):
        f.write(f"Mar  1 10:00:{i:02d} host sshd[100{i}]: Failed password "
                f"for {user} from 203.0.113.9 port 4{i}000 ssh2\n")
    f.write(f"Mar  1 10:00:30 host sshd[1010]: Accepted password for "
            f"{user} from 203.0.113.9 port 45000 ssh2\n")
PY
user=$(python3 -c \
	'print("adm\u202egnp\u2066.exe\u061c\u200f\u009b\u2028\x7fx")')
note=$(python3 -c 'print("seen \u202eexe.txt\u2029 \u0085 ok")')
db="$T/b.db"

"$VIGIL" analyze -q --year 2024 --store "$db" -f json -o "$T/analyze.json" \
	"$T/bidi.log" 2>"$T/analyze.err"
check "analyze --store exits 0" [ $? -eq 0 ]
"$VIGIL" feedback --store "$db" -m "$note" 1 benign >/dev/null 2>&1
check "feedback with a note exits 0" [ $? -eq 0 ]
"$VIGIL" show --store "$db" -f json 1 >"$T/show.json"
check "show json exits 0" [ $? -eq 0 ]
"$VIGIL" investigate --store "$db" --type user -f json "$user" \
	>"$T/inv-user.json"
check "investigate by user exits 0" [ $? -eq 0 ]
"$VIGIL" investigate --store "$db" --type ip -f json 203.0.113.9 \
	>"$T/inv-ip.json"
check "investigate by address exits 0" [ $? -eq 0 ]
"$VIGIL" triage --store "$db" --no-model -f json 1 >"$T/triage.json" \
	2>"$T/triage.err"
check "triage json exits 0" [ $? -eq 0 ]
"$VIGIL" triage --store "$db" --no-model -f json --all \
	>"$T/triage-all.json" 2>/dev/null
check "triage --all json exits 0" [ $? -eq 0 ]
"$VIGIL" templates -f json "$T/bidi.log" >"$T/templates.json"
check "templates json exits 0" [ $? -eq 0 ]

# Raw: none of the characters; parsed: the name (and the note where the
# output gives feedback) among its strings, exactly.
check_doc() {	# check_doc what file need...
	python3 - "$@" <<'PY'
import json, sys
what, path, need = sys.argv[1], sys.argv[2], sys.argv[3:]
raw = open(path, "rb").read()
hidden = {0x7f, 0x61c, 0x200e, 0x200f, 0x2028, 0x2029} | \
    set(range(0x80, 0xa0)) | set(range(0x202a, 0x202f)) | \
    set(range(0x2066, 0x206a))
text = raw.decode("utf-8")
bad = sorted({"U+%04X" % ord(c) for c in text if ord(c) in hidden})
if bad:
    sys.exit(f"{what}: raw {', '.join(bad)} in {path}")
strings = []
def walk(v):
    if isinstance(v, str):
        strings.append(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.loads(text))
for n in need:
    if not any(n in s for s in strings):
        sys.exit(f"{what}: {n!r} is not among the strings of {path}")
PY
}

check "analyze json escapes, parses back" \
	check_doc analyze "$T/analyze.json" "$user"
check "show json escapes, parses back (name and note)" \
	check_doc show "$T/show.json" "$user" "$note"
check "investigate by user json escapes, parses back" \
	check_doc investigate "$T/inv-user.json" "$user"
check "investigate by address json escapes, parses back" \
	check_doc investigate "$T/inv-ip.json" "$user"
check "triage json escapes, parses back (name and note)" \
	check_doc triage "$T/triage.json" "$user" "$note"
check "triage --all json escapes, parses back" \
	check_doc triage-all "$T/triage-all.json" "$user" "$note"
check "templates json escapes, parses back" \
	check_doc templates "$T/templates.json" "$user"
check "show json writes U+202E as the report does" \
	grep -qF 'adm\u202egnp\u2066.exe\u061c\u200f\u009b\u2028\u007fx' \
	"$T/show.json"

# Bytes that are no UTF-8 in a name: every JSON output is still UTF-8,
# each such byte U+FFFD, as analyze's report has it.
printf 'Mar  1 11:00:%02d host sshd[20%02d]: Failed password for bob\377\376 from 198.51.100.7 port 4000 ssh2\n' \
	$(for i in $(seq 0 7); do echo "$i $i"; done) >"$T/bad.log"
printf 'Mar  1 11:00:30 host sshd[2010]: Accepted password for bob\377\376 from 198.51.100.7 port 4001 ssh2\n' \
	>>"$T/bad.log"
"$VIGIL" analyze -q --year 2024 --store "$T/u.db" -f json -o "$T/u.json" \
	"$T/bad.log" 2>/dev/null
"$VIGIL" show --store "$T/u.db" -f json 1 >"$T/u-show.json"
"$VIGIL" investigate --store "$T/u.db" --type ip -f json 198.51.100.7 \
	>"$T/u-inv.json"
for f in u u-show u-inv; do
	check "$f: invalid bytes come out as U+FFFD, strict UTF-8 JSON" \
		python3 -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
sys.exit(0 if "bob\ufffd\ufffd" in json.dumps(d, ensure_ascii=False)
         else 1)' "$T/$f.json"
done

# The store keeps what the log held: only the output is escaped.
python3 -c 'import sqlite3' 2>/dev/null &&
check "the store holds the raw name" python3 - "$db" "$user" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
hit = 0
for (sql,) in db.execute("select name from sqlite_master where "
                         "type = 'table'"):
    for row in db.execute(f'select * from "{sql}"'):
        hit += any(isinstance(v, str) and sys.argv[2] in v for v in row)
sys.exit(0 if hit else 1)
PY

finish
