/*
 * sshd.c: OpenSSH server messages (sshd, and sshd-session / sshd-auth
 * since OpenSSH 9.8) turned into authentication and session events.
 *
 * sshd's wording changed over the years ("Connection closed by IP" became
 * "Connection closed by authenticating user root IP port 5"; ports were
 * added to most lines in 7.x), so every shape is read from the right:
 * the trailing " [preauth]", " port N" and the address are peeled off
 * first and whatever is left is the user name.  That also keeps hostile
 * user names ("x from 10.0.0.1") from choosing the source address: the
 * address sshd itself appended is the last one.  Severity prefixes
 * ("error: ", "fatal: ") and Solaris' "[ID n auth.info] " are skipped.
 *
 * Workload: the hot path of the common auth.log; each message is matched
 * against a handful of literal prefixes, no regular expressions.
 */
#include "parse/parse_int.h"

#include <string.h>

struct peer {
	struct core_str who;	/* text before the address ("" if none) */
	struct core_str addr;
	struct core_str port;
};

/* "ADDR[ port N]..." at the start of s. */
static void read_addr_port(struct core_str s, struct peer *pr)
{
	struct core_str t = s;
	size_t n = 0;

	while (n < t.len && t.p[n] != ' ')
		n++;
	pr->addr = core_str_make(t.p, n);
	if (pr->addr.len && pr->addr.p[pr->addr.len - 1] == ':')
		pr->addr.len--;
	t.p += n;
	t.len -= n;
	pr->port = CORE_STR_NULL;
	if (PARSE_EAT(&t, " port ")) {
		n = 0;
		while (n < t.len && (unsigned)(t.p[n] - '0') <= 9)
			n++;
		pr->port = core_str_make(t.p, n);
	}
}

/*
 * Finds the address sshd appended after " from ": the rightmost one that
 * parses as an IP, else the rightmost " from " at all (a host name when
 * UseDNS is on).  who is what precedes it.
 */
static bool find_from(struct core_str s, struct peer *pr)
{
	struct core_str head = s;
	struct core_ip ip;
	long i;

	while ((i = PARSE_RFIND(head, " from ")) >= 0) {
		struct core_str t = core_str_make(s.p + i + 6,
						  s.len - (size_t)i - 6);

		read_addr_port(t, pr);
		if (core_ip_parse(pr->addr.p, pr->addr.len, &ip)) {
			pr->who = core_str_make(s.p, (size_t)i);
			return true;
		}
		head.len = (size_t)i;
	}
	i = PARSE_RFIND(s, " from ");
	if (i < 0)
		return false;
	read_addr_port(core_str_make(s.p + i + 6, s.len - (size_t)i - 6), pr);
	pr->who = core_str_make(s.p, (size_t)i);
	return pr->addr.len > 0;
}

/* "[user U ]ADDR[ port N]" read from the right (Connection closed by ...). */
static void read_user_addr(struct core_str s, struct peer *pr)
{
	long sp;

	pr->port = CORE_STR_NULL;
	sp = PARSE_RFIND(s, " port ");
	if (sp >= 0 && parse_is_digits(core_str_make(s.p + sp + 6,
						     s.len - (size_t)sp - 6))) {
		pr->port = core_str_make(s.p + sp + 6, s.len - (size_t)sp - 6);
		s.len = (size_t)sp;
	}
	sp = PARSE_RFIND(s, " ");
	if (sp < 0) {
		pr->who = CORE_STR_NULL;
		pr->addr = s;
		return;
	}
	pr->who = core_str_make(s.p, (size_t)sp);
	pr->addr = core_str_make(s.p + sp + 1, s.len - (size_t)sp - 1);
}

static void set_peer(struct core_event *ev, const struct peer *pr)
{
	parse_set_peer(ev, pr->addr);
	if (pr->port.len)
		core_event_set_str(ev, CORE_F_SOURCE_PORT, pr->port);
}

/* Sets user.name from "invalid user X" / "illegal user X" / "X". */
static bool set_user(struct core_event *ev, struct core_str who)
{
	bool invalid = PARSE_EAT(&who, "invalid user ") ||
		       PARSE_EAT(&who, "illegal user ");

	if (core_str_eq_lit(who, "<invalid username>"))
		invalid = true;
	else
		core_event_set_str(ev, CORE_F_USER_NAME, who);
	if (invalid)
		core_event_set_lit(ev, CORE_F_EVENT_REASON, "invalid_user");
	return invalid;
}

/* "Accepted|Failed METHOD for [invalid user ]USER from ADDR port N ..." */
static bool login(struct core_event *ev, struct core_str s, bool ok)
{
	struct core_str method;
	struct peer pr;

	if (!parse_token(&s, ' ', &method) || !PARSE_EAT(&s, "for ") ||
	    !find_from(s, &pr))
		return false;
	/* "keyboard-interactive/pam" is keyboard-interactive. */
	(void)PARSE_EAT_TAIL(&method, "/pam");
	parse_set_action(ev, "ssh_login", "authentication",
			 ok ? "success" : "failure");
	core_event_set_str(ev, CORE_F_AUTH_METHOD, method);
	set_user(ev, pr.who);
	set_peer(ev, &pr);
	return true;
}

/* "Invalid user X from ADDR[ port N]" */
static bool invalid_user(struct core_event *ev, struct core_str s)
{
	struct peer pr;

	if (!find_from(s, &pr)) {
		/* Newer sshd always names the address; keep the user. */
		pr.who = s;
		pr.addr = CORE_STR_NULL;
		pr.port = CORE_STR_NULL;
	}
	parse_set_action(ev, "ssh_invalid_user", "authentication",
			 "failure");
	core_event_set_lit(ev, CORE_F_EVENT_REASON, "invalid_user");
	core_event_set_str(ev, CORE_F_USER_NAME, pr.who);
	set_peer(ev, &pr);
	return true;
}

/* "maximum authentication attempts exceeded for [invalid user ]U from A" */
static bool max_attempts(struct core_event *ev, struct core_str s)
{
	struct peer pr;

	parse_set_action(ev, "ssh_max_auth_attempts", "authentication",
			 "failure");
	if (find_from(s, &pr)) {
		set_user(ev, pr.who);
		set_peer(ev, &pr);
	}
	core_event_set_lit(ev, CORE_F_EVENT_REASON, "too_many_failures");
	return true;
}

/* "Disconnecting[ invalid user U A port N]: Too many authentication ..." */
static bool disconnecting(struct core_event *ev, struct core_str s)
{
	long colon = PARSE_FIND(s, ": ");
	struct core_str head, tail;
	struct peer pr;

	if (colon < 0)
		return false;
	head = core_str_make(s.p, (size_t)colon);
	tail = core_str_make(s.p + colon + 2, s.len - (size_t)colon - 2);
	if (!PARSE_EAT(&tail, "Too many authentication failures"))
		return false;
	parse_set_action(ev, "ssh_max_auth_attempts", "authentication",
			 "failure");
	core_event_set_lit(ev, CORE_F_EVENT_REASON, "too_many_failures");
	if (PARSE_EAT(&tail, " for "))
		set_user(ev, tail);
	if (PARSE_EAT(&head, " ") && head.len) {
		read_user_addr(head, &pr);
		PARSE_EAT(&pr.who, "authenticating user ");
		set_user(ev, pr.who);
		set_peer(ev, &pr);
	}
	return true;
}

static void disconnect(struct core_event *ev, bool preauth)
{
	parse_set_action(ev, "ssh_disconnect", "session", NULL);
	if (preauth)
		core_event_set_lit(ev, CORE_F_EVENT_REASON, "preauth");
}

/* "Received disconnect from ADDR[ port N]: CODE: text" */
static bool received_disconnect(struct core_event *ev, struct core_str s,
				bool preauth)
{
	struct peer pr;

	read_addr_port(s, &pr);
	disconnect(ev, preauth);
	set_peer(ev, &pr);
	return true;
}

/*
 * "Connection closed by [authenticating user U |invalid user U ]ADDR..."
 * and the same after "Disconnected from " and "Connection reset by ".
 */
static bool closed_by(struct core_event *ev, struct core_str s, bool preauth)
{
	struct peer pr;

	read_user_addr(s, &pr);
	disconnect(ev, preauth);
	if (PARSE_EAT(&pr.who, "authenticating user ") ||
	    PARSE_EAT(&pr.who, "user "))
		core_event_set_str(ev, CORE_F_USER_NAME, pr.who);
	else if (PARSE_EAT(&pr.who, "invalid user "))
		core_event_set_str(ev, CORE_F_USER_NAME, pr.who);
	set_peer(ev, &pr);
	return true;
}

/* "reverse mapping checking getaddrinfo for HOST [ADDR] failed - ..." */
static bool reverse_mapping(struct core_event *ev, struct core_str s)
{
	struct core_str host;
	long close;

	if (!parse_token(&s, ' ', &host) || !PARSE_EAT(&s, "["))
		return false;
	close = PARSE_FIND(s, "]");
	if (close < 0)
		return false;
	parse_set_action(ev, "ssh_reverse_mapping_failed", "network",
			 "failure");
	core_event_set_str(ev, CORE_F_SOURCE_DOMAIN, host);
	parse_set_peer(ev, core_str_make(s.p, (size_t)close));
	return true;
}

/* "Address ADDR maps to HOST, but this does not map back ..." */
static bool address_maps(struct core_event *ev, struct core_str s)
{
	struct core_str addr, host;

	if (!parse_token(&s, ' ', &addr) || !PARSE_EAT(&s, "maps to ") ||
	    !parse_token(&s, ',', &host))
		return false;
	parse_set_action(ev, "ssh_reverse_mapping_failed", "network",
			 "failure");
	parse_set_peer(ev, addr);
	core_event_set_str(ev, CORE_F_SOURCE_DOMAIN, host);
	return true;
}

static bool no_ident(struct core_event *ev, struct core_str s)
{
	struct peer pr;

	parse_set_action(ev, "ssh_no_identification", "network", "failure");
	if (PARSE_EAT(&s, " from ")) {
		read_addr_port(s, &pr);
		set_peer(ev, &pr);
	}
	return true;
}

/*
 * Protocol-level garbage: scanners, old clients, port probes.  lead says
 * whether s starts with the address ("banner exchange: Connection from
 * A", "Unable to negotiate with A") or names it after " from ".
 */
static bool bad_protocol(struct core_event *ev, struct core_str s, bool lead)
{
	struct peer pr;

	parse_set_action(ev, "ssh_bad_protocol", "network", "failure");
	if (lead) {
		read_addr_port(s, &pr);
		set_peer(ev, &pr);
	} else if (find_from(s, &pr)) {
		set_peer(ev, &pr);
	}
	return true;
}

/* "User U from ADDR not allowed because ...", "ROOT LOGIN REFUSED FROM A" */
static bool not_allowed(struct core_event *ev, struct core_str s)
{
	struct core_str user;
	long from = PARSE_FIND(s, " from "), na;

	parse_set_action(ev, "ssh_user_not_allowed", "authentication",
			 "failure");
	na = PARSE_FIND(s, " not allowed because ");
	if (na < 0)
		return false;
	core_event_set(ev, CORE_F_EVENT_REASON, s.p + na + 21,
		       s.len - (size_t)na - 21);
	if (from >= 0 && from < na) {
		user = core_str_make(s.p, (size_t)from);
		parse_set_peer(ev, core_str_make(s.p + from + 6,
						 (size_t)(na - from - 6)));
	} else {
		user = core_str_make(s.p, (size_t)na);
	}
	core_event_set_str(ev, CORE_F_USER_NAME, user);
	return true;
}

static bool root_refused(struct core_event *ev, struct core_str s)
{
	struct peer pr;

	parse_set_action(ev, "ssh_user_not_allowed", "authentication",
			 "failure");
	core_event_set_lit(ev, CORE_F_USER_NAME, "root");
	read_addr_port(s, &pr);
	PARSE_EAT(&pr.addr, "::ffff:");
	set_peer(ev, &pr);
	return true;
}

/* "PAM: Authentication failure for [illegal user ]U from HOST[ via A]" */
static bool pam_error(struct core_event *ev, struct core_str s)
{
	struct peer pr;
	long via;

	via = PARSE_RFIND(s, " via ");
	if (via >= 0)
		s.len = (size_t)via;
	while (s.len && s.p[s.len - 1] == ' ')
		s.len--;
	if (PARSE_EAT(&s, "User not known to the underlying authentication "
		      "module for ")) {
		if (!find_from(s, &pr))
			return false;
		parse_set_action(ev, "ssh_invalid_user", "authentication",
				 "failure");
		set_user(ev, pr.who);
		core_event_set_lit(ev, CORE_F_EVENT_REASON, "invalid_user");
		set_peer(ev, &pr);
		return true;
	}
	if (!PARSE_EAT(&s, "Authentication failure for ") &&
	    !PARSE_EAT(&s, "authentication failure for ") &&
	    !PARSE_EAT(&s, "Authentication error for ") &&
	    !PARSE_EAT(&s, "authentication error for "))
		return false;
	if (!find_from(s, &pr))
		return false;
	parse_set_action(ev, "ssh_login", "authentication", "failure");
	set_user(ev, pr.who);
	set_peer(ev, &pr);
	return true;
}

/* "Connection from ADDR port N on ADDR port N": informational. */
static bool connection_from(struct core_event *ev, struct core_str s)
{
	struct peer pr;
	long on;

	read_addr_port(s, &pr);
	set_peer(ev, &pr);
	on = PARSE_FIND(s, " on ");
	if (on >= 0) {
		struct peer dst;

		read_addr_port(core_str_make(s.p + on + 4,
					     s.len - (size_t)on - 4), &dst);
		core_event_set_str(ev, CORE_F_DESTINATION_IP, dst.addr);
		if (dst.port.len)
			core_event_set_str(ev, CORE_F_DESTINATION_PORT,
					   dst.port);
	}
	return true;
}

static struct core_str strip_prefixes(struct core_str s)
{
	if (PARSE_EAT(&s, "[ID ")) {
		long close = PARSE_FIND(s, "] ");

		if (close >= 0) {
			s.p += close + 2;
			s.len -= (size_t)close + 2;
		}
	}
	if (!PARSE_EAT(&s, "error: "))
		PARSE_EAT(&s, "fatal: ");
	return s;
}

/* The second half of the dispatch: messages sshd writes itself. */
static bool sshd_own(struct core_event *ev, struct core_str s, bool preauth)
{
	if (PARSE_EAT(&s, "Failed "))
		return login(ev, s, false);
	if (PARSE_EAT(&s, "Accepted "))
		return login(ev, s, true);
	if (PARSE_EAT(&s, "Invalid user ") || PARSE_EAT(&s, "Illegal user "))
		return invalid_user(ev, s);
	if (PARSE_EAT(&s, "Received disconnect from "))
		return received_disconnect(ev, s, preauth);
	if (PARSE_EAT(&s, "Connection closed by ") ||
	    PARSE_EAT(&s, "Disconnected from ") ||
	    PARSE_EAT(&s, "Connection reset by "))
		return closed_by(ev, s, preauth);
	if (PARSE_EAT(&s, "maximum authentication attempts exceeded for "))
		return max_attempts(ev, s);
	if (PARSE_EAT(&s, "Disconnecting"))
		return disconnecting(ev, s);
	if (PARSE_EAT(&s, "reverse mapping checking getaddrinfo for "))
		return reverse_mapping(ev, s);
	if (PARSE_EAT(&s, "Address "))
		return address_maps(ev, s);
	if (PARSE_EAT(&s, "Did not receive identification string"))
		return no_ident(ev, s);
	if (PARSE_EAT(&s, "banner exchange: Connection from ") ||
	    PARSE_EAT(&s, "Unable to negotiate with "))
		return bad_protocol(ev, s, true);
	if (PARSE_EAT(&s, "Bad protocol version identification") ||
	    PARSE_EAT(&s, "kex_exchange_identification: ") ||
	    PARSE_EAT(&s, "Unable to negotiate "))
		return bad_protocol(ev, s, false);
	if (PARSE_EAT(&s, "User "))
		return not_allowed(ev, s);
	if (PARSE_EAT(&s, "ROOT LOGIN REFUSED FROM "))
		return root_refused(ev, s);
	if (PARSE_EAT(&s, "PAM: "))
		return pam_error(ev, s);
	if (PARSE_EAT(&s, "Connection from "))
		return connection_from(ev, s);
	if (PARSE_EAT(&s, "input_userauth_request: invalid user ")) {
		/* Repeats the "Invalid user" line: no action of its own. */
		core_event_set_str(ev, CORE_F_USER_NAME, s);
		return true;
	}
	return false;
}

/*
 * msg: an sshd message without the syslog header.  Sets the fields of
 * docs/events.md and returns true when the message had a known shape.
 */
bool parse_sshd_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = strip_prefixes(msg);
	bool preauth;

	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\r'))
		s.len--;
	preauth = PARSE_EAT_TAIL(&s, " [preauth]");
	if (PARSE_EAT_TAIL(&s, " [postauth]"))
		preauth = false;
	if (sshd_own(ev, s, preauth))
		return true;
	return parse_pam_prefixed(ev, s);
}
