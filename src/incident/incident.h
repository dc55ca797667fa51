/*
 * incident.h: alerts folded into incidents by shared entities and time,
 * scored, ordered along the ATT&CK kill chain and explained.
 *
 * Life cycle: incident_set_new(); optionally incident_set_configure(); for
 * every event incident_observe() (it keeps per-entity counts, so the
 * figures an incident shows are exact whatever the rules' windows); for
 * every alert incident_add_alert(); then incident_build() once; then read
 * the incidents through incident_set_get() and the aggregated alert
 * records through incident_set_alert().
 *
 * The set is opaque.  What it hands out after incident_build() is a
 * read-only view: the structs below are visible so that report writers
 * and tests can read them, but only the set writes them, and they live
 * until incident_set_free().  Every string in the view is owned by the
 * set and carries its length; it may hold any bytes the logs held.
 *
 * Memory is bounded whatever the input size: entity counters are capped
 * (what does not fit is counted, not kept), repeats of one rule on the
 * same entities fold into one alert record, and each record and incident
 * keeps a bounded sample of evidence lines.
 */
#ifndef VIGIL_INCIDENT_H
#define VIGIL_INCIDENT_H

#include "core/core.h"
#include "detect/detect.h"

struct incident_set;

/* ------------------------------------------------------------ settings */

#define INCIDENT_DEFAULT_GAP_US (3600LL * 1000000)	/* one hour */
#define INCIDENT_DEFAULT_MAX_ENTITIES (1u << 20)
#define INCIDENT_DEFAULT_MAX_RECORDS (1u << 16)
#define INCIDENT_MAX_EVIDENCE 16	/* evidence lines kept per incident */
#define INCIDENT_RECORD_SAMPLES 3	/* evidence lines kept per record */
#define INCIDENT_MAX_SHOWN_ENTITIES 256
#define INCIDENT_MAX_TIMELINE 16
#define INCIDENT_MAX_TECHNIQUES 24
#define INCIDENT_DISTINCT_EXACT 64	/* distinct sets exact up to this */
#define INCIDENT_TEXT_MAX 512		/* evidence text kept, in bytes */
#define INCIDENT_VALUE_MAX 256		/* entity value kept, in bytes */
#define INCIDENT_SUMMARY_MAX 160	/* evidence summary, with its NUL */

/*
 * Limits and the grouping window.  Zero fields take the defaults above.
 * gap_us: alerts on one entity further apart than this start a new
 * incident.
 */
struct incident_config {
	int64_t gap_us;
	size_t max_entities;
	size_t max_records;
};

struct incident_set *incident_set_new(void);
void incident_set_free(struct incident_set *s);

/* Applies cfg; call before the first event.  CORE_E_INVAL after that. */
int incident_set_configure(struct incident_set *s,
			   const struct incident_config *cfg);

/* ------------------------------------------------------------- feeding */

/* Counts what each entity did (logins failed and succeeded, requests...). */
void incident_observe(struct incident_set *s, const struct core_event *ev);

/* Copies what it needs from the alert; the alert may go away after. */
int incident_add_alert(struct incident_set *s, const struct detect_alert *a);

/* Groups, scores and orders; call once, after the last alert. */
int incident_build(struct incident_set *s);

/* ------------------------------------------------------------ the view */

enum incident_severity {
	INCIDENT_SEV_INFORMATIONAL = 0,
	INCIDENT_SEV_LOW,
	INCIDENT_SEV_MEDIUM,
	INCIDENT_SEV_HIGH,
	INCIDENT_SEV_CRITICAL,
};

/* "informational" ... "critical". */
const char *incident_severity_name(enum incident_severity sev);
/* The severity a detect level maps to (the same five steps). */
enum incident_severity incident_severity_of_level(enum detect_level l);

/*
 * Entity types.  The first five mirror enum detect_entity; URL_PATTERN is
 * the request's shape (digits and query values folded) that identifies a
 * tool or payload across addresses.
 */
enum incident_entity_type {
	INCIDENT_ENT_SOURCE_IP = 0,
	INCIDENT_ENT_USER,
	INCIDENT_ENT_TARGET_USER,
	INCIDENT_ENT_HOST,
	INCIDENT_ENT_USER_AGENT,
	INCIDENT_ENT_URL_PATTERN,
	INCIDENT_ENT__COUNT,
};

/* "source.ip", "user.name", "user.target.name", "host.name", ... */
const char *incident_entity_type_name(enum incident_entity_type t);
struct incident_entity;
/*
 * The name to show for an entity: as above, except that a source that is
 * a host name, not an address (a PAM rhost), is "source.address".
 */
const char *incident_entity_label(const struct incident_entity *e);

/*
 * What incident_observe() counted for one entity, from events and
 * independently of rules.  Which fields apply depends on the type: a
 * source address has logins, users tried, requests and IDS alerts; a user
 * has logins and sources; a host has all of them.  distinct_users and
 * distinct_sources are exact up to INCIDENT_DISTINCT_EXACT values and
 * estimated beyond (distinct_estimated says so).
 */
struct incident_counters {
	uint64_t events;
	uint64_t login_failures;	/* ssh_login, windows_logon failure */
	uint64_t login_successes;	/* ssh_login, windows_logon success */
	uint64_t windows_logons;	/* of those, Windows logons */
	uint64_t invalid_users;		/* attempts for unknown users */
	uint64_t invalid_lines;		/* sshd "Invalid user" lines */
	uint64_t invalid_failed;	/* "Failed ... for invalid user" */
	uint64_t pam_failures;		/* pam_auth_failure */
	uint64_t privileged;		/* sudo_command, su_success */
	uint64_t requests;		/* http_request */
	uint64_t http_4xx;
	uint64_t http_5xx;
	uint64_t ids_alerts;		/* ids_alert */
	uint64_t distinct_users;	/* user names tried (source, host) */
	uint64_t distinct_sources;	/* source addresses (user, host, UA) */
	bool distinct_estimated;
	int64_t first_seen;		/* CORE_TS_UNKNOWN when never seen */
	int64_t last_seen;
	int64_t first_failure;
	int64_t last_success;
};

struct incident_entity {
	enum incident_entity_type type;
	struct core_str value;
	bool observed;			/* counters come from events */
	struct incident_counters c;
	uint64_t records;		/* alert records naming it */
};

/*
 * Where an evidence record came from, as far as advice goes: Windows
 * event logs, Linux auth, syslog and journal, web access logs, IDS and
 * network monitors (Suricata, Zeek), honeypots; anything else "other".
 */
enum incident_platform {
	INCIDENT_PLAT_OTHER = 0,
	INCIDENT_PLAT_WINDOWS,
	INCIDENT_PLAT_LINUX,
	INCIDENT_PLAT_WEB,
	INCIDENT_PLAT_IDS,
	INCIDENT_PLAT_HONEYPOT,
	INCIDENT_PLAT__COUNT,
};

/* "other", "windows", "linux", "web", "ids", "honeypot". */
const char *incident_platform_name(enum incident_platform p);

/*
 * The platform of one record: from ev's event.dataset ("windows",
 * "linux.auth", "web.access", "suricata.eve", "honeypot.cowrie" ...),
 * else its format; with ev NULL (a correlation's evidence) from text: a
 * JSON object with an event id and a channel or provider is Windows, a
 * line holding an HTTP request line is web, the rest "other".
 */
enum incident_platform incident_platform_of(const struct core_event *ev,
					    struct core_str text);

/*
 * A compact line for a Windows record: channel short name and EventID,
 * then the salient fields it has ("Sysmon 1 | Image=C:\...\cmd.exe |
 * CommandLine=... | ParentImage=..."), long values shortened in the
 * middle; for a systemd journal record its syslog line ("web1
 * sshd[812]: ..."), for a Suricata EVE record its type, signature and
 * flow ("EVE alert | signature=... | 203.0.113.5:4431 -> 10.0.0.2:22
 * TCP"), for a Cowrie record its event, visitor and message.  Reads
 * ev's named fields for Windows, else the JSON text.  Writes at most
 * n - 1 bytes and a NUL into out; returns the length, 0 when the record
 * is none of those.
 */
size_t incident_evidence_summary(const struct core_event *ev,
				 struct core_str text, char *out, size_t n);

/* One evidence line: where it is, what it said, which rule it supports. */
struct incident_evidence {
	const char *src;		/* input name, owned by the set */
	uint64_t line;
	int64_t ts;
	struct core_str text;		/* cut to INCIDENT_TEXT_MAX */
	/* Windows, journal, EVE, Cowrie: incident_evidence_summary(). */
	struct core_str summary;
	const struct detect_rule_info *rule;
	uint32_t record;		/* index of its alert record */
};

/*
 * An aggregated alert record: every alert one rule raised on the same
 * entities (and group values).  overflow records collect, per rule, the
 * alerts that found the record table full: their entities are unknown.
 */
struct incident_alert {
	uint32_t index;			/* in incident_set_alert() order */
	const struct detect_rule_info *rule;
	uint64_t raised;		/* alerts folded into this record */
	uint64_t failed;		/* of them, raised by a failed event */
	uint64_t events;		/* events behind them */
	uint64_t distinct;		/* largest value_count seen */
	int64_t ts_first;
	int64_t ts_last;
	struct core_str entity[INCIDENT_ENT__COUNT];	/* len 0: none */
	unsigned ngroup;
	struct {
		struct core_str field;
		struct core_str value;
	} group[DETECT_ALERT_MAX_GROUP];
	unsigned nsample;
	struct incident_evidence sample[INCIDENT_RECORD_SAMPLES];
	uint32_t incident;		/* id of its incident, 0 before build */
	bool overflow;
	/* 1u << enum incident_platform, for each platform its events had. */
	unsigned platforms;
	/* What the source called it: an IDS signature (first alert). */
	struct core_str detail;
	/*
	 * The Windows programs behind it (first alert): the acting
	 * process's Sysmon ProcessGuid (SourceProcessGuid for a remote
	 * thread or a process access), its parent's and, for a process
	 * creation, its grandparent's (parse's process table); len 0: none.
	 */
	struct core_str process[3];
};

/* One step of an incident's timeline: an alert record, in time order. */
struct incident_step {
	int64_t ts_first;
	int64_t ts_last;
	const struct incident_alert *alert;
};

/* How the score was reached; docs/scoring.md explains each part. */
struct incident_score_parts {
	unsigned base;			/* from the strongest rule level */
	unsigned chain;			/* tactics along the kill chain */
	unsigned success;		/* a login succeeded after failures */
	unsigned privesc;		/* escalation after access */
	unsigned volume;		/* log-scaled event count */
	unsigned ids;			/* IDS corroboration */
	unsigned anomaly;		/* anomalies beside the rule hits */
	/*
	 * Taken off, not added: the source that "got in" logs in far more
	 * often than it fails (a jump host, users mistyping), so the
	 * failures were probably not guessing.
	 */
	unsigned familiar;
};

struct incident {
	uint32_t id;			/* 1-based, most urgent first */
	struct core_str title;
	unsigned score;			/* 0..100 */
	enum incident_severity severity;
	struct incident_score_parts parts;
	int64_t ts_first;
	int64_t ts_last;
	uint64_t alerts;		/* alerts raised */
	uint64_t records;		/* alert records folded in */
	uint64_t events;		/* distinct events behind them */
	unsigned ntactics;
	const char *tactics[16];	/* kill-chain order, static strings */
	unsigned ntechniques;
	char techniques[INCIDENT_MAX_TECHNIQUES][16];	/* "T1110.001" */
	size_t nentities;		/* shown, strongest first */
	size_t entities_total;		/* distinct entities named */
	const struct incident_entity *entities;
	size_t ntimeline;
	const struct incident_step *timeline;
	size_t nevidence;		/* strongest first */
	const struct incident_evidence *evidence;
	struct core_str explanation;	/* plain language, several lines */
	unsigned platforms;		/* its records' platforms, OR-ed */
};

/* Figures of the whole set. */
struct incident_totals {
	uint64_t events_observed;
	uint64_t alerts;		/* alerts added */
	uint64_t alerts_overflow;	/* ... that went to overflow records */
	uint64_t events_attached;	/* events behind the alerts */
	uint64_t records;		/* aggregated alert records */
	uint64_t entities;		/* entities with counters */
	uint64_t entities_untracked;	/* events whose entity did not fit */
	uint64_t incidents;
	size_t memory;			/* bytes the set holds */
};

size_t incident_set_count(const struct incident_set *s);
/* i-th incident, most urgent first; NULL when i is out of range. */
const struct incident *incident_set_get(const struct incident_set *s,
					size_t i);
size_t incident_set_alert_count(const struct incident_set *s);
const struct incident_alert *incident_set_alert(const struct incident_set *s,
						size_t i);
void incident_set_totals(const struct incident_set *s,
			 struct incident_totals *out);

/*
 * Counters of one entity, or NULL when it was never observed (or did not
 * fit).  Valid until the next incident_observe() or incident_set_free().
 */
const struct incident_counters *
incident_set_counters(const struct incident_set *s,
		      enum incident_entity_type t, struct core_str value);

/* ------------------------------------------------------ the baseline */

/*
 * Every observed entity, in the order first seen: the i-th one's type,
 * value and counters, or false past the end.  Target users share the
 * user table, so they come back as INCIDENT_ENT_USER.  Valid until the
 * next incident_observe() or incident_set_free().
 */
bool incident_set_observed(const struct incident_set *s, size_t i,
			   enum incident_entity_type *type,
			   struct core_str *value,
			   const struct incident_counters **c);

/* The counters a distribution can be taken over. */
enum incident_counter_id {
	INCIDENT_CNT_EVENTS = 0,
	INCIDENT_CNT_LOGIN_FAILURES,
	INCIDENT_CNT_LOGIN_SUCCESSES,
	INCIDENT_CNT_INVALID_USERS,
	INCIDENT_CNT_PAM_FAILURES,
	INCIDENT_CNT_PRIVILEGED,
	INCIDENT_CNT_REQUESTS,
	INCIDENT_CNT_HTTP_4XX,
	INCIDENT_CNT_HTTP_5XX,
	INCIDENT_CNT_IDS_ALERTS,
	INCIDENT_CNT_DISTINCT_USERS,
	INCIDENT_CNT_DISTINCT_SOURCES,
	INCIDENT_CNT__COUNT,
};

/* "events", "login_failures", ... (the struct's field names). */
const char *incident_counter_name(enum incident_counter_id k);
uint64_t incident_counter_get(const struct incident_counters *c,
			      enum incident_counter_id k);

/* Bin 0 holds the value 0, bin b >= 1 the values [2^(b-1), 2^b). */
#define INCIDENT_DIST_BINS 65
#define INCIDENT_DIST_TOP 8

/*
 * One counter over every observed entity of one type: the figures an
 * analyst compares an entity against.  The size is fixed whatever the
 * number of entities.  Quantiles are read from the histogram: exact for
 * 0 and 1, else interpolated within their bin (at worst a factor 2 off);
 * the largest values are kept exactly.
 */
struct incident_distribution {
	uint64_t population;		/* observed entities of the type */
	uint64_t nonzero;		/* ... with this counter above 0 */
	double mean;
	double variance;		/* of the population */
	uint64_t max;
	uint64_t p50, p90, p99;
	uint64_t bins[INCIDENT_DIST_BINS];
	unsigned ntop;
	uint64_t top[INCIDENT_DIST_TOP];	/* largest first */
};

/*
 * Fills out[k] for every counter k over the observed entities of type t
 * (INCIDENT_ENT_TARGET_USER means the user table).  One pass over the
 * entity table.
 */
void incident_set_distributions(const struct incident_set *s,
				enum incident_entity_type t,
				struct incident_distribution
				out[INCIDENT_CNT__COUNT]);

/* ------------------------------------------------------------- ATT&CK */

/*
 * Enterprise tactics in kill-chain order; the value is the place in the
 * chain and the bit of a tactic mask.  ATT&CK v19 split Defense Evasion
 * into Stealth and Defense Impairment; rules tag any of the three, so all
 * three are kept, side by side where Defense Evasion stood.
 */
enum incident_tactic {
	INCIDENT_TAC_RECON,		/* reconnaissance */
	INCIDENT_TAC_RESOURCE,		/* resource_development */
	INCIDENT_TAC_INITIAL,		/* initial_access */
	INCIDENT_TAC_EXEC,		/* execution */
	INCIDENT_TAC_PERSIST,		/* persistence */
	INCIDENT_TAC_PRIVESC,		/* privilege_escalation */
	INCIDENT_TAC_EVASION,		/* defense_evasion (before v19) */
	INCIDENT_TAC_STEALTH,		/* stealth */
	INCIDENT_TAC_IMPAIR,		/* defense_impairment */
	INCIDENT_TAC_CRED,		/* credential_access */
	INCIDENT_TAC_DISCOVERY,		/* discovery */
	INCIDENT_TAC_LATERAL,		/* lateral_movement */
	INCIDENT_TAC_COLLECTION,	/* collection */
	INCIDENT_TAC_C2,		/* command_and_control */
	INCIDENT_TAC_EXFIL,		/* exfiltration */
	INCIDENT_TAC_IMPACT,		/* impact */
	INCIDENT_TACTIC_COUNT
};

/*
 * The tactic a tag "attack.credential_access" names (case-insensitive,
 * '-' or '_'), or -1 when the tag names no tactic.
 */
int incident_tactic_of_tag(const char *tag);
const char *incident_tactic_name(int tactic);	/* "credential_access" */
/* "attack.t1110.001" -> "T1110.001" in out; false when not a technique. */
bool incident_technique_of_tag(const char *tag, char *out, size_t n);

#endif /* VIGIL_INCIDENT_H */
