#!/bin/bash
# vigil's Windows rules (rules/windows) through the real binary: every
# rule loads without a refusal or warning, fires on its positive fixture
# and stays silent on its negative one.  The fixtures are Windows events
# as flat EventData JSON lines written for these rules, one pair per
# rule file: fixtures/windows/<rule>.pos.jsonl and <rule>.neg.jsonl.
. "$(dirname "$0")/lib.sh"

RULES="$SRCDIR/rules/windows"
FIX="$SRCDIR/tests/integration/fixtures/windows"

"$VIGIL" rules check "$RULES" >"$T/check.out" 2>&1
check "rules check exits 0" [ $? -eq 0 ]
check "every Windows rule loads" grep -q " 0 refused, 100.00% loaded" \
	"$T/check.out"
check "no warning while loading" \
	bash -c "! grep -qi 'warn' '$T/check.out'"

for rule in "$RULES"/*.yml; do
	name=$(basename "$rule" .yml)
	id=$(sed -n 's/^id: //p' "$rule" | head -n 1)
	pos="$FIX/$name.pos.jsonl"
	neg="$FIX/$name.neg.jsonl"
	check "$name has fixtures" test -s "$pos" -a -s "$neg"
	check "$name is listed in docs/rules.md" \
		grep -qF "| \`rules/windows/$name.yml\` |" "$SRCDIR/docs/rules.md"
	"$VIGIL" rules test "$rule" "$pos" >"$T/pos.out" 2>&1
	check "$name fires on its positive" grep -q "($id)" "$T/pos.out"
	"$VIGIL" rules test "$rule" "$neg" >"$T/neg.out" 2>&1
	rc=$?
	check "$name silent on its negative (rc $rc)" [ "$rc" -eq 1 ]
done

# A file holding several alerting correlations: the ones after the first
# have fixtures of their own, <rule>.<what>.jsonl, that must fire each id.
wmi="$RULES/win_security_wmi_process_after_network_logon.yml"
"$VIGIL" rules test "$wmi" \
	"$FIX/win_security_wmi_process_after_network_logon.session.jsonl" \
	>"$T/wmi.out" 2>&1
check "WMI child in the logon session (Sysmon 1)" \
	grep -q "(8445530a-66b8-4d17-9a99-7920120f5f97)" "$T/wmi.out"
check "WMI child in the logon session (4688)" \
	grep -q "(c987e681-5a91-4857-baa0-fde83a14095d)" "$T/wmi.out"

# The port sweep file counts outbound and inbound connections apart.
wfp="$RULES/win_security_wfp_port_sweep.yml"
"$VIGIL" rules test "$wfp" "$FIX/win_security_wfp_port_sweep.pos.jsonl" \
	>"$T/wfp.out" 2>&1
check "port sweep from this host (outbound)" \
	grep -q "(238b8012-69a2-4c9c-a68c-84ced35a7652)" "$T/wfp.out"
check "port sweep of this host (inbound)" \
	grep -q "(fb5da14e-406e-462f-ad8a-588920e2c601)" "$T/wfp.out"

# Sysmon gives an accepted connection's local end as its source in some
# versions and its remote end in others; one correlation for each.
smb="$RULES/win_sysmon_smb_callback_to_client.yml"
"$VIGIL" rules test "$smb" \
	"$FIX/win_sysmon_smb_callback_to_client.remote.jsonl" >"$T/smb.out" 2>&1
check "SMB connection back to a client (remote end as source)" \
	grep -q "(5c378c4b-c562-4290-b40c-4f6cb2e59e11)" "$T/smb.out"

# Security 4688 names the new process's session as TargetLogonId.
wmic="$RULES/win_process_wmi_child_many_logon_sessions.yml"
"$VIGIL" rules test "$wmic" \
	"$FIX/win_process_wmi_child_many_logon_sessions.security.jsonl" \
	>"$T/wmic.out" 2>&1
check "programs through WMI in three sessions (4688)" \
	grep -q "(158dafae-306f-4e6c-b17b-312b011e16fc)" "$T/wmic.out"

# A task updated (4702) carries its XML as TaskContentNew, not
# TaskContent as a created one (4698) does.
task="$RULES/win_security_scheduled_task_user_folder.yml"
"$VIGIL" rules test "$task" \
	"$FIX/win_security_scheduled_task_user_folder.updated.jsonl" \
	>"$T/task.out" 2>&1
check "a task updated to run from a user folder (4702)" \
	grep -q "(bfc04c9a-2fdc-4749-b229-02c41d371706)" "$T/task.out"

finish
