#!/bin/bash
# What comes back from a model, checked against what it was shown.
#
#   1. A model that names pseudonyms of other incidents (the map is saved
#      across incidents, so IP-PUB-3 may be a real address elsewhere) gets
#      only this incident's tokens mapped back; the others stay as
#      written, are counted, and named in the explanation.
#   2. When the floor overrules the model, the kept verdict shows the
#      deterministic reasons and the model's text is labelled overruled,
#      in text, JSON and `vigil show`.
#   3. Once an analyst decided an incident, triage says so and shows the
#      analyst's verdict, and no longer asks for an analyst.
#
# The model here is a small scripted server of this test's own: it
# answers "benign" naming the first entity of the pack and every token
# of a fixed list that the request does not hold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"

cat >"$T/foreign.py" <<'PY'
import json, re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CANDIDATES = [f"{k}-{n}" for k in ("IP-PUB", "IP-PRIV", "USER", "HOST")
              for n in range(1, 10)]


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sent = "\n".join(m.get("content") or "" for m in req["messages"]
                         if m.get("role") in ("user", "tool"))
        m = re.search(r"<<<DATA-([0-9a-f]{32})\n(.*?)\nDATA-\1>>>", sent,
                      re.S)
        pack = json.loads(m.group(2))["incident_pack"] if m else {}
        own = (pack.get("entities") or [{}])[0].get("value", "the source")
        other = [t for t in CANDIDATES
                 if not re.search(re.escape(t) + r"(?![0-9A-Za-z])", sent)]
        ans = {"verdict": "benign", "confidence": 0.9, "score": 0,
               "explanation": f"Source {own} and " + " and ".join(other),
               "evidence": ["L1"],
               "actions": [f"Block {t}" for t in other[:3]] +
                          [f"Review {own}"]}
        body = json.dumps({"choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant",
                                       "content": json.dumps(ans)}}],
                           "usage": {"prompt_tokens": 10,
                                     "completion_tokens": 5}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
PY

"$VIGIL_DEMO_GEN" "$T/demo" >/dev/null 2>&1
"$VIGIL" analyze -q --store "$T/db" "$T"/demo/*.log "$T"/demo/*.json \
	>/dev/null 2>&1 || fail "analyze --store"

# Every incident triaged once by the scripted good model: the saved map
# then holds the tokens of all of them.
start_server good
VIGIL_TEST_KEY=k "$VIGIL" triage --all --store "$T/db" \
	--config "$T/vigil.yaml" --format json >/dev/null 2>"$T/err" ||
	fail "triage --all (good model)"
stop_server
python3 "$T/foreign.py" "$T/port2" &
SRV=$!
for _ in $(seq 200); do
	[ -s "$T/port2" ] && break
	sleep 0.05
done
sed -i "s#127.0.0.1:[0-9]*#127.0.0.1:$(cat "$T/port2")#" "$T/vigil.yaml"

VIGIL_TEST_KEY=k "$VIGIL" triage --all --store "$T/db" \
	--config "$T/vigil.yaml" --format json >"$T/out.json" 2>"$T/err" ||
	fail "triage --all (foreign tokens)"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
	"$T/out.json")
check "triaged several incidents ($n)" test "$n" -ge 3
for i in $(seq "$n"); do
	"$VIGIL" show "$i" --store "$T/db" --format json >"$T/inc$i.json" \
		2>/dev/null || fail "show $i"
done

# 1. No address reaches the analyst that the incident itself does not
# hold; foreign tokens stay, are counted and named.
check "only this incident's tokens are mapped back" python3 - "$T" "$n" <<'PY'
import json, re, sys
t, n = sys.argv[1], int(sys.argv[2])
res = {r["incident"]: r for r in json.load(open(f"{t}/out.json"))}
ip = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
bad = 0
for i in range(1, n + 1):
    d = json.load(open(f"{t}/inc{i}.json"))
    own = set(ip.findall(json.dumps([d["entities"], d["evidence"],
                                     d["explanation"]])))
    r = res[i]
    m = r.get("model_overruled") or {}
    text = json.dumps([r["explanation"], r["actions"],
                       m.get("explanation"), m.get("actions")])
    for a in set(ip.findall(text)) - own:
        print(f"incident {i}: another incident's address {a}: {text}")
        bad += 1
    why = m.get("explanation") or r["explanation"]
    if r.get("foreign_tokens", 0) < 1 or \
            "tokens not in this incident left as they are" not in why:
        print(f"incident {i}: foreign tokens not noted: {r}")
        bad += 1
    if re.search(r"Source (IP|USER|HOST|DOMAIN|EMAIL)-", why):
        print(f"incident {i}: its own entity not mapped back: {why}")
        bad += 1
sys.exit(1 if bad else 0)
PY
check "foreign tokens stay in the stored verdict" python3 - "$T/inc1.json" <<'PY'
import json, sys
v = [v for v in json.load(open(sys.argv[1]))["verdicts"]
     if v["producer"] == "llm"][-1]
sys.exit(0 if "left as they are: " in v["explanation"] else 1)
PY

# 2. The floor overrules "benign" on a strong incident.
strong=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["needs_analyst"]:
        print(r["incident"]); break' "$T/out.json")
check "an incident the floor kept (${strong:-none})" test -n "$strong"
strong=${strong:-1}
check "JSON: the kept verdict has the deterministic reasons" \
	python3 - "$T/out.json" "$T/inc$strong.json" "$strong" <<'PY'
import json, sys
r = {r["incident"]: r for r in json.load(open(sys.argv[1]))}[int(sys.argv[3])]
inc = json.load(open(sys.argv[2]))
m = r["model_overruled"]
ok = (r["verdict"] == "malicious" and m and m["verdict"] == "benign" and
      m["explanation"].startswith("Source ") and
      not r["explanation"].startswith("Source ") and
      r["explanation"] == inc["explanation"] and
      not any("Block IP-" in a for a in r["actions"]) and
      any("Block IP-" in a for a in m["actions"]))
sys.exit(0 if ok else 1)
PY
VIGIL_TEST_KEY=k "$VIGIL" triage "$strong" --store "$T/db" \
	--config "$T/vigil.yaml" >"$T/one.txt" 2>&1
check "text: the model's text is labelled overruled" \
	grep -q '^  model (overruled): said benign' "$T/one.txt"
check "text: why is the deterministic reason" \
	bash -c "! grep -q '^  why: Source' '$T/one.txt'"
check "text: still needs an analyst" grep -q '(needs an analyst)' "$T/one.txt"
check "text: the model's actions are listed one a line" \
	grep -q '^      - Block ' "$T/one.txt"
# A deterministic verdict too: its reasons run over several lines.
"$VIGIL" triage "$strong" --no-model --store "$T/db" >/dev/null 2>&1 ||
	fail "triage --no-model"
"$VIGIL" show "$strong" --store "$T/db" >"$T/show.txt" 2>&1
check "show: a verdict's later lines are indented" \
	grep -q '^      What to do next: ' "$T/show.txt"
check "show: the overruled text is labelled" \
	grep -q '^      model (overruled): said benign: Source' "$T/show.txt"
check "show: vigil's own line breaks are not escaped" \
	bash -c "! grep -q 'x0a' '$T/show.txt'"

# 3. The analyst decides; triage then says so.
"$VIGIL" feedback "$strong" benign --note "scheduled scan" \
	--store "$T/db" >/dev/null 2>&1 || fail "feedback"
VIGIL_TEST_KEY=k "$VIGIL" triage "$strong" --store "$T/db" \
	--config "$T/vigil.yaml" >"$T/two.txt" 2>&1
check "text: the analyst's decision is shown" \
	grep -Eq '^  analyst decided: benign \(scheduled scan\) at [0-9]{4}-' \
	"$T/two.txt"
check "text: the analyst's verdict is the verdict" \
	grep -q "^incident $strong: benign" "$T/two.txt"
check "text: no analyst asked for again" \
	bash -c "! grep -q 'needs an analyst' '$T/two.txt'"
VIGIL_TEST_KEY=k "$VIGIL" triage "$strong" --store "$T/db" \
	--config "$T/vigil.yaml" --format json >"$T/two.json" 2>&1
check "JSON: analyst decision, vigil's verdict beside it" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))[0]
a = r["analyst"]
sys.exit(0 if r["verdict"] == "benign" and not r["needs_analyst"] and
         a["verdict"] == "benign" and a["vigil_verdict"] == "malicious" and
         a["note"] == "scheduled scan" else 1)' "$T/two.json"
finish
