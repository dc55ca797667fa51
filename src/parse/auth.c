/*
 * auth.c: the program dispatcher and the non-sshd authentication
 * messages: PAM modules (whatever program logs them), sudo, su, and the
 * shadow tools that create and change accounts and groups.
 *
 * A message reaches here from syslog or the journal with the program name
 * (the syslog tag).  PAM text is recognised by its "pam_x(service:type): "
 * prefix in any program, and by the older "sshd(pam_unix)" tag form.
 * "message repeated N times: [ ... ]" is unwrapped and the inner message
 * decoded, with N kept in vigil.repeat.count.  Field choices follow
 * docs/events.md; every function here returns true when the text had a
 * known shape and sets nothing it is unsure of.
 */
#include "parse/parse_int.h"

#include <string.h>

/* Value of KEY= in space-separated "k=v k2=v2" text; false when absent. */
static bool kv(struct core_str s, const char *key, size_t klen,
	       struct core_str *out)
{
	struct core_str t = s;
	long at;

	while ((at = parse_find(t, key, klen)) >= 0) {
		const char *v = t.p + at + klen;
		size_t n = 0, left = t.len - (size_t)at - klen;

		if (v - klen == s.p || v[-(long)klen - 1] == ' ') {
			while (n < left && v[n] != ' ' && v[n] != ';')
				n++;
			*out = core_str_make(v, n);
			return true;
		}
		t.p = v;
		t.len = left;
	}
	return false;
}

#define KV(s, key, out) kv((s), (key), sizeof(key) - 1, (out))

static bool is_su_service(struct core_str svc)
{
	return core_str_eq_lit(svc, "su") || core_str_eq_lit(svc, "su-l") ||
	       core_str_eq_lit(svc, "sudo") || core_str_eq_lit(svc, "sudo-i");
}

/* "authentication failure; logname= uid=0 ... ruser= rhost=A  user=U" */
static void pam_failure(struct core_event *ev, struct core_str svc,
			struct core_str s)
{
	struct core_str rhost, user, ruser;
	bool has_user = KV(s, "user=", &user) && user.len;
	bool has_ruser = KV(s, "ruser=", &ruser) && ruser.len;

	parse_set_action(ev, "pam_auth_failure", "authentication", "failure");
	if (KV(s, "rhost=", &rhost))
		parse_set_peer(ev, rhost);
	if (is_su_service(svc) && has_ruser) {
		core_event_set_str(ev, CORE_F_USER_NAME, ruser);
		if (has_user)
			core_event_set_str(ev, CORE_F_USER_TARGET_NAME, user);
	} else if (has_user) {
		core_event_set_str(ev, CORE_F_USER_NAME, user);
	}
	if (svc.len)
		core_event_set_str(ev, CORE_F_SERVICE_NAME, svc);
}

/* "session opened for user X(uid=0) by Y(uid=0)" */
static void pam_session(struct core_event *ev, struct core_str s, bool open)
{
	size_t n = 0;

	parse_set_action(ev, open ? "session_opened" : "session_closed",
			 "session", "success");
	while (n < s.len && s.p[n] != ' ' && s.p[n] != '(')
		n++;
	core_event_set(ev, CORE_F_USER_NAME, s.p, n);
}

/*
 * svc: the PAM service ("sshd", "su"; may be empty).  msg: the module's
 * text.  Returns true when it was a known PAM message.
 */
bool parse_pam_message(struct core_event *ev, struct core_str svc,
		       struct core_str msg)
{
	struct core_str s = msg;
	long at;

	if (PARSE_EAT(&s, "authentication failure;")) {
		pam_failure(ev, svc, s);
	} else if (PARSE_EAT(&s, "check pass; user unknown")) {
		parse_set_action(ev, "pam_user_unknown", "authentication",
				 "failure");
	} else if (PARSE_EAT(&s, "session opened for user ")) {
		pam_session(ev, s, true);
	} else if (PARSE_EAT(&s, "session closed for user ")) {
		pam_session(ev, s, false);
	} else if (PARSE_EAT(&s, "password changed for ")) {
		parse_set_action(ev, "password_changed", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME,
				   core_str_trim(s));
	} else if (PARSE_EAT(&s, "received for user ") &&
		   (at = PARSE_FIND(s, ": ")) >= 0 &&
		   PARSE_FIND(s, "(Authentication failure)") > at) {
		parse_set_action(ev, "pam_auth_failure", "authentication",
				 "failure");
		core_event_set(ev, CORE_F_USER_NAME, s.p, (size_t)at);
	} else {
		return false;
	}
	if (svc.len)
		core_event_set_str(ev, CORE_F_SERVICE_NAME, svc);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
	return true;
}

/*
 * msg: text that may start "pam_x(svc:type): " or "PAM N more
 * authentication failures; ...".  Returns true when decoded.
 */
bool parse_pam_prefixed(struct core_event *ev, struct core_str msg)
{
	struct core_str s = msg, module, svc;
	long colon;

	if (PARSE_EAT(&s, "PAM ")) {
		if (!parse_is_digits(core_str_make(s.p, s.len ? 1 : 0)) ||
		    PARSE_FIND(s, " more authentication failure") < 0)
			return false;
		pam_failure(ev, CORE_STR_NULL, s);
		core_event_set_lit(ev, CORE_F_EVENT_REASON,
				   "too_many_failures");
		core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
		return true;
	}
	if (!core_str_starts(s, "pam_") || !parse_token(&s, '(', &module))
		return false;
	colon = PARSE_FIND(s, "): ");
	if (colon < 0)
		return false;
	svc = core_str_make(s.p, (size_t)colon);
	s.p += colon + 3;
	s.len -= (size_t)colon + 3;
	if (parse_token(&svc, ':', &module))
		svc = module;
	return parse_pam_message(ev, svc, s);
}

/* ------------------------------------------------------------------ sudo */

/* "  alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/id" */
bool parse_sudo_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = core_str_trim(msg), user, v;
	long sep = PARSE_FIND(s, " : "), cmd;

	if (sep <= 0)
		return false;
	user = core_str_trim(core_str_make(s.p, (size_t)sep));
	s.p += sep + 3;
	s.len -= (size_t)sep + 3;

	if (PARSE_FIND(s, "incorrect password attempt") >= 0 ||
	    PARSE_EAT(&s, "a password is required"))
		parse_set_action(ev, "sudo_auth_failure", "authentication",
				 "failure");
	else if (PARSE_FIND(s, "NOT in sudoers") >= 0 ||
		 PARSE_FIND(s, "command not allowed") >= 0 ||
		 PARSE_FIND(s, "NOT allowed to run sudo") >= 0)
		parse_set_action(ev, "sudo_not_allowed", "authentication",
				 "failure");
	else if (core_str_starts(s, "TTY=") || core_str_starts(s, "PWD="))
		parse_set_action(ev, "sudo_command", "process", "success");
	else
		return false;

	core_event_set_str(ev, CORE_F_USER_NAME, user);
	/* COMMAND= is last and may itself hold " ; ". */
	cmd = PARSE_FIND(s, "COMMAND=");
	if (cmd >= 0) {
		core_event_set(ev, CORE_F_PROCESS_COMMAND_LINE, s.p + cmd + 8,
			       s.len - (size_t)cmd - 8);
		s.len = (size_t)cmd;
	}
	if (KV(s, "USER=", &v))
		core_event_set_str(ev, CORE_F_USER_EFFECTIVE_NAME, v);
	if (KV(s, "PWD=", &v))
		core_event_set_str(ev, CORE_F_PROCESS_WORKING_DIRECTORY, v);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
	return true;
}

/* -------------------------------------------------------------------- su */

static void su_result(struct core_event *ev, bool ok, struct core_str by,
		      struct core_str to)
{
	parse_set_action(ev, ok ? "su_success" : "su_failure",
			 "authentication", ok ? "success" : "failure");
	if (by.len)
		core_event_set_str(ev, CORE_F_USER_NAME, by);
	if (to.len)
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, to);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
}

/* "(to root) alice on pts/0" after the optional "FAILED SU ". */
static bool su_to(struct core_event *ev, struct core_str s, bool ok)
{
	struct core_str to, by;

	if (!parse_token(&s, ')', &to))
		return false;
	PARSE_EAT(&s, " ");
	if (!parse_token(&s, ' ', &by))
		by = s;
	su_result(ev, ok, by, to);
	return true;
}

bool parse_su_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = core_str_trim(msg), to, by;
	bool ok;

	if ((ok = PARSE_EAT(&s, "Successful su for ")) ||
	    PARSE_EAT(&s, "FAILED su for ")) {
		long at = PARSE_FIND(s, " by ");

		if (at < 0)
			return false;
		to = core_str_make(s.p, (size_t)at);
		by = core_str_make(s.p + at + 4, s.len - (size_t)at - 4);
		su_result(ev, ok, by, to);
		return true;
	}
	if (PARSE_EAT(&s, "(to "))
		return su_to(ev, s, true);
	if (PARSE_EAT(&s, "FAILED SU (to "))
		return su_to(ev, s, false);
	/* Old util-linux: "+ pts/0 alice:root", "- pts/0 alice:root". */
	if ((ok = PARSE_EAT(&s, "+ ")) || PARSE_EAT(&s, "- ")) {
		struct core_str tty;

		if (!parse_token(&s, ' ', &tty) || !parse_token(&s, ':', &by))
			return false;
		su_result(ev, ok, by, s);
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- shadow */

/* The first 'quoted' word of s; s moves past it. */
static bool quoted(struct core_str *s, struct core_str *out)
{
	struct core_str skip;

	return parse_token(s, '\'', &skip) && parse_token(s, '\'', out);
}

/* "name=bob, UID=..." */
static struct core_str name_field(struct core_str s)
{
	struct core_str v = CORE_STR_NULL;
	size_t n = 0;

	if (KV(s, "name=", &v)) {
		while (n < v.len && v.p[n] != ',')
			n++;
		v.len = n;
	}
	return v;
}

static bool shadow_group_member(struct core_event *ev, struct core_str s)
{
	struct core_str user, group;

	/* usermod: "add 'bob' to group 'sudo'", "... to shadow group ..." */
	if (PARSE_EAT(&s, "add ") && quoted(&s, &user) &&
	    quoted(&s, &group)) {
		parse_set_action(ev, "group_member_added", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, user);
		core_event_set_str(ev, CORE_F_GROUP_NAME, group);
		return true;
	}
	return false;
}

/* gpasswd: "user bob added by root to group sudo" */
static bool gpasswd_added(struct core_event *ev, struct core_str s)
{
	struct core_str user, by;
	long to;

	if (!PARSE_EAT(&s, "user ") || !parse_token(&s, ' ', &user) ||
	    !PARSE_EAT(&s, "added by ") || (to = PARSE_FIND(s,
							  " to group ")) < 0)
		return false;
	by = core_str_make(s.p, (size_t)to);
	parse_set_action(ev, "group_member_added", "iam", "success");
	core_event_set_str(ev, CORE_F_USER_TARGET_NAME, user);
	core_event_set_str(ev, CORE_F_USER_NAME, by);
	core_event_set(ev, CORE_F_GROUP_NAME, s.p + to + 10,
		       s.len - (size_t)to - 10);
	return true;
}

static bool shadow_delete(struct core_event *ev, struct core_str s)
{
	struct core_str t = s, name;

	if (PARSE_EAT(&t, "delete user ") && quoted(&t, &name)) {
		parse_set_action(ev, "user_deleted", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, name);
		return true;
	}
	t = s;
	if ((PARSE_EAT(&t, "removed group ") || PARSE_EAT(&t, "group ")) &&
	    quoted(&t, &name) && (core_str_starts(s, "removed") ||
				  PARSE_FIND(t, "removed") >= 0)) {
		parse_set_action(ev, "group_deleted", "iam", "success");
		core_event_set_str(ev, CORE_F_GROUP_NAME, name);
		return true;
	}
	return false;
}

/*
 * useradd, usermod, userdel, groupadd, groupdel, gpasswd, passwd,
 * chpasswd: the account changes of docs/events.md.
 */
bool parse_shadow_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = core_str_trim(msg), t = s, name;
	bool ok = true;

	if (PARSE_EAT(&t, "new user: ")) {
		parse_set_action(ev, "user_created", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, name_field(t));
	} else if (PARSE_EAT(&t, "new group: ") ||
		   PARSE_EAT(&t, "group added to ")) {
		parse_set_action(ev, "group_created", "iam", "success");
		core_event_set_str(ev, CORE_F_GROUP_NAME, name_field(t));
	} else if (PARSE_EAT(&t, "change user ") && quoted(&t, &name)) {
		parse_set_action(ev, "user_modified", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, name);
	} else if (PARSE_EAT(&t, "password for ") && quoted(&t, &name)) {
		parse_set_action(ev, "password_changed", "iam", "success");
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, name);
	} else {
		ok = shadow_group_member(ev, s) || gpasswd_added(ev, s) ||
		     shadow_delete(ev, s);
	}
	if (ok)
		core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
	return ok;
}

/* -------------------------------------------------------------- dispatch */

enum family { FAM_OTHER, FAM_SSHD, FAM_SUDO, FAM_SU, FAM_SHADOW, FAM_CRON,
	      FAM_KERNEL };

static enum family classify(struct core_str prog)
{
	static const struct { const char *name; enum family fam; } map[] = {
		{ "sshd", FAM_SSHD }, { "sshd-session", FAM_SSHD },
		{ "sshd-auth", FAM_SSHD }, { "sudo", FAM_SUDO },
		{ "su", FAM_SU }, { "useradd", FAM_SHADOW },
		{ "usermod", FAM_SHADOW }, { "userdel", FAM_SHADOW },
		{ "groupadd", FAM_SHADOW }, { "groupdel", FAM_SHADOW },
		{ "groupmod", FAM_SHADOW }, { "gpasswd", FAM_SHADOW },
		{ "passwd", FAM_SHADOW }, { "chpasswd", FAM_SHADOW },
		{ "chage", FAM_SHADOW }, { "newusers", FAM_SHADOW },
		{ "CRON", FAM_CRON }, { "cron", FAM_CRON },
		{ "crond", FAM_CRON }, { "anacron", FAM_CRON },
		{ "kernel", FAM_KERNEL },
	};
	const char *slash = prog.len ? memrchr(prog.p, '/', prog.len) : NULL;

	if (slash) {
		prog.len -= (size_t)(slash + 1 - prog.p);
		prog.p = slash + 1;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(map); i++) {
		if (core_str_eq_lit(prog, map[i].name))
			return map[i].fam;
	}
	return FAM_OTHER;
}

static const char *family_dataset(enum family f)
{
	switch (f) {
	case FAM_SSHD: case FAM_SUDO: case FAM_SU: case FAM_SHADOW:
		return "linux.auth";
	case FAM_CRON:
		return "linux.cron";
	case FAM_KERNEL:
		return "linux.kernel";
	default:
		return NULL;
	}
}

/* "message repeated N times: [ inner]": true and *msg = inner. */
static bool unwrap_repeated(struct core_event *ev, struct core_str *msg)
{
	struct core_str s = *msg, n;

	if (!PARSE_EAT(&s, "message repeated ") || !parse_token(&s, ' ', &n) ||
	    !parse_is_digits(n) || !PARSE_EAT(&s, "times: ["))
		return false;
	PARSE_EAT(&s, " ");
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\r'))
		s.len--;
	PARSE_EAT_TAIL(&s, "]");
	core_event_set_named(ev, "vigil.repeat.count", 18, n.p, n.len);
	*msg = s;
	return true;
}

/* "sshd(pam_unix)" tag: PAM text without its prefix (old Red Hat). */
static bool pam_tag(struct core_event *ev, struct core_str prog,
		    struct core_str msg)
{
	const char *paren = memchr(prog.p, '(', prog.len);
	struct core_str svc;

	if (!paren || PARSE_FIND(prog, "(pam_") < 0)
		return false;
	svc = core_str_make(prog.p, (size_t)(paren - prog.p));
	core_event_set_str(ev, CORE_F_PROCESS_NAME, svc);
	return parse_pam_message(ev, svc, msg);
}

/*
 * prog: the program name (syslog tag, journal SYSLOG_IDENTIFIER); msg:
 * its message.  Sets event.dataset and the decoded fields; returns true
 * when the message had a known shape.
 */
bool parse_program_dispatch(struct core_event *ev, struct core_str prog,
			    struct core_str msg)
{
	enum family fam;
	const char *ds;

	if (prog.len && pam_tag(ev, prog, msg))
		return true;
	unwrap_repeated(ev, &msg);
	fam = classify(prog);
	ds = family_dataset(fam);
	if (ds)
		core_event_set(ev, CORE_F_EVENT_DATASET, ds, strlen(ds));
	if (fam != FAM_SSHD && fam != FAM_KERNEL && parse_pam_prefixed(ev, msg))
		return true;

	if (fam == FAM_OTHER && parse_errorlog_message(ev, prog, msg))
		return true;
	switch (fam) {
	case FAM_SSHD:
		return parse_sshd_message(ev, msg);
	case FAM_SUDO:
		return parse_sudo_message(ev, msg);
	case FAM_SU:
		return parse_su_message(ev, msg);
	case FAM_SHADOW:
		return parse_shadow_message(ev, msg);
	case FAM_CRON:
		return parse_cron_message(ev, msg);
	case FAM_KERNEL:
		return parse_kernel_message(ev, msg);
	default:
		return false;
	}
}
