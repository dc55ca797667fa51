#!/bin/bash
# Self-describing logs through the real binary: an IIS log (W3C extended)
# whose header changes mid-file and that holds a web attack, Zeek's TSV
# logs, and the same Zeek records as JSON lines giving the same alerts.
# Fixtures: tests/integration/fixtures/w3c and fixtures/zeek (tsv/ and
# json/ hold the same records).
. "$(dirname "$0")/lib.sh"

FX="$SRCDIR/tests/integration/fixtures"
IIS="$FX/w3c/u_ex240301.log"

# stat FILE KEY: a stats value of a JSON report ("per_format.w3c" too).
stat() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["stats"]
for k in sys.argv[2].split("."):
    d = d[k]
print(d)' "$1" "$2"
}

# alerts FILE: one line per alert record, sorted: what fired, when, how
# often, on which entities; evidence text (which differs by form) left out.
alerts() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
rows = []
for a in d["alerts"]:
    ents = sorted((k, tuple(v) if isinstance(v, list) else v)
                  for k, v in a["entities"].items())
    rows.append("%s %s %s %s %s %s" % (a["rule"]["id"], a["ts_first"],
                a["ts_last"], a["count"], a["events"], ents))
for r in sorted(rows):
    print(r)' "$1"
}

# ------------------------------------------------------------------ IIS

run analyze --format json -o "$T/iis.json" "$IIS"
check "IIS log analysed (rc=$rc)" [ $rc -eq 0 ]
check "IIS log: no warning" hasnt "$T/err" "level=warn"
check "IIS log sniffed as w3c, every record" \
	[ "$(stat "$T/iis.json" per_format.w3c)" = 16 ]
check "IIS log: nothing kept raw" [ "$(stat "$T/iis.json" raw)" = 0 ]
alerts "$T/iis.json" >"$T/iis.alerts"
check "SQL injection after the header change fires (web_sql_injection)" \
	has "$T/iis.alerts" "^5da85486-c8d2-4510-9953-10032675d888 2024-03-01T10:05:10"
check "path traversal fires (web_path_traversal)" \
	has "$T/iis.alerts" "^58b7a713-8be7-42e3-ad3f-37a0878ac66e "
check "scanner user agent, spaces written as '+', fires" \
	has "$T/iis.alerts" "198.51.100.23"
python3 "$SRCDIR/tests/integration/check_report.py" \
	"$SRCDIR/docs/vigil-report.schema.json" "$T/iis.json" >"$T/check" 2>&1
check "IIS report valid, evidence at the lines cited" has "$T/check" \
	"report valid"
run analyze "$IIS"
check "evidence cites the attack's line" \
	has "$T/out" "u_ex240301.log:14  2024-03-01 10:05:10 W3SVC1 WEB01"

# The second #Fields changed the columns: s-computername is read there.
cat >"$T/host.yml" <<'EOF'
title: Request served by WEB01
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0001
level: low
logsource: {category: webserver}
detection:
  s: {s-computername: WEB01, cs-uri-stem: /products.aspx, sc-status: 500}
  condition: s
EOF
run rules test "$T/host.yml" "$IIS"
check "rules test reads the columns of the second header" \
	has "$T/out" "u_ex240301.log:14: hit"
check "rules test: one hit, every record decoded" \
	has "$T/out" "records: 16 (16 decoded"

# A request header logged as its own column: cs(Content-Type), which
# webserver rules name cs-content-type.
cat >"$T/ctype.yml" <<'EOF'
title: Java upload by content type
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0010
level: low
logsource: {category: webserver}
detection:
  s:
    cs-content-type: application/octet-stream
    cs-method: POST
    cs-uri-stem|endswith: .jsp
  condition: s
EOF
{
	echo "#Software: Microsoft Internet Information Services 10.0"
	echo "#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(Content-Type)"
	echo "2024-03-01 11:00:00 198.51.100.9 POST /irj/shell.jsp 200 application/octet-stream"
	echo "2024-03-01 11:00:01 198.51.100.9 POST /irj/form.jsp 200 text/plain"
} >"$T/ctype.log"
run rules test "$T/ctype.yml" "$T/ctype.log"
check "cs-content-type reads the cs(Content-Type) column" \
	has "$T/out" "ctype.log:3: hit"
check "and only where it holds the type" has "$T/out" "^hits: 1$"

# So do cs-cookie and cs-host: the cs(Cookie) and cs(Host) columns.
{
	echo "#Software: Microsoft Internet Information Services 10.0"
	echo "#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(Cookie) cs(Host)"
	echo "2024-03-01 11:00:00 198.51.100.9 GET / 200 a=evilcookie evil.example"
	echo "2024-03-01 11:00:01 198.51.100.9 GET / 200 a=b www.example"
} >"$T/ck.log"
for f in "cs-cookie|contains: evilcookie" "cs-host|contains: evil.example" \
	"r-dns|contains: evil.example"; do
	printf 'title: header\nid: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0011\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  s: {%s}\n  condition: s\n' \
		"$f" >"$T/hdr.yml"
	run rules test "$T/hdr.yml" "$T/ck.log"
	check "'${f%%|*}' reads its IIS column" has "$T/out" "ck.log:3: hit"
	check "'${f%%|*}': one hit" has "$T/out" "^hits: 1$"
done

# Compressed, and on standard input: sniffed the same.
gzip -c "$IIS" >"$T/u_ex240301.log.gz"
run analyze --format json -o "$T/gz.json" "$T/u_ex240301.log.gz"
check "gzip IIS log: same alerts" \
	[ "$(alerts "$T/gz.json")" = "$(alerts "$T/iis.json")" ]
"$VIGIL" analyze --format json -o "$T/stdin.json" - <"$IIS" 2>"$T/err"
check "IIS log on standard input: same alerts" \
	[ "$(alerts "$T/stdin.json")" = "$(alerts "$T/iis.json")" ]

# Damage: a record before #Fields, one with a value too many; the rest
# is still read and the attack still found.
{
	echo "#Software: Microsoft Internet Information Services 10.0"
	echo "2024-03-01 09:59:00 10.0.0.5 GET /early.aspx - 443 - 192.0.2.1"
	sed -n '2,$p' "$IIS" | tr -d '\r' | sed '4s/$/ extra/'
} >"$T/damaged.log"
run analyze --format json -o "$T/damaged.json" "$T/damaged.log"
check "damaged IIS log analysed (rc=$rc)" [ $rc -eq 0 ]
check "a record before #Fields is named with file and line" \
	has "$T/err" "src=$T/damaged.log line=2 msg=\"record before any #Fields header; kept raw\""
check "a record with a value too many is named with both counts" \
	has "$T/err" "line=6 msg=\"record has 16 fields where the #Fields header of line 5 names 15; kept raw\""
check "both kept raw and counted bad" \
	[ "$(stat "$T/damaged.json" raw)/$(stat "$T/damaged.json" bad_records)" = 2/2 ]
check "the rest is read: the attack is still found" \
	has "$T/damaged.json" "5da85486-c8d2-4510-9953-10032675d888"

# A line of junk before the header: still IIS, the junk kept raw.
{ echo "copied from web01 on Friday"; cat "$IIS"; } >"$T/banner.log"
run analyze --format json -o "$T/banner.json" "$T/banner.log"
check "a banner before an IIS header: sniffed as w3c" \
	[ "$(stat "$T/banner.json" per_format.w3c)" = 17 ]
check "the banner is named as a record before any #Fields" \
	has "$T/err" "banner.log line=1 msg=\"record before any #Fields header"
check "the attack is still found" \
	has "$T/banner.json" "5da85486-c8d2-4510-9953-10032675d888"

# A log whose header was lost is not told by sniffing; forced, its
# records are said to stand before any #Fields.
sed -n '5,8p' "$IIS" >"$T/headless.log"
run analyze -F w3c "$T/headless.log"
check "forced w3c on a headless log: each record named" \
	has "$T/err" "headless.log line=3 msg=\"record before any #Fields header"
run rules test "$T/host.yml" "$T/damaged.log"
check "rules test names a record its header does not fit" \
	has "$T/err" "damaged.log:6: record has 16 fields where the #Fields header of line 5 names 15; kept raw$"
{
	echo "#Fields: date time c-ip cs-method"
	for i in $(seq 1 50); do echo "2024-03-01 10:00:00 192.0.2.1 GET extra"; done
} >"$T/many.log"
run rules test "$T/host.yml" "$T/many.log"
check "rules test says three refusals, then how many more" \
	[ "$(grep -c 'kept raw$' "$T/err")" = 3 ]
check "and counts the rest" \
	has "$T/err" "many.log: 47 more records did not fit their column header"
run analyze --input-format w3c --format json -o "$T/forced.json" "$IIS"
check "--input-format w3c reads the IIS log as sniffed" \
	[ "$(alerts "$T/forced.json")" = "$(alerts "$T/iis.json")" ]

# ----------------------------------------------------------------- Zeek

# Rules on what only Zeek's own fields say, in each log: a bool (T/F in
# TSV, true/false in JSON), a vector, a port, a set left empty.
R="$T/zeek-rules"
mkdir -p "$R"
cat >"$R/zeek_test.yml" <<'EOF'
title: Connection attempt to 4444 from a local host
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0002
level: medium
logsource: {product: zeek, service: conn}
detection:
  s: {id.resp_p: 4444, conn_state: S0, local_orig: 'true'}
  condition: s
---
title: Rejected DNS query
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0003
level: low
logsource: {product: zeek, service: dns}
detection:
  s: {rejected: 'true'}
  condition: s
---
title: DNS answer in 198.51.100.0/24
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0004
level: low
logsource: {product: zeek, service: dns}
detection:
  s: {answers|contains: '"198.51.100.', rejected: 'false'}
  condition: s
---
title: Executable put over WebDAV
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0005
level: medium
logsource: {product: zeek, service: http}
detection:
  s:
    method: PUT
    user_agent|contains: WebDAV
    orig_mime_types|contains: dosexec
  condition: s
---
title: Tunnelled connection
id: 5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0006
level: low
logsource: {product: zeek, service: conn}
detection:
  s: {tunnel_parents|contains: CxT2}
  condition: s
EOF
zeek_rules=(-r "$R")
community="$DATASETS/sigma/rules/network/zeek"
if [ -d "$community" ]; then
	zeek_rules+=(-r "$community")
else
	echo "SKIP: community Zeek rules: none under $DATASETS"
fi

run analyze --format json -o "$T/tsv.json" "${zeek_rules[@]}" "$FX/zeek/tsv"
check "Zeek TSV analysed (rc=$rc)" [ $rc -eq 0 ]
check "Zeek TSV: no warning" hasnt "$T/err" "level=warn"
check "Zeek TSV sniffed, every record decoded" \
	[ "$(stat "$T/tsv.json" per_format.zeek)/$(stat "$T/tsv.json" raw)" = 37/0 ]
alerts "$T/tsv.json" >"$T/tsv.alerts"
for id in 0002 0003 0004 0005 0006; do
	check "Zeek TSV: test rule ...$id fires" \
		has "$T/tsv.alerts" "^5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e$id "
done
check "Zeek TSV: the rejected query fired its rule twice" \
	has "$T/tsv.alerts" "^5b0c7a52-9d0e-4c59-9d1a-6f3c2a1e0003 2024-03-01T10:01:45.750000Z 2024-03-01T10:01:46.000000Z 2 "
check "Zeek http.log: SQL injection in a uri (category webserver)" \
	has "$T/tsv.alerts" "^5da85486-c8d2-4510-9953-10032675d888 "

run analyze --format json -o "$T/json.json" "${zeek_rules[@]}" "$FX/zeek/json"
check "Zeek JSON analysed (rc=$rc)" [ $rc -eq 0 ]
alerts "$T/json.json" >"$T/json.alerts"
check "Zeek TSV and JSON: the same alerts ($(wc -l <"$T/tsv.alerts"))" \
	diff "$T/tsv.alerts" "$T/json.alerts"
if [ -d "$community" ]; then
	check "community rules fire on both: DNS TOR proxies" \
		has "$T/tsv.alerts" "^a8322756-015c-42e7-afb1-436e85ed3ff5 "
	check "community rules fire on both: WebDav PUT" \
		has "$T/tsv.alerts" "^705072a5-bb6f-4ced-95b6-ecfa6602090b "
fi

# Logs joined into one file: each header block starts afresh.
cat "$FX"/zeek/tsv/conn.log "$FX"/zeek/tsv/dns.log "$FX"/zeek/tsv/http.log \
	>"$T/joined.log"
run analyze --format json -o "$T/joined.json" "${zeek_rules[@]}" \
	"$T/joined.log"
check "joined Zeek logs: the same alerts as apart" \
	[ "$(alerts "$T/joined.json")" = "$(cat "$T/tsv.alerts")" ]
run analyze -F zeek --format json -o "$T/zforced.json" "${zeek_rules[@]}" \
	"$T/joined.log"
check "--input-format zeek: the same" \
	[ "$(alerts "$T/zforced.json")" = "$(cat "$T/tsv.alerts")" ]

# A record cut short, and one before the header.
{
	printf '1709287200.1\tCq\t10.0.0.5\n'
	sed '10s/\t[^\t]*$//' "$FX/zeek/tsv/conn.log"
} >"$T/zdamaged.log"
run analyze -F zeek "$T/zdamaged.log"
check "Zeek: a record before #fields is named with its line" \
	has "$T/err" "zdamaged.log line=1 msg=\"record before any #fields header; kept raw\""
check "Zeek: a record a value short is named with both counts" \
	has "$T/err" "zdamaged.log line=11 msg=\"record has 20 fields where the #fields header of line 8 names 21; kept raw\""

run rules test "$R/zeek_test.yml" "$FX/zeek/tsv/conn.log"
check "rules test reads Zeek TSV" has "$T/out" "conn.log:11: hit"

# A rule for one Zeek log reads that log only (and records whose log is
# not known), not every Zeek record.
mkdir -p "$T/rdp"
cat >"$T/rdp/rdp_any.yml" <<'EOF'
title: Any Zeek RDP connection
id: 6d2b9a41-7f0e-4c3a-b8e5-1a9c0d2e3f47
status: test
logsource:
    product: zeek
    service: rdp
detection:
    selection:
        id.resp_p|exists: true
    condition: selection
level: low
EOF
{
	printf '#separator \\x09\n#path\trdp\n'
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tcookie\n'
	printf '1709287300.0\tCr1\t198.51.100.7\t50000\t10.0.0.9\t3389\tadmin\n'
} >"$T/rdp/rdp.log"
run rules test "$T/rdp/rdp_any.yml" "$FX/zeek/tsv" "$FX/zeek/json"
check "a Zeek rdp rule does not fire on conn, dns or http records" \
	has "$T/out" "^hits: 0$"
run rules test "$T/rdp/rdp_any.yml" "$T/rdp/rdp.log"
check "a Zeek rdp rule fires on rdp.log" has "$T/out" "^hits: 1$"
printf '{"ts":1709287300.0,"id.orig_h":"198.51.100.7","id.orig_p":50000,"id.resp_h":"10.0.0.9","id.resp_p":3389,"cookie":"admin"}\n' \
	>"$T/rdp/nopath.json"
run rules test "$T/rdp/rdp_any.yml" "$T/rdp/nopath.json"
check "and on a JSON record whose log is not known" has "$T/out" "^hits: 1$"

# A #fields line split by spaces, not the file's tabs, is said itself.
printf '#separator \\x09\n#path\tconn\n#fields ts uid id.orig_h\n1709290000.0\tC1\t10.0.0.1\n' \
	>"$T/zspace.log"
run analyze "$T/zspace.log"
check "a #fields line split otherwise than its #separator is named" \
	has "$T/err" "zspace.log line=3 msg=\"#fields header is not split by the #separator, a tab"
check "and the records after it are tied to it" \
	has "$T/err" "zspace.log line=4 msg=\"record after the refused header line 3"

# vigil's own rules on what Zeek itself finds: its notices, and a port
# sweep in conn.log that no connection answered.
mkdir -p "$T/zfind"
{
	printf '#separator \\x09\n#path\tnotice\n'
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tnote\tmsg\tsrc\n'
	printf '1709290000.0\t-\t-\t-\t-\t-\tScan::Port_Scan\t198.51.100.66 scanned at least 15 unique ports of host 10.0.0.9 in 0m2s\t198.51.100.66\n'
	printf '1709290060.0\tC5\t198.51.100.66\t50022\t10.0.0.9\t22\tSSH::Password_Guessing\t198.51.100.66 appears to be guessing SSH passwords (seen in 30 connections).\t198.51.100.66\n'
} >"$T/zfind/notice.log"
{
	printf '#separator \\x09\n#path\tconn\n'
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n'
	for p in 21 22 23 25 53 80 110 139 143 443 445 3389; do
		printf '1709290100.%03d\tC%d\t198.51.100.77\t40000\t10.0.0.9\t%d\ttcp\tS0\n' "$p" "$p" "$p"
	done
	printf '1709290200.0\tCok\t10.0.0.5\t40001\t10.0.0.9\t443\ttcp\tSF\n'
} >"$T/zfind/conn.log"
run analyze --format json -o "$T/zfind.json" "$T/zfind"
alerts "$T/zfind.json" >"$T/zfind.alerts"
check "Zeek's port scan notice fires (zeek_notice)" \
	has "$T/zfind.alerts" "^36e59293-be8a-449c-9fbc-8b5ee1ce196b "
check "Zeek's SSH password guessing notice fires" \
	has "$T/zfind.alerts" "^82b94e5a-2db4-4f5b-81e8-972c81ae37aa "
check "an unanswered sweep of 12 ports in conn.log fires (zeek_port_scan)" \
	has "$T/zfind.alerts" "^d96ea7a7-d140-46e1-b429-a8874cd8a1ce .*198.51.100.77"
sed -i '/\t445\t/d; /\t3389\t/d; /\t443\ttcp\tS0/d' "$T/zfind/conn.log"
run analyze --format json -o "$T/zfew.json" "$T/zfind/conn.log"
check "nine ports are no scan" \
	hasnt "$T/zfew.json" "d96ea7a7-d140-46e1-b429-a8874cd8a1ce"

# Zeek's http rules may use the webserver names (c-uri, c-useragent), as
# the community's "Executable from Webdav" does: TSV and JSON alike.
cat >"$T/zweb.yml" <<'EOF'
title: WebDAV client uploads an executable
logsource: {product: zeek, service: http}
detection:
  s:
    c-useragent|contains: WebDAV
    c-uri|endswith: .exe
  condition: s
EOF
run rules test "$T/zweb.yml" "$FX/zeek/tsv/http.log" "$FX/zeek/json/http.log"
check "zeek http: c-uri and c-useragent read the TSV record" \
	has "$T/out" "tsv/http.log:11: hit"
check "zeek http: and the JSON one" has "$T/out" "json/http.log:3: hit"

finish
