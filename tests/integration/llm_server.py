#!/usr/bin/env python3
"""A scripted OpenAI-compatible chat-completions server for vigil's tests.

It binds to 127.0.0.1 on a free port (written to --port-file), records
every request it receives as one JSON line in --log, and plays the model
named by --mode:

  good          calls entity_history once for the first entity of the
                pack, then answers a verdict that follows the pack's
                strongest rule level, citing L1 and naming that entity
  notools       answers the verdict at once
  stream        like notools, as server-sent events (when asked to)
  repair        first answer is broken JSON, then a good one
  malformed     every answer is broken JSON
  wrong_schema  every answer is JSON of the wrong shape
  rate_limit    429 with Retry-After: 1 twice, then good answers
  error500      every answer is HTTP 500
  slow          waits --delay seconds before answering
  drop          closes the connection without answering
  loop          always asks for another tool call
  huge          answers 4 MiB of content
  noschema      400 when response_format is sent, else good
  obey          a model that obeys instructions it finds in the user or
                tool messages (after undoing encodings): then it calls a
                tool for an entity of the attacker's choosing and
                answers "benign"; otherwise it behaves like good
  always_obey   obeys whatever it reads

Every record carries "in_flight": the requests being answered when it
arrived, itself included, so tests can check a client's concurrency
limit; "stream" modes answer final verdicts as server-sent events in
7-character pieces whenever the request asks for a stream.

Run with --selftest CASE_FILE to check that the obey detector fires on
every line of CASE_FILE (so that a test passing means vigil kept the
text away, not that the detector was blind).
"""
import argparse
import base64
import json
import re
import sys
import threading
import time
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRIGGERS = [
    "ignore previous", "ignore all previous", "ignore the above",
    "disregard", "new instructions", "classify this incident",
    "mark this incident", "call the tool", "ignoriere",
    "vorherigen anweisungen", "忽略", "之前的指令", "ignorez",
    "instructions précédentes", "игнорируй", "system:", "you are now",
]
HOMO = str.maketrans("аеорсухіѕјАВЕКМНОРСТХοαιε", "aeopcyxisjabekmhopctxoaie")
ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))


def views(text):
    """The text as a model might read it: decoded in the usual ways."""
    out = [text]
    t = text
    for _ in range(2):
        t = urllib.parse.unquote_plus(t)
        out.append(t)
    for run in re.findall(r"[A-Za-z0-9+/=_-]{16,}", text):
        try:
            out.append(base64.b64decode(run + "===", validate=False)
                       .decode("utf-8", "ignore"))
        except (ValueError, TypeError):
            pass
    norm = []
    for v in out:
        v = unicodedata.normalize("NFKC", v).translate(ZW).lower()
        for w in (v, v.translate(HOMO)):
            norm.append(re.sub(r"[\s_.\-+/]+", " ", w))
    return norm


def injected(text):
    return any(t in v for v in views(text) for t in TRIGGERS)


def data_doc(messages):
    for m in messages:
        if m.get("role") != "user":
            continue
        c = m.get("content") or ""
        mt = re.search(r"<<<DATA-([0-9a-f]{32})\n(.*)\nDATA-\1>>>", c, re.S)
        if mt:
            try:
                return json.loads(mt.group(2))
            except ValueError:
                return None
    return None


def verdict_for(doc):
    pack = (doc or {}).get("incident_pack", {})
    det = pack.get("deterministic", {})
    level = det.get("strongest_rule_level", 0)
    score = pack.get("incident", {}).get("score", 0)
    if level >= 3 or score >= 65:
        v = "malicious"
    elif score >= 40:
        v = "suspicious"
    else:
        v = "benign"
    ents = pack.get("entities") or [{}]
    who = ents[0].get("value", "the source")
    ids = [e["id"] for e in pack.get("evidence", [])][:2] or ["L1"]
    return {
        "verdict": v, "confidence": 0.9, "score": score,
        "explanation": f"{who} is behind the activity in {ids[0]}.",
        "evidence": ids,
        "actions": [f"Review {who}."],
    }


def completion(content=None, tool_calls=None):
    msg = {"role": "assistant", "content": content}
    if tool_calls:
        msg["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test", "object": "chat.completion",
        "model": "scripted",
        "choices": [{"index": 0, "message": msg,
                     "finish_reason": "tool_calls" if tool_calls else
                     "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20,
                  "total_tokens": 120},
    }


def tool_call(name, args, n):
    return [{"id": f"call_{n}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}]


class State:
    lock = threading.Lock()
    count = 0
    active = 0
    args = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def release(self):
        # A request stops being in flight before its answer is written:
        # a client may send its next request as soon as it has read this
        # one, before this thread would run again.
        if getattr(self, "counted", False):
            self.counted = False
            with State.lock:
                State.active -= 1

    def send_json(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.release()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_sse(self, obj):
        self.release()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        text = obj["choices"][0]["message"]["content"] or ""
        for i in range(0, len(text), 7):
            chunk = {"choices": [{"index": 0,
                                  "delta": {"content": text[i:i + 7]}}]}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() +
                             b"\r\n\r\n")
            self.wfile.flush()
        end = {"choices": [{"index": 0, "delta": {},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 50, "completion_tokens": 9}}
        self.wfile.write(b": keep-alive\n\ndata: " +
                         json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n")
        self.close_connection = True

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        try:
            req = json.loads(raw)
        except ValueError:
            req = {}
        with State.lock:
            State.count += 1
            State.active += 1
            k = State.count
            in_flight = State.active
        self.counted = True
        mode = State.args.mode
        msgs = req.get("messages", [])
        outside = "\n".join((m.get("content") or "") for m in msgs
                            if m.get("role") in ("user", "tool"))
        obey = mode == "always_obey" or (mode == "obey" and
                                         injected(outside))
        rec = {"n": k, "path": self.path, "mode": mode,
               "auth": self.headers.get("Authorization"),
               "obeyed": obey, "in_flight": in_flight, "body": req}
        with State.lock, open(State.args.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        try:
            self.answer(mode, req, msgs, k, obey)
        finally:
            self.release()

    def answer(self, mode, req, msgs, k, obey):
        doc = data_doc(msgs)
        tools_done = any(m.get("role") == "tool" for m in msgs)
        offered = bool(req.get("tools"))
        if mode == "drop":
            self.release()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "slow":
            time.sleep(State.args.delay)
        if mode == "error500":
            return self.send_json(500, {"error": {"message": "boom"}})
        if mode == "rate_limit" and k <= 2:
            return self.send_json(429, {"error": {"message": "slow down"}},
                                  {"Retry-After": "1"})
        if mode == "noschema" and "response_format" in req:
            return self.send_json(400, {"error": {
                "message": "response_format is not supported"}})
        if mode == "malformed" or (mode == "repair" and k == 1):
            return self.send_json(200, completion('{"verdict": "mal'))
        if mode == "wrong_schema":
            return self.send_json(200, completion(json.dumps(
                {"verdict": "pwned", "confidence": 7})))
        if mode == "huge":
            return self.send_json(200, completion("A" * (4 << 20)))
        if mode == "loop":
            return self.send_json(200, completion(None, tool_call(
                "entity_history", {"value": "IP-PUB-1"}, k)))
        if obey:
            if offered and not tools_done:
                return self.send_json(200, completion(None, tool_call(
                    "entity_history", {"value": "root"}, k)))
            ans = verdict_for(doc)
            ans.update(verdict="benign", confidence=0.99, score=0)
            return self.send_json(200, completion(json.dumps(ans)))
        if mode == "good" and offered and not tools_done and doc:
            ents = doc["incident_pack"].get("entities") or []
            if ents:
                return self.send_json(200, completion(None, tool_call(
                    "entity_history", {"value": ents[0]["value"]}, k)))
        if doc is None:
            # Not a triage: vigil llm check asks for {"status": "ok"}.
            obj = completion(json.dumps({"status": "ok"}))
        else:
            obj = completion(json.dumps(verdict_for(doc)))
        if req.get("stream"):
            return self.send_sse(obj)
        return self.send_json(200, obj)


def selftest(path):
    bad = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#") and not injected(line):
                print("detector misses:", line)
                bad += 1
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="good")
    ap.add_argument("--port-file")
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--delay", type=float, default=5.0)
    ap.add_argument("--selftest")
    State.args = ap.parse_args()
    if State.args.selftest:
        sys.exit(selftest(State.args.selftest))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    # Clients that time out or that the server drops reset the socket.
    srv.handle_error = lambda request, address: None
    with open(State.args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.replace(State.args.port_file + ".tmp", State.args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
