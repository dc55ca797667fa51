#!/usr/bin/env python3
"""Build, for every Windows community rule, one event its own detection
must match, as a flat EventData JSON line.

    sigma_selfcheck.py LOGSOURCES SIGMA OUTDIR

The event takes the channel and event id of the rule's log source from
the Sigma taxonomy appendix (SIGMA/specification/specification/
sigma-appendix-taxonomy.md), so that vigil's own mapping is checked
against it; for a log source the appendix does not describe, from
LOGSOURCES (data/logsources-windows.yml), vigil's mapping.  Every rule*/
folder under SIGMA is read; rules with another product,
correlations and what the builder cannot satisfy are counted as skipped
(regular expressions, placeholders, field references, keyword lists).

For each rule the builder looks for selections that make the condition
true when only they hold (all positive selections first, then one, two or
three of them), and writes each of their fields with a value that meets
the modifiers: wildcards removed, the pieces of one field laid out as
startswith, then contains, then endswith; base64 and UTF-16 encodings
applied; numbers above or below the bound.  A field that a filter tests
for null or empty gets a neutral value, so that the filter stays false.

Writes OUTDIR/NNNNN.jsonl, one event each, and OUTDIR/index.tsv with
"file<TAB>rule id<TAB>rule path" lines; prints the counts.
"""
import base64
import fnmatch
import ipaddress
import itertools
import json
import os
import re
import sys

import yaml


class Skip(Exception):
    """The rule is out of reach of the builder; the argument says why."""


def first(value):
    return value[0] if isinstance(value, list) else value


def plain(value):
    """A Sigma value with its wildcards taken out: '*' matches the empty
    string and '?' one 'x'; escaped wildcards and backslashes stay."""
    s, out, i = str(value), [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "*?\\":
            out.append(s[i + 1])
            i += 2
            continue
        if c != "*":
            out.append("x" if c == "?" else c)
        i += 1
    return "".join(out)


def encode(text, mods):
    if "utf16le" in mods or "wide" in mods or "utf16" in mods:
        raw = text.encode("utf-16le")
    elif "utf16be" in mods:
        raw = text.encode("utf-16be")
    else:
        raw = text.encode()
    return base64.b64encode(raw).decode()


def value_for(mods, values):
    """A string the field may hold to match VALUES under MODS; None for
    a field that must be absent."""
    values = values if isinstance(values, list) else [values]
    for m in ("re", "expand", "fieldref"):
        if m in mods:
            raise Skip(m)
    if "exists" in mods:
        return None if str(values[0]).lower() == "false" else "x"
    if {"gt", "gte", "lt", "lte"} & set(mods):
        n = int(values[0])
        return str(n + 1 if "gt" in mods else n - 1 if "lt" in mods else n)
    if "neq" in mods:
        return str(values[0]) + "zz"
    if "cidr" in mods:
        net = ipaddress.ip_network(str(values[0]), strict=False)
        step = 1 if net.num_addresses > 1 else 0
        return str(net.network_address + step)
    if values[0] is None:
        return None
    pieces = [plain(v) for v in (values if "all" in mods else values[:1])]
    if "base64" in mods or "base64offset" in mods:
        pieces = [encode(p, mods) for p in pieces]
    return " ".join(pieces)


def where(mods):
    if "startswith" in mods:
        return 0
    if "endswith" in mods:
        return 2
    if "contains" in mods or "base64offset" in mods:
        return 1
    return -1                           # the whole value


def add_selection(selection, pieces):
    """Adds, per field, (place, value) pieces that meet SELECTION (its
    first map when it is a list of maps)."""
    if isinstance(selection, list):
        if not all(isinstance(m, dict) for m in selection):
            raise Skip("keywords")
        selection = selection[0]
    if not isinstance(selection, dict):
        raise Skip("keywords")
    for key, values in selection.items():
        name, *mods = key.split("|")
        if not name:
            raise Skip("keywords")
        pieces.setdefault(name, []).append((where(mods),
                                            value_for(mods, values)))


def compose(pieces):
    if any(v is None for _, v in pieces):
        return None
    whole = [v for place, v in pieces if place < 0]
    if whole:
        return whole[0]
    return "".join(v for _, v in sorted(pieces, key=lambda p: p[0]))


TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9_*.\-]+)")


def holds(condition, names, true):
    """Evaluates a Sigma condition with the selections in TRUE holding."""
    tokens, i = [], 0
    condition = condition.strip()
    while i < len(condition):
        m = TOKEN.match(condition, i)
        if not m:
            raise Skip("condition")
        tokens.append(m.group(1))
        i = m.end()
    at = [0]

    def peek():
        return tokens[at[0]] if at[0] < len(tokens) else None

    def take():
        at[0] += 1
        return tokens[at[0] - 1]

    def named(pattern):
        if pattern == "them":
            return list(names)
        return [n for n in names if fnmatch.fnmatchcase(n, pattern)]

    def atom():
        t = take()
        if t == "(":
            v = any_of()
            take()
            return v
        if t == "not":
            return not atom()
        if peek() == "of":
            take()
            group = named(take())
            if t == "all":
                return bool(group) and all(n in true for n in group)
            return sum(n in true for n in group) >= int(t)
        if t not in names:
            raise Skip("condition")
        return t in true

    def all_of():
        v = atom()
        while peek() == "and":
            take()
            v = atom() and v
        return v

    def any_of():
        v = all_of()
        while peek() == "or":
            take()
            v = all_of() or v
        return v

    try:
        return any_of()
    except IndexError:
        raise Skip("condition")


def chosen_selections(detection):
    condition = detection["condition"]
    if isinstance(condition, list):
        condition = condition[0]
    names = [n for n in detection if n not in ("condition", "timeframe")]
    positive = [n for n in names if not n.lower().startswith("filter")]
    tries = [positive] + [list(c) for k in (1, 2, 3)
                          for c in itertools.combinations(positive, k)]
    for true in tries:
        if holds(condition, names, set(true)):
            return true
    raise Skip("condition")


def taxonomy(path):
    """The Windows rows of the taxonomy appendix: (category, service) ->
    the first channel and event id its description names."""
    rows = {}
    if not os.path.exists(path):
        return rows
    for line in open(path, encoding="utf-8"):
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 4 or cells[1] != "windows":
            continue
        source = dict(re.findall(r"(category|service): ([\w-]+)", cells[2]))
        channel = re.search(r"Channel:\s*(?:<br>\s*-\s*)?([^<]+)", cells[3])
        event_id = re.search(r"EventIDs?:\s*(?:<br>\s*-\s*)?(\d+)", cells[3])
        when = {}
        if channel:
            when["Channel"] = channel.group(1).strip()
        if event_id:
            when["EventID"] = int(event_id.group(1))
        if when:
            rows[(source.get("category"), source.get("service"))] = when
    return rows


def source_entries(path):
    data = yaml.safe_load(open(path))
    return [e for e in data["sources"] if e.get("product") == "windows"]


def entry_for(entries, logsource):
    for e in entries:
        if all(logsource.get(k) == e.get(k) for k in ("category", "service")):
            if "refuse" in e:
                raise Skip("refused")
            return e
    raise Skip("logsource")


def when_for(entry, spec, logsource):
    """The System values of the event: the appendix's, else vigil's; the
    service's own values (a provider name) come along."""
    when = entry.get("when") or {}
    if isinstance(when, list):
        when = when[0]
    when = {k: first(v) for k, v in when.items()}
    key = (logsource.get("category"), logsource.get("service"))
    if key in spec:
        if "EventID" in spec[key] or "EventID" not in when:
            when.pop("EventID", None)
        when.update(spec[key])
    return when


def event_for(rule, entries, spec):
    detection = rule["detection"]
    logsource = rule.get("logsource") or {}
    entry = entry_for(entries, logsource)
    event = when_for(entry, spec, logsource)
    event.setdefault("Computer", "host1.example.test")
    event["TimeCreated_SystemTime"] = "2024-01-01T00:00:00Z"
    chosen = chosen_selections(detection)
    pieces = {}
    for name in chosen:
        add_selection(detection[name], pieces)
    for field, parts in pieces.items():
        value = compose(parts)
        if value is None:
            event.pop(field, None)
        else:
            event[field] = value
    for name, selection in detection.items():
        if name in chosen or name in ("condition", "timeframe"):
            continue
        for m in selection if isinstance(selection, list) else [selection]:
            if not isinstance(m, dict):
                continue
            for key, values in m.items():
                field = key.split("|")[0]
                values = values if isinstance(values, list) else [values]
                if (field and field not in event and field not in pieces
                        and any(v in (None, "", "-") for v in values)):
                    event[field] = "q9neutral"
    return event


def main():
    logsources, sigma, outdir = sys.argv[1:4]
    entries = source_entries(logsources)
    spec = taxonomy(os.path.join(sigma, "specification", "specification",
                                 "sigma-appendix-taxonomy.md"))
    paths = []
    for top in sorted(d for d in os.listdir(sigma) if d.startswith("rules")):
        for root, _, files in os.walk(os.path.join(sigma, top)):
            paths += [os.path.join(root, f) for f in files
                      if f.endswith(".yml")]
    os.makedirs(outdir, exist_ok=True)
    made, skipped = 0, {}
    with open(os.path.join(outdir, "index.tsv"), "w") as index:
        for path in sorted(paths):
            try:
                docs = list(yaml.safe_load_all(open(path)))
            except yaml.YAMLError:
                continue
            rule = docs[0] if docs else None
            if (len(docs) != 1 or not isinstance(rule, dict)
                    or "detection" not in rule
                    or (rule.get("logsource") or {}).get("product")
                    != "windows"):
                continue
            try:
                event = event_for(rule, entries, spec)
            except Skip as why:
                skipped[str(why)] = skipped.get(str(why), 0) + 1
                continue
            name = os.path.join(outdir, "%05d.jsonl" % made)
            with open(name, "w") as f:
                f.write(json.dumps(event) + "\n")
            index.write("%s\t%s\t%s\n" % (name, rule.get("id"), path))
            made += 1
    print("taxonomy rows: %d" % len(spec))
    print("built %d events; skipped %s" % (made, ", ".join(
        "%s %d" % kv for kv in sorted(skipped.items())) or "none"))


if __name__ == "__main__":
    main()
