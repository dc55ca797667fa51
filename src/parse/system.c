/*
 * system.c: cron job lines and kernel netfilter log lines.
 *
 * cron (Debian's cron, cronie's crond) logs "(USER) CMD (COMMAND)" per
 * job; other "(USER) VERB (...)" lines are kept with the user only.
 * Netfilter lines come from iptables/nftables LOG targets and ufw: an
 * optional prefix the administrator chose ("[UFW BLOCK] ", "DROP: "),
 * then IN= OUT= MAC= SRC= DST= ... PROTO= SPT= DPT= pairs.  The prefix
 * decides allow or drop; a prefix that says neither is read as a drop,
 * since logging rules are mostly put in front of drops.
 */
#include "parse/parse_int.h"

#include <string.h>

/* "(root) CMD (run-parts /etc/cron.hourly)" */
bool parse_cron_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = msg, user;

	if (!PARSE_EAT(&s, "(") || !parse_token(&s, ')', &user))
		return false;
	core_event_set_str(ev, CORE_F_USER_NAME, user);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.cron");
	if (!PARSE_EAT(&s, " CMD ("))
		return true;
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\r'))
		s.len--;
	PARSE_EAT_TAIL(&s, ")");
	parse_set_action(ev, "cron_command", "process", NULL);
	core_event_set_str(ev, CORE_F_PROCESS_COMMAND_LINE, s);
	return true;
}

/* Value of " KEY=" (or "KEY=" at the start) up to the next space. */
static bool nf_kv(struct core_str s, const char *key, size_t klen,
		  struct core_str *out)
{
	size_t skip, n = 0;
	long at;

	/* key is " NAME="; NAME= at the very start counts too. */
	if (s.len >= klen - 1 && memcmp(s.p, key + 1, klen - 1) == 0)
		skip = klen - 1;
	else if ((at = parse_find(s, key, klen)) >= 0)
		skip = (size_t)at + klen;
	else
		return false;
	s.p += skip;
	s.len -= skip;
	while (n < s.len && s.p[n] != ' ')
		n++;
	*out = core_str_make(s.p, n);
	return true;
}

#define NF_KV(s, key, out) nf_kv((s), " " key, sizeof(key), (out))

static bool allows(struct core_str prefix)
{
	return PARSE_FIND(prefix, "ALLOW") >= 0 ||
	       PARSE_FIND(prefix, "ACCEPT") >= 0 ||
	       PARSE_FIND(prefix, "allow") >= 0 ||
	       PARSE_FIND(prefix, "accept") >= 0;
}

/* The administrator's prefix, without brackets and spaces. */
static struct core_str nf_prefix(struct core_str s, long in_at)
{
	struct core_str p = core_str_trim(core_str_make(s.p, (size_t)in_at));

	if (p.len >= 2 && p.p[0] == '[' && p.p[p.len - 1] == ']') {
		p.p++;
		p.len -= 2;
	}
	PARSE_EAT_TAIL(&p, ":");
	return core_str_trim(p);
}

bool parse_kernel_message(struct core_event *ev, struct core_str msg)
{
	struct core_str s = msg, v, prefix;
	long in_at;

	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.kernel");
	/* "[ 1234.567890] " uptime stamp of dmesg-style lines. */
	if (s.len && s.p[0] == '[') {
		size_t n = 1;

		while (n < s.len && n < 20 && (s.p[n] == ' ' || s.p[n] == '.' ||
					       (unsigned)(s.p[n] - '0') <= 9))
			n++;
		if (n + 1 < s.len && s.p[n] == ']' && s.p[n + 1] == ' ') {
			s.p += n + 2;
			s.len -= n + 2;
		}
	}
	in_at = core_str_starts(s, "IN=") ? 0 : PARSE_FIND(s, " IN=");
	if (in_at < 0 || !NF_KV(s, "SRC=", &v))
		return false;

	prefix = nf_prefix(s, in_at);
	if (allows(prefix))
		parse_set_action(ev, "firewall_allow", "network", "success");
	else
		parse_set_action(ev, "firewall_drop", "network", "failure");
	if (prefix.len)
		core_event_set_str(ev, CORE_F_EVENT_REASON, prefix);
	core_event_set_str(ev, CORE_F_SOURCE_IP, v);
	if (NF_KV(s, "DST=", &v))
		core_event_set_str(ev, CORE_F_DESTINATION_IP, v);
	if (NF_KV(s, "SPT=", &v))
		core_event_set_str(ev, CORE_F_SOURCE_PORT, v);
	if (NF_KV(s, "DPT=", &v))
		core_event_set_str(ev, CORE_F_DESTINATION_PORT, v);
	if (NF_KV(s, "PROTO=", &v) && (v = parse_transport(v)).len)
		core_event_set_str(ev, CORE_F_NETWORK_TRANSPORT, v);
	return true;
}
