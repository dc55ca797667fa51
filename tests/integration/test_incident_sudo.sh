#!/usr/bin/env bash
# What an intruder does as root through sudo after a guessed login is
# one incident with the login: sudo naming the account management
# command (useradd, usermod ...) raises an escalation by the user, and
# root's own records of the changes follow it (docs/scoring.md, pass
# 4).  Other commands run through sudo raise nothing.
. "$(dirname "$0")/lib.sh"

LOG=$SRCDIR/tests/integration/fixtures/incidents/sudo/auth.log
"$VIGIL" analyze --format json "$LOG" >"$T/r.json" 2>"$T/err"
check "analyze exits 0" [ $? -eq 0 ]
check "one incident: the login, the sudo and root's changes" \
	python3 - "$T/r.json" <<'PY'
import json, sys
inc = json.load(open(sys.argv[1]))["incidents"]
assert len(inc) == 1, [i["title"] for i in inc]
i = inc[0]
assert "then escalated privileges" in i["title"], i["title"]
assert i["counts"]["alerts"] >= 5, i["counts"]
PY
"$VIGIL" rules test "$SRCDIR/rules/linux/sudo_account_management.yml" \
	"$LOG" >"$T/t.out" 2>&1
check "the two sudo lines of account management, no other" \
	bash -c "[ \$(grep -c 'hit \[low\] Accounts or groups' '$T/t.out') \
		-eq 2 ] && grep -q 'auth.log:17: hit' '$T/t.out'"

# Commands that manage no account, or run as another user than root.
cat >"$T/other.log" <<'EOL'
2025-03-04T09:00:00+00:00 web01 sudo:      bob : TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/apt update
2025-03-04T09:00:01+00:00 web01 sudo:      bob : TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/less /var/log/passwd.log
2025-03-04T09:00:02+00:00 web01 sudo:      bob : TTY=pts/1 ; PWD=/home/bob ; USER=postgres ; COMMAND=/usr/sbin/usermod -aG sudo bob
2025-03-04T09:00:03+00:00 web01 sudo:      bob : TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/local/bin/passwdgen
EOL
"$VIGIL" rules test "$SRCDIR/rules/linux/sudo_account_management.yml" \
	"$T/other.log" >"$T/o.out" 2>&1
check "nothing else raises it (rc 1)" [ $? -eq 1 ]

# Account programs run directly, through env, busybox or sh -c, account
# files edited or written (lines 1 to 14); read-only status, listings
# and programs that only look alike do not (15 to 22).
"$VIGIL" rules test "$SRCDIR/rules/linux/sudo_account_management.yml" \
	"$SRCDIR/tests/integration/fixtures/incidents/sudo/commands.log" \
	>"$T/c.out" 2>&1
check "account changes through sudo, and only those" \
	bash -c "[ \"\$(grep -o '^[^ ]*: hit' '$T/c.out' |
		sed 's/.*log://; s/: hit//' | tr '\n' ' ')\" = \
		'1 2 3 4 5 6 7 8 9 10 11 12 13 14 ' ]"
finish
