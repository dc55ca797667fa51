/*
 * sysmon.c: what Sysmon said of a process when it started, given to the
 * process's later events.
 *
 * Sysmon's process creation (event 1) carries the command line and the
 * parent; its network connections, image loads, file and registry
 * events carry only the process's GUID and image.  Sigma rules for those
 * categories often test CommandLine or ParentImage too, as some EDR
 * exports add them.  parse_procs_track() remembers, per ProcessGuid and
 * Computer, what event 1 said, and fills in what a later event of the
 * same process lacks (CommandLine, ParentImage, ParentCommandLine,
 * IntegrityLevel, and User, which Sysmon gives every event only since
 * version 13: incidents then name who ran the process).  A remote
 * thread or a process access (8, 10) gets SourceCommandLine,
 * SourceParentImage and SourceUser of its source and
 * TargetParentProcessId of its target; a process creation gets
 * GrandParentImage, GrandParentCommandLine and GrandParentProcessGuid,
 * what its parent's own event 1 said of that parent's parent (incidents
 * join a process with what its grandparent did: a UAC bypass writes a
 * registry key, then starts the program that starts the elevated one).
 * Values too long for a slot are not kept rather than cut, and a GUID
 * seen again takes the newer record: what is filled in is always what
 * Sysmon said.
 *
 * Workload: every Windows event; a hash of two fields and at most one
 * slot copy per event.  Memory: PROCS_SLOTS slots of fixed size.
 */
#include "parse/parse_int.h"

#include <stdlib.h>
#include <string.h>

#define PROCS_SLOTS 1024	/* processes remembered; power of two */

enum {
	P_CMD, P_PIMAGE, P_PCMD, P_LEVEL, P_PPID, P_PGUID, P_USER,
	P__COUNT
};

static const char *const kept[P__COUNT] = {
	"CommandLine", "ParentImage", "ParentCommandLine", "IntegrityLevel",
	"ParentProcessId", "ParentProcessGuid", "User",
};

/* Bytes of each remembered value: a command line or path, a level or a
 * GUID, an account (DOMAIN\user).  Longer values are not kept. */
#define PV_LONG 2048
#define PV_SHORT 40
#define PV_USER 256
static const uint16_t kept_max[P__COUNT] = {
	PV_LONG, PV_LONG, PV_LONG, PV_SHORT, PV_SHORT, PV_SHORT, PV_USER,
};

#define PROCS_SLOT_BYTES (3 * PV_LONG + 3 * PV_SHORT + PV_USER)

struct proc_slot {
	uint64_t key;
	uint16_t len[P__COUNT];
	bool set[P__COUNT];
	char v[PROCS_SLOT_BYTES];
};

/* Where in a slot's v value i is kept. */
static size_t value_at(int i)
{
	size_t at = 0;

	for (int k = 0; k < i; k++)
		at += kept_max[k];
	return at;
}

struct parse_procs {
	struct proc_slot slot[PROCS_SLOTS];
	struct parse_audit *audit;	/* auditd.c */
};

struct parse_procs *parse_procs_new(void)
{
	struct parse_procs *p = calloc(1, sizeof(*p));

	if (p != NULL && (p->audit = parse_audit_new()) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void parse_procs_free(struct parse_procs *p)
{
	if (p == NULL)
		return;
	parse_audit_free(p->audit);
	free(p);
}

static bool is_sysmon(const struct core_event *ev)
{
	const struct core_str *ch = core_event_get_named(ev, "Channel", 7);

	return ch &&
	       core_str_eq_lit(*ch, "Microsoft-Windows-Sysmon/Operational");
}

/* The slot key of GUID field name on the event's Computer; 0: none. */
static uint64_t guid_key(const struct core_event *ev, const char *name)
{
	const struct core_str *g = core_event_get_named(ev, name,
							strlen(name));
	const struct core_str *host = core_event_get_named(ev, "Computer", 8);
	uint64_t k;

	if (g == NULL || g->len < 8)
		return 0;
	k = core_hash(g->p, g->len, host ? core_hash(host->p, host->len, 0) :
		      0);
	return k ? k : 1;
}

static void remember(struct parse_procs *p, const struct core_event *ev)
{
	uint64_t k = guid_key(ev, "ProcessGuid");
	struct proc_slot *s;

	if (k == 0)
		return;
	s = &p->slot[k & (PROCS_SLOTS - 1)];
	s->key = k;
	for (int i = 0; i < P__COUNT; i++) {
		const struct core_str *v = core_event_get_named(ev, kept[i],
							strlen(kept[i]));

		s->set[i] = v && v->len <= kept_max[i];
		s->len[i] = s->set[i] ? (uint16_t)v->len : 0;
		if (s->set[i])
			memcpy(s->v + value_at(i), v->p, v->len);
	}
}

/* Sets name from slot value i when the event has no such field. */
static void fill(struct core_event *ev, const struct proc_slot *s, int i,
		 const char *name)
{
	const char *from = s->v + value_at(i);
	struct core_str v;

	if (!s->set[i] || core_event_get_named(ev, name, strlen(name)))
		return;
	v = core_arena_strdup(ev->arena, from, s->len[i]);
	if (v.p)
		core_event_set_named(ev, name, strlen(name), v.p, v.len);
}

/* user.name from the account in field name ("DOMAIN\\user"), as the
 * decoder derives it from an account of the record's own. */
static void user_name(struct core_event *ev, const char *name)
{
	const struct core_str *u = core_event_get_named(ev, name,
							strlen(name));

	if (u != NULL && !core_event_get(ev, CORE_F_USER_NAME))
		core_event_set_str(ev, CORE_F_USER_NAME,
				   parse_windows_account(*u));
}

static const struct proc_slot *lookup(const struct parse_procs *p,
				      uint64_t k)
{
	const struct proc_slot *s = &p->slot[k & (PROCS_SLOTS - 1)];

	return k && s->key == k ? s : NULL;
}

void parse_procs_track(struct parse_procs *p, struct core_event *ev)
{
	const struct core_str *eid;
	const struct proc_slot *s;

	if (p == NULL || ev->arena == NULL)
		return;
	if (ev->format == CORE_FMT_AUDITD) {
		parse_audit_track(p->audit, ev);
		return;
	}
	if (!is_sysmon(ev) ||
	    (eid = core_event_get_named(ev, "EventID", 7)) == NULL)
		return;
	if (core_str_eq_lit(*eid, "1")) {
		s = lookup(p, guid_key(ev, "ParentProcessGuid"));
		if (s) {
			fill(ev, s, P_PIMAGE, "GrandParentImage");
			fill(ev, s, P_PCMD, "GrandParentCommandLine");
			fill(ev, s, P_PGUID, "GrandParentProcessGuid");
		}
		remember(p, ev);
		return;
	}
	if (core_str_eq_lit(*eid, "8") || core_str_eq_lit(*eid, "10")) {
		s = lookup(p, guid_key(ev, "SourceProcessGuid"));
		if (s == NULL)
			s = lookup(p, guid_key(ev, "SourceProcessGUID"));
		if (s) {
			fill(ev, s, P_CMD, "SourceCommandLine");
			fill(ev, s, P_PIMAGE, "SourceParentImage");
			fill(ev, s, P_USER, "SourceUser");
			user_name(ev, "SourceUser");
		}
		s = lookup(p, guid_key(ev, "TargetProcessGuid"));
		if (s == NULL)
			s = lookup(p, guid_key(ev, "TargetProcessGUID"));
		if (s)
			fill(ev, s, P_PPID, "TargetParentProcessId");
		return;
	}
	s = lookup(p, guid_key(ev, "ProcessGuid"));
	if (s == NULL)
		return;
	for (int i = 0; i <= P_LEVEL; i++)
		fill(ev, s, i, kept[i]);
	fill(ev, s, P_USER, kept[P_USER]);
	user_name(ev, "User");
}
