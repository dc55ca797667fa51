/*
 * incident_int.h: the incident room's private structures, shared by its
 * files and by nothing else (the public view is incident.h).
 *
 * Ownership: every byte the set keeps is copied into its string arena or
 * into arrays it allocates; the memory counter adds up both so that tests
 * can hold the set to a flat footprint.
 */
#ifndef VIGIL_INCIDENT_INT_H
#define VIGIL_INCIDENT_INT_H

#include "incident/incident.h"

/* Distinct values of one entity: exact hashes, then a small estimator. */
#define INCIDENT_HLL_REGS 256

struct incident_distinct {
	uint64_t *hashes;		/* exact set (open addressing) */
	uint8_t *regs;			/* HyperLogLog registers once full */
	uint32_t n;			/* exact count while hashes is used */
};

/* One observed entity: key, counters and distinct sets. */
struct incident_ent {
	uint64_t hash;
	struct core_str value;		/* in the string arena */
	uint8_t type;			/* enum incident_entity_type */
	struct core_str ok_user;	/* who logged in, string arena */
	bool ok_after_failure;
	uint8_t ok_platform;		/* enum incident_platform of it */
	struct incident_counters c;
	struct incident_distinct users;
	struct incident_distinct sources;
	uint32_t span;			/* its latest span + 1, 0: none */
	bool spans_lost;		/* a span did not fit: whole only */
	bool slotted;			/* slot holds its one slot so far */
	int64_t slot;			/* while span is 0 (see entity.c) */
	int64_t ok_ts;			/* when ok_user logged in */
};

/*
 * What one entity did within one slot of time, gap_us wide: the figures
 * an incident reads for its own span (see entity.c).  The distinct
 * figures of c are not kept per slot.
 */
struct incident_span {
	int64_t slot;			/* floor(ts / gap_us), or undated */
	uint32_t next;			/* the entity's next span + 1 */
	uint32_t ent;			/* its entity's index in ents */
	bool ok_after_failure;
	uint8_t ok_platform;
	struct core_str ok_user;	/* first login that worked, arena */
	int64_t ok_ts;
	struct incident_counters c;
};

/* A source's login that worked, as an incident's span sees it. */
struct incident_ok {
	struct core_str user;		/* len 0: none */
	uint8_t platform;		/* enum incident_platform */
};

/* Open-addressing table of entities; slots hold index + 1, 0 is free. */
struct incident_enttab {
	uint32_t *slots;
	size_t nslots;
	struct incident_ent *ents;
	size_t n, cap, max;
	uint64_t untracked;
};

/* Table of alert records keyed on rule, entities and group values. */
struct incident_rectab {
	uint32_t *slots;
	size_t nslots;
	struct incident_alert *recs;
	uint64_t *hashes;
	size_t n, cap, max;
};

/*
 * An event some alert cited (input, line and time: its identity), with
 * the record that cited it; and a pair of records that cited one
 * event both, with how many events they shared.  An incident holding
 * both records counts those events once (see alert.c).
 */
struct incident_cited {
	const char *src;		/* interned */
	uint64_t line;
	int64_t ts;
	uint32_t rec;
	uint32_t home;			/* index slot its probe starts at */
};

struct incident_shared {
	uint32_t a, b;			/* record indexes, a <= b */
	uint64_t n;			/* 0: a free slot */
};

/*
 * Cited events remembered (the latest ones first cited), and pairs of
 * records kept, at most.
 */
#define INCIDENT_CITE_SLOTS (1u << 14)
#define INCIDENT_MAX_SHARED (1u << 20)

/*
 * Hourly spans kept over all entities (about 200 bytes each: 13 MB).  An
 * entity active every hour of a month needs 720; a long input's many
 * such entities would otherwise grow memory with its length (a 1 GB
 * month of logs took 145 MB with no cap).  An entity whose hour finds no
 * room is read over the whole input (its counters), as before spans.
 */
#define INCIDENT_MAX_SPANS (1u << 16)

/*
 * The cited events: a ring in the order first cited, the oldest making
 * room for a new one once INCIDENT_CITE_SLOTS are held, and an index of
 * 2 * INCIDENT_CITE_SLOTS slots (ring position + 1, 0 free; linear
 * probing) that finds an event by its whole key.  Which events are held
 * depends on the order they were cited alone, never on a hash.
 */
struct incident_citetab {
	struct incident_cited *cited;	/* the ring */
	uint32_t *index;
	uint32_t ncited, next;		/* held; where the next one goes */
	struct incident_shared *shared;
	size_t nshared, shared_slots;
	bool full;			/* a pair found no room */
};

/*
 * A login that worked from a source that had failed before: the kind of
 * login an intrusion starts with.  What its account then does on that
 * host (sudo, su), with no source in the record, belongs to the source.
 */
struct incident_login {
	struct core_str user, host, src;	/* in the string arena */
	int64_t ts;
};

#define INCIDENT_MAX_LOGINS 4096

/* Silence after which a rule's repeats on the same entities start anew. */
#define INCIDENT_RECORD_GAP_US (24LL * 3600 * 1000000)

struct incident_set {
	struct incident_config cfg;
	struct core_arena *strings;	/* every copied byte */
	size_t memory;			/* arrays, besides the arena */
	bool started, built;
	struct incident_enttab ents;
	struct incident_rectab recs;
	struct incident_citetab cites;
	uint64_t events_observed;
	uint64_t alerts;
	uint64_t alerts_overflow;
	uint64_t events_attached;
	struct incident_span *spans;	/* at most ents.max of them */
	size_t nspans, spans_cap;
	uint32_t *span_slots;		/* (entity, slot) -> span + 1 */
	size_t span_nslots;
	struct incident_login *logins;	/* at most INCIDENT_MAX_LOGINS */
	size_t nlogins, logins_cap;
	const char **srcs;		/* interned input names */
	size_t nsrcs, srcs_cap;
	uint32_t *src_slots;		/* name hash -> index + 1, 2 * cap */
	struct incident *incidents;
	size_t nincidents;
	/* Per-incident arrays, one allocation each for the whole set. */
	struct incident_entity *ent_pool;
	struct incident_step *step_pool;
	struct incident_evidence *ev_pool;
};

/* set.c: memory and strings. */
void *incident_alloc(struct incident_set *s, size_t n);
void *incident_realloc(struct incident_set *s, void *p, size_t old,
		       size_t n);
void incident_dealloc(struct incident_set *s, void *p, size_t n);
struct core_str incident_strdup(struct incident_set *s, const char *p,
				size_t len);

/* entity.c */
struct incident_ent *incident_ent_find(const struct incident_set *s,
				       enum incident_entity_type t,
				       struct core_str v);
void incident_ent_free_all(struct incident_set *s);
/*
 * What e did between from and to (inclusive), widened to whole slots of
 * gap_us: into *c, and the login that worked into *ok (may be NULL).
 * Either bound CORE_TS_UNKNOWN, or spans lost, gives the whole input's.
 */
void incident_ent_window(const struct incident_set *s,
			 const struct incident_ent *e, int64_t from,
			 int64_t to, struct incident_counters *c,
			 struct incident_ok *ok);
/* The latest suspicious login as user on host at or before t, or NULL. */
const struct incident_login *incident_login_before(
	const struct incident_set *s, struct core_str user,
	struct core_str host, int64_t t);
bool incident_user_is_common(struct core_str user);

/* alert.c */
void incident_rec_free_all(struct incident_set *s);
/*
 * For each incident k (inc_of[record] = k), adds to dup[k] the events
 * two of its records both cited: what its events count twice.
 */
void incident_shared_events(const struct incident_set *s,
			    const uint32_t *inc_of, uint64_t *dup);
size_t incident_url_pattern(const char *p, size_t len, char *out,
			    size_t n);
/* The request target of an access-log line in t, or len 0. */
struct core_str incident_request_in_text(struct core_str t);
/* a before b as evidence: higher rule level, more events, earlier. */
bool incident_alert_stronger(const struct incident_alert *a,
			     const struct incident_alert *b);

/* attack.c: the tactics a rule's tags name, INCIDENT_TAC_BIT(...) of each. */
uint32_t incident_rule_tactics(const struct detect_rule_info *r);
/* attack.c: those its hit shows (a T1078 logon: initial access alone). */
uint32_t incident_rule_steps(const struct detect_rule_info *r);
/* attack.c: tagged T1078 (Valid Accounts) or one of its subs. */
bool incident_rule_valid_account(const struct detect_rule_info *r);

/* alert.c: ev (may be NULL) says it failed: event.outcome "failure". */
bool incident_event_failed(const struct core_event *ev);

/* The mask bit of a tactic: INCIDENT_TAC_BIT(CRED) for INCIDENT_TAC_CRED. */
#define INCIDENT_TAC_BIT(t) (1u << INCIDENT_TAC_##t)
/* Defense Evasion and the two tactics ATT&CK v19 split it into. */
#define INCIDENT_TAC_EVASION_BITS                                          \
	(INCIDENT_TAC_BIT(EVASION) | INCIDENT_TAC_BIT(STEALTH) |           \
	 INCIDENT_TAC_BIT(IMPAIR))

/*
 * Reconnaissance, credential access and discovery: on their own, with no
 * login that worked, the background every host on the internet sees.
 */
#define INCIDENT_NOISE_TACTICS                                             \
	(INCIDENT_TAC_BIT(RECON) | INCIDENT_TAC_BIT(CRED) |                \
	 INCIDENT_TAC_BIT(DISCOVERY))

/* advice.c: the Windows part of the explanation (see there). */
uint32_t incident_tactics_on(const struct incident_set *s,
			     const uint32_t *mem, size_t nmem, unsigned mask);
void incident_advise_windows(const struct incident_set *s,
			     const uint32_t *mem, size_t nmem,
			     bool have_sources, struct core_buf *b);
void incident_advise_unsaid(const struct incident_set *s,
			    const uint32_t *mem, size_t nmem,
			    struct core_buf *b);
void incident_tell_windows(const struct incident_set *s,
			   const uint32_t *mem, size_t nmem,
			   struct core_buf *b);

/* group.c: fills root[i] with the incident representative of record i. */
int incident_group(struct incident_set *s, uint32_t *root);

/* score.c: builds the incident views from the grouping. */
int incident_assemble(struct incident_set *s, const uint32_t *root);

#endif /* VIGIL_INCIDENT_INT_H */
