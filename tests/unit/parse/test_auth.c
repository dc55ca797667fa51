/*
 * test_auth.c: PAM, sudo, su and shadow-tool messages, and the program
 * dispatcher that picks among them.
 */
#include "parse_test.h"

#define T "Mar  3 10:00:00 srv "

static const struct parse_row rows[] = {
	{ T "sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
	    "COMMAND=/usr/bin/id -u",
	  "event.action=sudo_command\nuser.name=alice\n"
	  "user.effective.name=root\nprocess.working_directory=/home/alice\n"
	  "process.command_line=/usr/bin/id -u\nevent.dataset=linux.auth\n"
	  "event.outcome=success",
	  "sudo command" },
	{ T "sudo[9]: bob : TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh "
	    "-c a ; b",
	  "process.command_line=/bin/sh -c a ; b",
	  "COMMAND is last and may hold ' ; '" },
	{ T "sudo: bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/ ; "
	    "USER=root ; COMMAND=/bin/ls",
	  "event.action=sudo_auth_failure\nevent.outcome=failure\n"
	  "user.name=bob",
	  "wrong sudo password" },
	{ T "sudo: eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/ ; USER=root ; "
	    "COMMAND=/bin/bash",
	  "event.action=sudo_not_allowed\nuser.name=eve",
	  "not in sudoers" },
	{ T "sudo: eve : command not allowed ; TTY=pts/2 ; PWD=/ ; USER=root ;"
	    " COMMAND=/bin/bash",
	  "event.action=sudo_not_allowed", "command not allowed" },
	{ T "sudo: pam_unix(sudo:auth): authentication failure; logname=eve "
	    "uid=1000 euid=0 tty=/dev/pts/2 ruser=eve rhost=  user=eve",
	  "event.action=pam_auth_failure\nuser.name=eve\n"
	  "user.target.name=eve\n!source.ip",
	  "pam in sudo: ruser acts, user is the target" },
	{ T "sudo: pam_unix(sudo:session): session opened for user root(uid=0)"
	    " by alice(uid=1000)",
	  "event.action=session_opened\nuser.name=root\n"
	  "event.category=session",
	  "sudo session" },
	{ T "su[5]: Successful su for root by alice",
	  "event.action=su_success\nuser.name=alice\nuser.target.name=root",
	  "su success (shadow su)" },
	{ T "su[5]: FAILED su for root by alice",
	  "event.action=su_failure\nevent.outcome=failure\nuser.name=alice",
	  "su failure (shadow su)" },
	{ T "su[5]: (to root) alice on pts/0",
	  "event.action=su_success\nuser.name=alice\nuser.target.name=root",
	  "util-linux su success" },
	{ T "su[5]: FAILED SU (to root) alice on pts/0",
	  "event.action=su_failure\nuser.target.name=root",
	  "util-linux su failure" },
	{ T "su[5]: + pts/0 alice:root",
	  "event.action=su_success\nuser.name=alice\nuser.target.name=root",
	  "old su success" },
	{ T "su[5]: - pts/0 alice:root", "event.action=su_failure",
	  "old su failure" },
	{ T "su[5]: pam_unix(su:auth): authentication failure; logname=alice "
	    "uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root",
	  "event.action=pam_auth_failure\nuser.name=alice\n"
	  "user.target.name=root\nservice.name=su",
	  "pam in su" },
	{ T "login[3]: pam_sss(login:auth): authentication failure; logname= "
	    "uid=0 euid=0 tty=tty1 ruser= rhost= user=carol",
	  "event.action=pam_auth_failure\nuser.name=carol\n"
	  "event.dataset=linux.auth",
	  "pam_sss in any program" },
	{ T "sshd[1]: pam_unix(sshd:auth): check pass; user unknown",
	  "event.action=pam_user_unknown", "pam user unknown" },
	{ T "systemd-logind[1]: pam_unix(systemd-user:session): session "
	    "closed for user dave",
	  "event.action=session_closed\nuser.name=dave",
	  "session closed" },
	{ "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication "
	  "failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=192.0.2.9",
	  "event.action=pam_auth_failure\nsource.ip=192.0.2.9\n"
	  "process.name=sshd\nservice.name=sshd",
	  "old Red Hat tag form" },
	{ T "useradd[7]: new user: name=mallory, UID=1002, GID=1002, "
	    "home=/home/mallory, shell=/bin/bash, from=/dev/pts/0",
	  "event.action=user_created\nuser.target.name=mallory\n"
	  "event.category=iam",
	  "account created" },
	{ T "useradd[7]: new group: name=mallory, GID=1002",
	  "event.action=group_created\ngroup.name=mallory", "group created" },
	{ T "groupadd[7]: group added to /etc/group: name=ops, GID=1003",
	  "event.action=group_created\ngroup.name=ops", "groupadd" },
	{ T "userdel[7]: delete user 'mallory'",
	  "event.action=user_deleted\nuser.target.name=mallory",
	  "account deleted" },
	{ T "userdel[7]: removed group 'mallory' owned by 'mallory'",
	  "event.action=group_deleted\ngroup.name=mallory", "group deleted" },
	{ T "groupdel[7]: group 'ops' removed",
	  "event.action=group_deleted\ngroup.name=ops", "groupdel" },
	{ T "usermod[7]: add 'mallory' to group 'sudo'",
	  "event.action=group_member_added\nuser.target.name=mallory\n"
	  "group.name=sudo",
	  "usermod -aG" },
	{ T "usermod[7]: add 'mallory' to shadow group 'sudo'",
	  "event.action=group_member_added\ngroup.name=sudo", "gshadow too" },
	{ T "usermod[7]: change user 'mallory' shell from '/bin/sh' to "
	    "'/bin/bash'",
	  "event.action=user_modified\nuser.target.name=mallory",
	  "usermod change" },
	{ T "gpasswd[7]: user mallory added by root to group wheel",
	  "event.action=group_member_added\nuser.name=root\n"
	  "user.target.name=mallory\ngroup.name=wheel",
	  "gpasswd -a" },
	{ T "passwd[7]: pam_unix(passwd:chauthtok): password changed for "
	    "mallory",
	  "event.action=password_changed\nuser.target.name=mallory",
	  "passwd" },
	{ T "chpasswd[7]: pam_unix(chpasswd:chauthtok): password changed for "
	    "bob",
	  "event.action=password_changed\nuser.target.name=bob", "chpasswd" },
	{ T "sudo: weird text", "rc=0\nevent.dataset=linux.auth\n"
	  "!event.action", "unknown sudo text keeps the family dataset" },
	{ T "nginx[1]: pam_unix(x", "rc=0\n!event.action",
	  "truncated pam prefix" },
};

static void test_auth_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_SYSLOG, rows, CORE_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
