#!/usr/bin/env python3
"""Field oracle: vigil's EVTX decoder against the JSON rendering of the
same events.

    sigma_fields_oracle.py VIGIL WORKDIR ROOT...

Each ROOT is walked for EVTX files with a JSON rendering beside them
(the same stem, `.json`): SigmaHQ's regression cases hold `<id>.evtx`
and `<id>.json`, the JSON being evtx_dump's rendering, one
pretty-printed `{"Event": {"#attributes", "System", "EventData"}}`
object per event, several simply concatenated.

For every event of the JSON, one rule is written that matches that one
event (EventRecordID, Channel, Computer, EventID) and lists, as its
Sigma `fields`, every EventData item (or UserData leaf) and System value
of the event; `vigil rules test` prints each of them after the hit, and
each printed value is compared with the JSON's, after the rendering
conventions docs/formats.md gives for evtx (below).  For every field a
second rule asks the matcher the same question as a Sigma rule written
from the JSON would: the event's selection and `FIELD: <JSON value>`
(plain equality, so case-insensitive): a miss there is a rule that would
miss.  A catch-all rule counts the records of each EVTX file, which must
be as many as the JSON holds.

Differences vigil makes on purpose (explained, reported, not failed):

- guid-braces: a GUID is `{XXXXXXXX-...}` as Windows renders it;
  evtx_dump writes it without braces.
- time-digits: a FILETIME has its seven 100 ns digits as Windows
  renders it (a SYSTEMTIME three); evtx_dump writes microseconds.
- float-format: a float in %.9g, the same number.
- trailing-blank: Windows' trailing spaces, kept as written
  (docs/rules.md, padded_fields); evtx_dump trims them.  The equality
  rule then says whether a rule with the trimmed value still matches
  (it must).
- surrogate: a lone UTF-16 surrogate is U+FFFD.
- eventdata-attribute: attributes of EventData itself (TaskScheduler's
  `<EventData Name="TaskDisabled">`) are not fields; evtx_dump shows
  them under `#attributes`.
- empty-userdata: a UserData element the JSON shows as null is an empty
  field in vigil, or none when the template's element is empty: not
  compared.
- system-*: System values vigil gives in Windows' form (Provider_Guid
  with braces, TimeCreated's 7 digits).

Equality rules may not miss: a GUID vigil gives in braces also matches
the GUID alone, and a value with Windows' trailing blanks the value
without them (docs/rules.md, braced_fields and padded_fields).

How a JSON value becomes the expected text: a string as it is, a number
in decimal, a boolean `true`/`false`, null empty, an array's elements
joined with ", "; items without a name (`"Data": [...]` or
`{"#text": [...]}`) joined with newlines into `Data`; a name with
spaces also without them (`Threat Name`, `ThreatName`); UserData
leaves by element name, attributes as ELEMENT_ATTR.

Anything else is a mismatch: printed with the file, record, field, the
JSON value and vigil's, and the exit status is 1.  Values are compared
as `rules test` prints them: control bytes as \\xNN, hidden characters
as \\uNNNN, cut after 400 bytes (the full value is then checked by the
equality rule, case-sensitively).  Prints "compared: ..." counts.
"""
import collections
import json
import os
import re
import subprocess
import sys
import uuid

NS = uuid.UUID("6f1c3f52-5d0a-4c39-9d6e-0f1e2a3b4c5d")
MAXB = 400
CHUNK = 56	# fields a rule lists: 64 shown, 4 of them tested

GUID = re.compile(r"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.(\d+))?Z$")
HIT = re.compile(r"^(.*):(\d+): hit \[\w+\] .* \(([0-9a-f-]{36})\)$")


class Unsupported(Exception):
    pass


def load_events(path):
    """The JSON objects of path: concatenated, one a line, or an array."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8-sig", errors="surrogateescape")
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.extend(obj if isinstance(obj, list) else [obj])


def text_of(v, sep=", "):
    """A JSON value as text, the way vigil renders the same EVTX value."""
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%.9g" % v
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return sep.join(text_of(x) for x in v)
    raise Unsupported(type(v).__name__)


def hidden(cp):
    return (0x80 <= cp <= 0x9F or cp == 0x61C or cp in (0x200E, 0x200F) or
            0x2028 <= cp <= 0x202E or 0x2066 <= cp <= 0x2069)


def shown(s):
    """s as `rules test` prints a value (cli_report_escape, 400 bytes)."""
    out = bytearray()
    for ch in s:
        if len(out) >= MAXB:
            out += b"..."
            break
        cp = ord(ch)
        if cp < 0x20 or cp == 0x7F:
            out += b"\\x%02x" % cp
        elif 0xDC80 <= cp <= 0xDCFF:	# a byte that was no UTF-8
            out += b"\\x%02x" % (cp - 0xDC00)
        elif hidden(cp):
            out += b"\\u%04x" % cp
        else:
            out += ch.encode("utf-8")
    return out.decode("utf-8", errors="replace")


def no_surrogates(s):
    return re.sub("[\ud800-\udfff]", "\ufffd", s)


def sigma_escape(s):
    """A literal as a Sigma value: backslashes and wildcards escaped."""
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def q(s):
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(s, ensure_ascii=True)


# --------------------------------------------------------- expectations


def eventdata_fields(ed, want, notes):
    """EventData items: name -> (JSON value, text vigil should give)."""
    if ed is None:
        return
    if not isinstance(ed, dict):
        notes.append(("eventdata-shape", "EventData", repr(ed)[:80]))
        return
    unnamed = []
    for k, v in ed.items():
        if k == "#attributes":
            for a, av in (v or {}).items():
                if not a.startswith("xmlns"):
                    notes.append(("eventdata-attribute", "EventData_" + a,
                                  text_of(av)))
            continue
        if k in ("Data", "#text"):
            # Items without a name: Data, or {"#text": [...]}.
            if isinstance(v, dict):
                v = v.get("#text")
            unnamed.extend(v if isinstance(v, list) else [v])
            continue
        if isinstance(v, dict):
            # An element under EventData other than Data (Binary ...).
            if "#text" in v:
                want[k] = (v["#text"], text_of(v["#text"]))
            for a, av in (v.get("#attributes") or {}).items():
                if not a.startswith("xmlns"):
                    want[k + "_" + a] = (av, text_of(av))
            continue
        want[k] = (v, text_of(v))
        sq = k.replace(" ", "")
        if sq != k and sq:
            want.setdefault(sq, (v, text_of(v)))
    if unnamed:
        want["Data"] = (unnamed, "\n".join(text_of(x) for x in unnamed))


def userdata_fields(node, name, want, notes):
    """UserData leaves by element name, attributes as ELEMENT_ATTR."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "#attributes":
                for a, av in (v or {}).items():
                    if not a.startswith("xmlns"):
                        want[name + "_" + a] = (av, text_of(av))
            elif k == "#text":
                want[name] = (v, text_of(v))
            else:
                userdata_fields(v, k, want, notes)
    elif isinstance(node, list):
        # A repeated element: the last one is the field.
        notes.append(("userdata-repeated", name, str(len(node))))
        for x in node:
            userdata_fields(x, name, want, notes)
    elif node is None:
        want[name] = (None, None)	# empty element: no field
    else:
        want[name] = (node, text_of(node))


def system_fields(sysd, want):
    for k, v in sysd.items():
        if isinstance(v, dict):
            if "#text" in v:
                want[k] = (v["#text"], text_of(v["#text"]))
            for a, av in (v.get("#attributes") or {}).items():
                if av is not None:
                    want[k + "_" + a] = (av, text_of(av))
        elif v is not None:
            want[k] = (v, text_of(v))


# Fields Windows is known to write with trailing blanks (4624's logon
# process, a ShellExecute'd command line, Defender's error text).  A
# trailing blank elsewhere is a mismatch: a decoder that added one to
# every value would otherwise pass.
PADDED = {"LogonProcessName", "CommandLine", "ParentCommandLine",
          "Error Description", "ErrorDescription"}


def explain(jv, exp, got, system, name):
    """The kind of a difference of field name, and whether vigil means
    it."""
    if got is None:
        return "missing", False
    if isinstance(jv, str) and GUID.match(jv) and \
            got.lower() == "{" + jv.lower() + "}":
        kind = "guid-braces" + ("" if got == "{" + jv + "}" else "+case")
        return ("system-" if system else "") + kind, True
    m, g = ISO.match(exp), ISO.match(got)
    if m and g and m.group(1) == g.group(1):
        a, b = (m.group(3) or "").rstrip("0"), (g.group(3) or "").rstrip("0")
        if a.startswith(b) or b.startswith(a):
            # FILETIME with Windows' 7 digits (SYSTEMTIME's 3).
            return ("system-" if system else "") + "time-digits", True
    if isinstance(jv, float):
        try:
            if abs(float(got) - jv) <= 1e-6 * max(1.0, abs(jv)):
                return "float-format", True
        except ValueError:
            pass
    if exp != no_surrogates(exp) and got == shown(no_surrogates(exp)):
        return "surrogate", True
    if got.lower() == exp.lower():
        return "case", False
    if got.rstrip(" \t") == exp and got != exp:
        # Windows' trailing blanks, kept as written (docs/rules.md,
        # padded_fields); evtx_dump trims them.  The equality rule
        # decides whether a rule still matches.
        return "trailing-blank", name in PADDED
    if got.strip() == exp.strip():
        return "whitespace", False
    return "value", False


# ----------------------------------------------------------------- main


def rule(rid, title, sel, fields=None):
    lines = ["title: " + q(title), "id: " + rid, "status: test",
             "logsource:", "  product: windows", "detection:", "  sel:"]
    for k, v in sel:
        lines.append("    %s: %s" % (q(k), v))
    lines += ["  condition: sel", "level: low"]
    if fields:
        lines.append("fields:")
        lines += ["  - " + q(f) for f in fields]
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    vigil, work, roots = args[0], args[1], args[2:]
    rel = os.path.commonpath(roots) if roots else "."
    pairs = []
    for root in roots:
        for d, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith(".evtx"):
                    js = os.path.join(d, f[:-5] + ".json")
                    if os.path.exists(js):
                        pairs.append((os.path.join(d, f), js))
    pairs.sort()
    if not pairs:
        print("no EVTX file with a JSON rendering beside it")
        return 77
    rdir = os.path.join(work, "rules")
    os.makedirs(rdir, exist_ok=True)
    events = {}		# event rule id -> case data
    checks = {}		# field rule id -> (event rule id, field)
    notes_all = []
    n_json = collections.Counter()

    catch = str(uuid.uuid5(NS, "catch-all"))
    with open(os.path.join(rdir, "catch.yml"), "w") as f:
        f.write(rule(catch, "oracle: every record",
                     [("EventRecordID|exists", "true")]))

    for evtx, js in pairs:
        try:
            evs = load_events(js)
        except ValueError as e:
            print("MISMATCH %s: JSON not readable: %s" % (js, e))
            return 1
        n_json[evtx] = len(evs)
        for n, o in enumerate(evs):
            e = o.get("Event", o)
            sysd = e.get("System") or {}
            eid = sysd.get("EventID")
            if isinstance(eid, dict):
                eid = eid.get("#text")
            sel = [("EventRecordID", text_of(sysd.get("EventRecordID"))),
                   ("Channel", q(sigma_escape(text_of(sysd.get("Channel"))))),
                   ("Computer", q(sigma_escape(text_of(sysd.get("Computer"))))),
                   ("EventID", text_of(eid))]
            want, swant, notes = {}, {}, []
            try:
                eventdata_fields(e.get("EventData"), want, notes)
                if "UserData" in e:
                    userdata_fields(e["UserData"], "UserData", want, notes)
                system_fields(sysd, swant)
            except Unsupported as x:
                notes.append(("unsupported", js, str(x)))
            for s in ("EventRecordID", "Channel", "Computer", "EventID"):
                swant.pop(s, None)	# tested by the selection
            for k in list(swant):
                if k in want:
                    del swant[k]
            rid = str(uuid.uuid5(NS, "%s#%d" % (js, n)))
            names = list(want) + list(swant)
            # rules test shows 64 values a hit, the tested ones first.
            chunks = [names[i:i + CHUNK]
                      for i in range(0, len(names), CHUNK)] or [[]]
            ev = dict(evtx=evtx, js=js, n=n, want=want, swant=swant,
                      notes=notes, rec=sysd.get("EventRecordID"),
                      rules=[])
            events[rid] = ev
            for c, part in enumerate(chunks):
                cid = str(uuid.uuid5(NS, "%s#%d/%d" % (js, n, c)))
                ev["rules"].append(cid)
                with open(os.path.join(rdir, cid + ".yml"), "w") as f:
                    f.write(rule(cid, "oracle event %d of %s (%d)" %
                                 (n, js, c), sel, part))
            for k, (jv, exp) in want.items():
                if exp is None:
                    continue
                fid = str(uuid.uuid5(NS, "%s#%d#%s" % (js, n, k)))
                checks[fid] = (rid, k)
                cased = len(shown(exp)) > MAXB
                key = k + ("|cased" if cased else "")
                with open(os.path.join(rdir, fid + ".yml"), "w") as f:
                    f.write(rule(fid, "oracle field %s" % k,
                                 sel + [(key, q(sigma_escape(exp)))]))

    p = subprocess.run([vigil, "rules", "test", rdir] +
                       [x[0] for x in pairs], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8", errors="replace")
    if p.returncode > 1:
        print("vigil rules test failed (exit %d):\n%s" %
              (p.returncode, p.stderr.decode(errors="replace")[-2000:]))
        return 1

    # hits: (file, rule id) -> [(record, {name: value})]
    hits = collections.defaultdict(list)
    cur = None
    for line in out.split("\n"):
        m = HIT.match(line)
        if m:
            cur = {}
            hits[(m.group(1), m.group(3))].append((int(m.group(2)), cur))
            continue
        if cur is not None and line.startswith("    "):
            body = line[4:]
            if body.startswith("field "):
                body = body[6:]
            elif body.startswith("unmatched "):
                body = body[10:]
            name, sep, val = body.partition(": ")
            if sep:
                cur[name] = val
        elif not line.startswith("    "):
            cur = None

    bad = []
    kinds = collections.Counter()
    examples = {}
    n_fields = n_sys = n_events = 0
    for evtx in n_json:
        got = len(hits.get((evtx, catch), []))
        if got != n_json[evtx]:
            bad.append("%s: %d records in the EVTX file, %d events in "
                       "its JSON" % (os.path.relpath(evtx, rel), got,
                                     n_json[evtx]))
    shown_of = {}	# event rule id -> {field: printed value}
    for rid, ev in events.items():
        where = "%s event %d (EventRecordID %s)" % (
            os.path.relpath(ev["js"], rel), ev["n"], ev["rec"])
        ev["where"] = where
        for kind, name, val in ev["notes"]:
            kinds[kind] += 1
            examples.setdefault(kind, (where, name, val, None))
            if kind in ("unsupported", "eventdata-shape"):
                bad.append("%s: %s cannot be compared: %s" %
                           (where, name, val))
        vals, recs = {}, set()
        for cid in ev["rules"]:
            h = hits.get((ev["evtx"], cid), [])
            recs.update(r for r, _ in h)
            if len(h) == 1:
                vals.update(h[0][1])
        if len(recs) != 1 or any(len(hits.get((ev["evtx"], c), [])) != 1
                                 for c in ev["rules"]):
            bad.append("%s: the event's rules hit records %s" %
                       (where, sorted(recs) or "none"))
            continue
        n_events += 1
        shown_of[rid] = vals
        for system, want in ((False, ev["want"]), (True, ev["swant"])):
            for k, (jv, exp) in want.items():
                g = vals.get(k)
                if exp is None:		# empty UserData element
                    kind = "empty-userdata"
                    kinds[kind] += 1
                    examples.setdefault(kind, (where, k, "null", g))
                    continue
                if system:
                    n_sys += 1
                else:
                    n_fields += 1
                if g == shown(exp):
                    continue
                kind, meant = explain(jv, exp, g, system, k)
                kinds[kind] += 1
                examples.setdefault(kind, (where, k, shown(exp), g))
                if not meant:
                    bad.append("%s: %s: JSON %s, vigil %s (%s)" % (
                        where, k, json.dumps(shown(exp)),
                        "no field" if g is None else json.dumps(g), kind))
    # The equality rules: a Sigma rule written from the JSON's value.
    missed = collections.Counter()
    for fid, (rid, k) in checks.items():
        ev = events[rid]
        if rid not in shown_of or hits.get((ev["evtx"], fid)):
            continue
        jv, exp = ev["want"][k]
        g = shown_of[rid].get(k)
        kind, meant = explain(jv, exp, g, False, k) \
            if g != shown(exp) else ("differs past the 400 bytes shown",
                                     False)
        missed[kind] += 1
        bad.append("%s: %s: a rule testing the JSON value %s misses "
                   "(vigil %s, %s)" % (
                       ev["where"], k, json.dumps(shown(exp)),
                       "no field" if g is None else json.dumps(g), kind))

    print("compared: %d files, %d events, %d EventData/UserData fields, "
          "%d System values" % (len(pairs), n_events, n_fields, n_sys))
    print("equality rules: %d, %d hit" %
          (len(checks), len(checks) - sum(missed.values())))
    for kind, c in sorted(kinds.items()):
        where, name, jv, g = examples[kind]
        print("difference %s: %d, e.g. %s: %s: JSON %s, vigil %s" % (
            kind, c, where, name, json.dumps(jv),
            "no field" if g is None else json.dumps(g)))
    for kind, c in sorted(missed.items()):
        print("equality rules on the JSON value that miss (%s): %d" %
              (kind, c))
    for b in bad:
        print("MISMATCH " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
