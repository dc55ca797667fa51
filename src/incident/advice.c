/*
 * advice.c: the Windows part of an incident's explanation: which hosts
 * and accounts its Windows records name, and what to do next for each
 * ATT&CK tactic they carry, citing the event ids that show it.
 *
 * score.c writes the explanation and calls in here for the records whose
 * events came from Windows event logs (enum incident_platform); the
 * Linux and SSH advice stays there.  An incident holding both gets both,
 * each naming only the hosts and accounts of its own records.  Which
 * sentences apply is decided from the tactics and techniques of the
 * rules behind the Windows records alone, never from sample names or
 * values; docs/scoring.md lists the choices.
 *
 * Every tactic has its Windows sentence.  For the other platforms
 * score.c says what SSH, sudo and blocking the sources call for; when
 * that leaves the advice empty, incident_advise_unsaid() gives a
 * sentence per tactic of those records (by platform where it matters),
 * and for an incident whose rules name no tactic, a last resort that
 * names the host and the account and says what to check.
 *
 * Workload: once per incident, a few passes over its member records.
 */
#include "incident/incident_int.h"

#include <string.h>
#include <strings.h>


#define SEEN_MAX 64		/* distinct values counted exactly */
#define ANY_TACTIC UINT32_MAX

/* The member records of one incident and the platforms advised on. */
struct view {
	const struct incident_set *s;
	const uint32_t *mem;
	size_t nmem;
	unsigned mask;		/* 1u << enum incident_platform */
};

static const struct incident_alert *at(const struct view *v, size_t i)
{
	return &v->s->recs.recs[v->mem[i]];
}

static bool on(const struct view *v, const struct incident_alert *r)
{
	return (r->platforms & v->mask) != 0;
}

/* Tactics of the member records with a platform in mask. */
uint32_t incident_tactics_on(const struct incident_set *s,
			     const uint32_t *mem, size_t nmem, unsigned mask)
{
	struct view v = { s, mem, nmem, mask };
	uint32_t t = 0;

	for (size_t i = 0; i < nmem; i++)
		if (on(&v, at(&v, i)))
			t |= incident_rule_steps(at(&v, i)->rule);
	return t;
}

/* A rule tag "attack.<id>" naming technique id or one of its subs. */
static bool tag_is(const char *tag, const char *id)
{
	size_t n = strlen(id);

	if (strncasecmp(tag, "attack.", 7) != 0 ||
	    strncasecmp(tag + 7, id, n) != 0)
		return false;
	return tag[7 + n] == '\0' || (tag[7 + n] == '.' && !strchr(id, '.'));
}

static bool technique(const struct view *v, const char *id)
{
	for (size_t i = 0; i < v->nmem; i++) {
		const struct detect_rule_info *r = at(v, i)->rule;

		if (!on(v, at(v, i)))
			continue;
		for (size_t t = 0; t < r->ntags; t++)
			if (r->tags[t] && tag_is(r->tags[t], id))
				return true;
	}
	return false;
}

/* technique(v, id), not counting the tags of sub-technique but. */
static bool technique_but(const struct view *v, const char *id,
			  const char *but)
{
	for (size_t i = 0; i < v->nmem; i++) {
		const struct detect_rule_info *r = at(v, i)->rule;

		if (!on(v, at(v, i)))
			continue;
		for (size_t t = 0; t < r->ntags; t++)
			if (r->tags[t] && tag_is(r->tags[t], id) &&
			    !tag_is(r->tags[t], but))
				return true;
	}
	return false;
}

/*
 * Built-in principals and machine accounts: nobody resets their
 * passwords by hand, so account lists for resets leave them out.
 */
static bool builtin_account(struct core_str u)
{
	static const char *const names[] = {
		"SYSTEM", "LOCAL SERVICE", "NETWORK SERVICE",
		"ANONYMOUS LOGON", "-",
		/* how a service's account is written (System 7045) */
		"LocalSystem", "LocalService", "NetworkService",
	};
	const char *slash = memchr(u.p, '\\', u.len);
	struct core_str name = u;

	if (slash)
		name = core_str_make(slash + 1, u.len - (size_t)(slash + 1 -
								 u.p));
	/* Window Manager\DWM-1 and Font Driver Host\UMFD-0 by name too. */
	if (!name.len || name.p[name.len - 1] == '$' ||
	    core_str_starts(name, "DWM-") || core_str_starts(name, "UMFD-") ||
	    core_str_starts(u, "NT AUTHORITY\\") ||
	    core_str_starts(u, "Window Manager\\") ||
	    core_str_starts(u, "Font Driver Host\\"))
		return true;
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
		if (core_str_ieq(name, core_str_make(names[i],
						     strlen(names[i]))))
			return true;
	return false;
}

/* Distinct values, the first kept in record order (strongest first). */
struct seen {
	struct core_str v[SEEN_MAX];
	size_t n;
	bool more;		/* values beyond SEEN_MAX */
};

static void seen_add(struct seen *s, struct core_str v)
{
	if (!v.len)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (core_str_eq(s->v[i], v))
			return;
	if (s->n == SEEN_MAX) {
		s->more = true;
		return;
	}
	s->v[s->n++] = v;
}

/* On the platform, and with one of the tactics (any with ANY_TACTIC). */
static bool of_tactics(const struct view *v, const struct incident_alert *r,
		       uint32_t tactics)
{
	return on(v, r) && (tactics == ANY_TACTIC ||
			    (incident_rule_steps(r->rule) & tactics));
}

/*
 * Values of entity type t (and user.target.name with users) of the
 * records on the platform with one of the tactics, the strongest
 * record's first; reset leaves out built-in accounts.
 */
static void gather(const struct view *v, int t, uint32_t tactics,
		   bool reset, struct seen *out)
{
	const struct incident_alert *best = NULL;

	out->n = 0;
	out->more = false;
	for (size_t i = 0; i < v->nmem; i++) {
		const struct incident_alert *r = at(v, i);

		if (of_tactics(v, r, tactics) && r->entity[t].len &&
		    (!best || incident_alert_stronger(r, best)))
			best = r;
	}
	if (best && !(reset && builtin_account(best->entity[t])))
		seen_add(out, best->entity[t]);
	for (size_t i = 0; i < v->nmem; i++) {
		const struct incident_alert *r = at(v, i);

		if (!of_tactics(v, r, tactics))
			continue;
		for (int k = t; k <= t + (t == INCIDENT_ENT_USER); k++)
			if (!(reset && builtin_account(r->entity[k])))
				seen_add(out, r->entity[k]);
	}
}

static void add_value(struct core_buf *b, struct core_str v)
{
	core_buf_add(b, v.p, CORE_MIN(v.len, (size_t)64));
}

/* "A", "A and B", "A, B, C and 4 other <what>s". */
static void say_list(struct core_buf *b, const struct seen *s,
		     size_t show, const char *what)
{
	size_t n = CORE_MIN(s->n, show);

	for (size_t i = 0; i < n; i++) {
		core_buf_printf(b, "%s", i == 0 ? "" :
				i + 1 == n && s->n == n && !s->more ?
				" and " : ", ");
		add_value(b, s->v[i]);
	}
	if (s->n > n || s->more)
		core_buf_printf(b, " and %s%zu other %s%s",
				s->more ? "more than " : "", s->n - n, what,
				s->n - n > 1 || s->more ? "s" : "");
}

/* " on HOST" for the records of the tactics, or nothing. */
static void say_on_host(struct core_buf *b, const struct view *v,
			uint32_t tactics)
{
	struct seen h;

	gather(v, INCIDENT_ENT_HOST, tactics, false, &h);
	if (!h.n)
		return;
	core_buf_printf(b, " on ");
	say_list(b, &h, 1, "host");
}

/* The host to name in a sentence: "IEWIN7" or "the host". */
static void say_host(struct core_buf *b, const struct view *v,
		     uint32_t tactics)
{
	struct seen h;

	gather(v, INCIDENT_ENT_HOST, tactics, false, &h);
	if (!h.n) {
		core_buf_printf(b, "the host");
		return;
	}
	say_list(b, &h, 1, "host");
}

/* lead, the accounts to reset ("A, B and C"), tail; or nothing. */
static void say_accounts(struct core_buf *b, const struct view *v,
			 uint32_t tactics, const char *lead, const char *tail)
{
	struct seen u;

	gather(v, INCIDENT_ENT_USER, tactics, true, &u);
	if (!u.n)
		return;
	core_buf_printf(b, "%s", lead);
	say_list(b, &u, 3, "account");
	core_buf_printf(b, "%s", tail);
}

/* The account to name in a sentence: "CORP\\bob" or "the account". */
static void say_user(struct core_buf *b, const struct view *v,
		     uint32_t tactics)
{
	struct seen u;

	gather(v, INCIDENT_ENT_USER, tactics, true, &u);
	if (!u.n) {
		core_buf_printf(b, "the account");
		return;
	}
	say_list(b, &u, 1, "account");
}

/* The platforms of the records on v's platforms with one of tactics. */
static unsigned platforms_with(const struct view *v, uint32_t tactics)
{
	unsigned p = 0;

	for (size_t i = 0; i < v->nmem; i++)
		if (of_tactics(v, at(v, i), tactics))
			p |= at(v, i)->platforms & v->mask;
	return p;
}

/* ------------------------------------------------ sentence table */

#define PLAT(p) (1u << INCIDENT_PLAT_##p)
#define TAC(t) INCIDENT_TAC_BIT(t)
#define ANY_PLATFORM 0u

/*
 * One sentence for a group of tactics on some platforms: lead, the host,
 * mid, and when tail is set the account and tail.  The first row whose
 * group the incident shows on one of the row's platforms is said; the
 * group is then done.  Rows of one group go from the narrowest platform
 * to ANY_PLATFORM.
 */
struct sentence {
	uint32_t tactics;
	unsigned platforms;
	const char *lead, *mid, *tail;
};

static const struct sentence sentences[] = {
	{ TAC(RECON) | TAC(DISCOVERY), PLAT(WINDOWS), " Find the process "
	  "and account behind the queries on ", " (Sysmon 1, Security 4688; "
	  "Security 4661, 4798 and 4799 name the caller as SubjectUserName)"
	  " and what they did next: discovery comes before a move.", NULL },
	{ TAC(RECON) | TAC(DISCOVERY), PLAT(WEB), " Look at what the "
	  "requests to ", " found: answers other than 404 (2xx, 3xx, 5xx) "
	  "mark paths that exist; remove or protect those that need not be "
	  "public.", NULL },
	{ TAC(RECON) | TAC(DISCOVERY), ANY_PLATFORM, " Check which services"
	  " of ", " the probes reached and close those that need not be "
	  "reachable; if they ran from a login there, find out what ",
	  " did next." },
	{ TAC(RESOURCE), ANY_PLATFORM, " Note what the evidence on ",
	  " names of the attacker's tools and infrastructure (files, "
	  "domains, addresses, certificates), block it and look for it on "
	  "other hosts.", NULL },
	{ TAC(INITIAL), PLAT(WEB), " Check whether the requests to ",
	  " in the evidence succeeded (status code, response size, the "
	  "application's own log) and patch what they aimed at.", NULL },
	{ TAC(INITIAL), PLAT(IDS), " Check whether ", " answered the "
	  "traffic the IDS flagged and patch the service it names.", NULL },
	{ TAC(INITIAL), PLAT(HONEYPOT), " The honeypot ", " let the source "
	  "in: read what the session typed and fetched, and check real "
	  "hosts for the same password.", NULL },
	{ TAC(INITIAL), ANY_PLATFORM, " On ", ", confirm that the login of ",
	  " was expected; if not, reset its password, end its sessions and "
	  "check its authorized_keys." },
	{ TAC(EXEC), PLAT(WEB), " The requests tried to run commands on ",
	  ": look for what the web server's account started and for new "
	  "files in the web root.", NULL },
	{ TAC(EXEC), PLAT(HONEYPOT), " Read what the session on the "
	  "honeypot ", " typed and fetched, and look for the same commands "
	  "and files on real hosts.", NULL },
	{ TAC(EXEC), ANY_PLATFORM, " On ", ", find the commands ",
	  " ran and what started them (shell history, the auth and audit "
	  "logs)." },
	{ TAC(PRIVESC), ANY_PLATFORM, " Review who became root on ", " and "
	  "how: sudo and su in its auth log, set-uid programs, new members "
	  "of the sudo or wheel group.", NULL },
	{ INCIDENT_TAC_EVASION_BITS, ANY_PLATFORM, " Logs or defences on ",
	  " may have been touched: compare what remains with a forwarded "
	  "copy and check auditd, the firewall and the security tools.",
	  NULL },
	{ TAC(CRED), ANY_PLATFORM, " On ", ", reset the password of ",
	  " and look for other accounts tried and for logins that worked." },
	{ TAC(LATERAL), ANY_PLATFORM, " From ", ", check where ", " went "
	  "(SSH logins in the auth logs of the other hosts) and reset its "
	  "password and keys if that was not planned." },
	{ TAC(COLLECTION) | TAC(EXFIL), PLAT(WINDOWS), " Find what was "
	  "gathered on ", " and where it went: the files the processes in the"
	  " evidence read, wrote or archived (Sysmon 11, Security 4663) and "
	  "their connections out (Sysmon 3); if data left, tell whoever owns"
	  " it.", NULL },
	{ TAC(COLLECTION) | TAC(EXFIL), ANY_PLATFORM, " Find what data was "
	  "gathered on ", " and where it went (files read or archived, "
	  "connections out); if data left, tell whoever owns it.", NULL },
	{ TAC(C2), ANY_PLATFORM, " ", " may be controlled from outside: "
	  "find the process behind its connections to the addresses in the "
	  "evidence, block them and look for the same on other hosts.",
	  NULL },
	{ TAC(IMPACT), ANY_PLATFORM, " Check ", " for deleted accounts, "
	  "destroyed or encrypted data and stopped services, and keep its "
	  "backups offline until it is clean.", NULL },
};

/* Says the rows of the groups in tac the records of v show. */
static void say_sentences(struct core_buf *b, const struct view *v,
			  uint32_t tac)
{
	uint32_t done = 0;

	for (size_t i = 0; i < CORE_ARRAY_LEN(sentences); i++) {
		const struct sentence *r = &sentences[i];
		uint32_t t = r->tactics & tac;

		if (!t || (r->tactics & done))
			continue;
		if (r->platforms != ANY_PLATFORM &&
		    !(platforms_with(v, t) & r->platforms))
			continue;
		core_buf_printf(b, "%s", r->lead);
		say_host(b, v, t);
		core_buf_printf(b, "%s", r->mid);
		if (r->tail) {
			say_user(b, v, t);
			core_buf_printf(b, "%s", r->tail);
		}
		done |= r->tactics;
	}
}

/* ---------------------------------------------------- per tactic */

static void advise_process(struct core_buf *b, const struct view *v,
			   uint32_t tac)
{
	const uint32_t pe = INCIDENT_TAC_BIT(PRIVESC);
	const uint32_t ex = INCIDENT_TAC_BIT(EXEC);
	struct seen u;

	if (tac & pe) {
		gather(v, INCIDENT_ENT_USER, pe, false, &u);
		core_buf_printf(b, " Review the process tree and logon session "
				"of ");
		if (u.n)
			say_list(b, &u, 1, "account");
		else
			core_buf_printf(b, "the account");
		say_on_host(b, v, pe);
		core_buf_printf(b, ": Security 4624 gives the session's Logon "
				"ID, Security 4688 and Sysmon 1 the processes "
				"started in it (ParentImage, CommandLine, "
				"IntegrityLevel).");
	} else if (tac & ex) {
		core_buf_printf(b, " On ");
		say_host(b, v, ex);
		core_buf_printf(b, ", trace the processes in the evidence "
				"(Sysmon 1, Security 4688): what started them "
				"(ParentImage), what they ran (CommandLine) "
				"and what they started in turn.");
	}
}

/*
 * The way in.  A Valid Accounts rule (T1078) shows a logon, or a change
 * tagged like one (a group membership): the account's owner can say
 * whether it was theirs; after guessing, advise_credentials() says it
 * was not.  Phishing points at a message; anything else (an exploited
 * service, external remote services) at what the first process came
 * from.
 */
static void advise_initial(struct core_buf *b, const struct view *v)
{
	const uint32_t in = INCIDENT_TAC_BIT(INITIAL);

	if (technique(v, "t1078")) {
		if (technique(v, "t1110"))
			return;
		core_buf_printf(b, " Ask the owner of ");
		say_user(b, v, in);
		core_buf_printf(b, " whether the logon or change on ");
		say_host(b, v, in);
		core_buf_printf(b, " was theirs (Security 4624: LogonType, "
				"IpAddress, WorkstationName; Security 4720 "
				"to 4738 for account and group changes); if "
				"not, disable the account, reset its password"
				" and review what its session ran (Security "
				"4688, Sysmon 1).");
	} else if (technique(v, "t1566")) {
		core_buf_printf(b, " Find the message or link that started it "
				"on ");
		say_host(b, v, in);
		core_buf_printf(b, ": the first process's ParentImage (an "
				"Office program, a browser, a mail client) and"
				" the files it wrote (Sysmon 11); look for the"
				" same attachment or link in other "
				"mailboxes.");
	} else {
		core_buf_printf(b, " Find the way in on ");
		say_host(b, v, in);
		core_buf_printf(b, ": the service or program the first process"
				" in the evidence came from (Sysmon 1 "
				"ParentImage, Security 4688) or the remote "
				"logon that started it (Security 4624 types 3"
				" and 10); patch or close it.");
	}
}

static void advise_persistence(struct core_buf *b, const struct view *v)
{
	core_buf_printf(b, " Look on ");
	say_host(b, v, INCIDENT_TAC_BIT(PERSIST));
	core_buf_printf(b, " for what was set to survive a restart: new "
			"services (System 7045, Security 4697), scheduled "
			"tasks (Security 4698, 4702), Run keys and other "
			"autostart values (Sysmon 13), WMI event subscriptions "
			"(Sysmon 19, 20, 21) and new accounts (Security 4720, "
			"4732); remove what nobody installed on purpose.");
}

/*
 * Tampering (indicator removal T1070, impaired defences T1562, which
 * ATT&CK v19 numbers T1685) is told apart from the rest of defence
 * evasion (proxy programs, injection, masquerading, UAC bypass ...),
 * which hides what ran rather than what was logged.
 */
static void advise_evasion(struct core_buf *b, const struct view *v)
{
	bool stomp = technique(v, "t1070.006");
	bool uac = technique(v, "t1548.002");

	if (stomp) {
		core_buf_printf(b, " File times were set back on ");
		say_host(b, v, INCIDENT_TAC_EVASION_BITS);
		core_buf_printf(b, " to make a file look old: list the files "
				"whose creation time changed (Sysmon 2: "
				"TargetFilename, PreviousCreationUtcTime) and "
				"find what wrote them.");
	}
	if (uac)
		core_buf_printf(b, " A UAC bypass ran with a high integrity "
				"level without a prompt: remove the registry "
				"values or files it planted (Sysmon 12, 13, 11 "
				"under HKCU\\Software\\Classes or a mock "
				"Windows folder) and find the program that "
				"planted them.");
	if (technique_but(v, "t1070", "t1070.006") ||
	    technique(v, "t1562") || technique(v, "t1685")) {
		core_buf_printf(b, " Defences or logs were tampered with on ");
		say_host(b, v, INCIDENT_TAC_EVASION_BITS);
		core_buf_printf(b, ": keep a copy of the logs that remain "
				"(forwarded events, EDR) and check its audit "
				"policy and security tools.");
		return;
	}
	if (stomp || uac)
		return;
	core_buf_printf(b, " Something on ");
	say_host(b, v, INCIDENT_TAC_EVASION_BITS);
	core_buf_printf(b, " hid what it ran: find the program behind it "
			"(Sysmon 1 ParentImage and Hashes, Security 4688) "
			"and look for the same file on other hosts.");
}

/* Which kinds of credential theft the Windows records show. */
struct cred_kind {
	bool dump, lsass, roast, asrep, golden, tickets, pth, brute;
	bool got_in;		/* a T1078 logon alert whose logon worked */
};

/* A Valid Accounts logon alert on v's platforms that did not fail. */
static bool logon_worked(const struct view *v)
{
	for (size_t i = 0; i < v->nmem; i++) {
		const struct incident_alert *r = at(v, i);

		if (on(v, r) && incident_rule_valid_account(r->rule) &&
		    r->failed < r->raised)
			return true;
	}
	return false;
}

static void cred_kinds(const struct view *v, struct cred_kind *k)
{
	bool dumping = technique(v, "t1003");

	k->roast = technique(v, "t1558.003");
	k->asrep = technique(v, "t1558.004");
	/* DCSync and NTDS copies hold krbtgt's key: tickets can be forged. */
	k->golden = technique(v, "t1558.001") ||
		    technique(v, "t1003.006") || technique(v, "t1003.003");
	k->tickets = technique(v, "t1550.003") ||
		     technique(v, "t1558.002") ||
		     (technique(v, "t1558") && !k->roast && !k->asrep &&
		      !k->golden);
	k->pth = technique(v, "t1550.002");
	k->brute = technique(v, "t1110");
	k->got_in = k->brute && logon_worked(v);
	k->lsass = technique(v, "t1003.001") ||
		   (dumping && !technique(v, "t1003.002") &&
		    !technique(v, "t1003.003") && !technique(v, "t1003.006"));
	k->dump = dumping || technique(v, "t1555") ||
		  technique(v, "t1552") || technique(v, "t1056") ||
		  !(k->roast || k->asrep || k->golden || k->tickets ||
		    k->pth || k->brute);
}

static void advise_tickets(struct core_buf *b, const struct view *v,
			   const struct cred_kind *k, uint32_t cr)
{
	if (k->roast)
		core_buf_printf(b, " Reset the passwords of the service "
				"accounts whose Kerberos tickets were "
				"requested (Security 4769 ServiceName) to long "
				"random ones, and prefer AES to RC4 tickets "
				"(TicketEncryptionType 0x17 is RC4).");
	if (k->asrep)
		core_buf_printf(b, " Require Kerberos pre-authentication for "
				"every account (Security 4768 with PreAuthType "
				"0 shows those without it) and reset the "
				"passwords of the accounts whose tickets were "
				"requested.");
	if (k->golden)
		core_buf_printf(b, " The domain's Kerberos key may be exposed: "
				"reset the krbtgt account's password twice, "
				"letting replication finish in between, then "
				"the passwords of the accounts involved.");
	if (k->tickets) {
		core_buf_printf(b, " Kerberos tickets were stolen or forged: "
				"purge the tickets of the sessions involved "
				"(klist purge, or log them off) and reset the "
				"passwords of the accounts they were issued "
				"for");
		say_accounts(b, v, cr, " (", ")");
		core_buf_printf(b, ".");
	}
}

/*
 * Credential theft by its kind.  Without the credential access tactic
 * (a pass-the-hash logon tagged as lateral movement), only the use of
 * stolen hashes and tickets is advised on.
 */
static void advise_credentials(struct core_buf *b, const struct view *v,
			       bool cred_tactic)
{
	const uint32_t cr = INCIDENT_TAC_BIT(CRED);
	struct cred_kind k;

	cred_kinds(v, &k);
	if (!cred_tactic) {
		struct cred_kind used = { .pth = k.pth };

		used.tickets = technique(v, "t1550.003");
		k = used;
	}
	if (k.dump) {
		core_buf_printf(b, " Treat the passwords and hashes of the "
				"accounts that logged on to ");
		say_host(b, v, cr);
		core_buf_printf(b, " as exposed (Security 4624 there): reset "
				"them, service accounts included");
		say_accounts(b, v, cr, ", starting with ", "");
		core_buf_printf(b, ".");
	}
	if (k.lsass) {
		core_buf_printf(b, " Check that LSASS is protected on ");
		say_host(b, v, cr);
		core_buf_printf(b, " (RunAsPPL, Credential Guard) and find the "
				"process that read its memory (Sysmon 10: "
				"SourceImage, GrantedAccess).");
	}
	advise_tickets(b, v, &k, cr);
	if (k.pth) {
		core_buf_printf(b, " A password hash was used to log on (pass "
				"the hash): reset the password of the account "
				"used");
		say_accounts(b, v, cr | INCIDENT_TAC_BIT(LATERAL), " (", ")");
		core_buf_printf(b, " and look for the same logon (Security "
				"4624, logon type 9 or NTLM) on other hosts.");
	}
	if (k.got_in)
		core_buf_printf(b, " The guessing worked: a logon succeeded "
				"after the failures (Security 4625, then "
				"4624); enforce account lockout.");
	else if (k.brute)
		core_buf_printf(b, " For the failed logons (Security 4625, "
				"4771, 4776), look for one that then succeeded "
				"from the same source (Security 4624); if one "
				"did, reset the targeted accounts; enforce "
				"account lockout either way.");
}

static void advise_lateral(struct core_buf *b, const struct view *v,
			   bool have_sources)
{
	core_buf_printf(b, " Lateral movement: check where the accounts "
			"used");
	say_accounts(b, v, INCIDENT_TAC_BIT(LATERAL), " (", ")");
	core_buf_printf(b, " logged on (Security 4624 logon types 3 and 10, "
			"4648 explicit credentials, with IpAddress and "
			"WorkstationName) and which other hosts %s reached; "
			"disable the accounts or reset their passwords if the "
			"use was not planned.", have_sources ? "the source" :
			"their source");
}

static void advise_network(struct core_buf *b, const struct view *v,
			   uint32_t tac)
{
	if (tac & INCIDENT_TAC_BIT(C2)) {
		core_buf_printf(b, " Look for the network connections of ");
		say_host(b, v, INCIDENT_TAC_BIT(C2));
		core_buf_printf(b, " (Sysmon 3, DNS queries in Sysmon 22) to "
				"the destinations in the evidence and block "
				"those outside your network.");
	}
	if (tac & INCIDENT_TAC_BIT(IMPACT)) {
		core_buf_printf(b, " Check ");
		say_host(b, v, INCIDENT_TAC_BIT(IMPACT));
		core_buf_printf(b, " for destroyed or encrypted data and "
				"stopped services, and keep its backups "
				"offline until it is clean.");
	}
}

/*
 * Appends the Windows advice for the member records mem[0, nmem) of inc
 * whose platforms include Windows: one or more sentences per tactic, each
 * starting with a space.  have_sources: the advice before named source
 * addresses.  Appends nothing when no such record has a tactic.
 */
void incident_advise_windows(const struct incident_set *s,
			     const uint32_t *mem, size_t nmem,
			     bool have_sources, struct core_buf *b)
{
	const unsigned mask = 1u << INCIDENT_PLAT_WINDOWS;
	struct view v = { s, mem, nmem, mask };
	uint32_t tac = incident_tactics_on(s, mem, nmem, mask);
	const uint32_t ran = INCIDENT_TAC_BIT(EXEC) |
			     INCIDENT_TAC_BIT(PRIVESC) |
			     INCIDENT_TAC_EVASION_BITS;

	/*
	 * An attacker's code on the host and credentials taken or used from
	 * it: what follows takes hours, the spread minutes.  Containment
	 * comes first.
	 */
	if ((tac & INCIDENT_TAC_BIT(LATERAL)) ||
	    ((tac & INCIDENT_TAC_BIT(CRED)) && (tac & ran))) {
		core_buf_printf(b, " First contain ");
		say_host(b, &v, ANY_TACTIC);
		core_buf_printf(b, ": isolate it from the network (EDR "
				"isolation or a switch port) until the steps "
				"below are done.");
	}
	if (tac & INCIDENT_TAC_BIT(INITIAL))
		advise_initial(b, &v);
	advise_process(b, &v, tac);
	if (tac & INCIDENT_TAC_BIT(PERSIST))
		advise_persistence(b, &v);
	if (tac & INCIDENT_TAC_EVASION_BITS)
		advise_evasion(b, &v);
	if (tac & (INCIDENT_TAC_BIT(CRED) | INCIDENT_TAC_BIT(LATERAL) |
		   INCIDENT_TAC_EVASION_BITS))
		advise_credentials(b, &v, tac & INCIDENT_TAC_BIT(CRED));
	if (tac & INCIDENT_TAC_BIT(LATERAL))
		advise_lateral(b, &v, have_sources);
	advise_network(b, &v, tac);
	say_sentences(b, &v, tac & (TAC(RECON) | TAC(DISCOVERY) |
				    TAC(RESOURCE) | TAC(COLLECTION) |
				    TAC(EXFIL)));
}

/*
 * Appends advice for an incident whose explanation has none so far: a
 * sentence per tactic of its records from platforms other than Windows
 * (Windows tactics are all advised on by incident_advise_windows()),
 * else the last resort: the host and the account, and what to check.
 * Each sentence starts with a space.
 */
void incident_advise_unsaid(const struct incident_set *s,
			    const uint32_t *mem, size_t nmem,
			    struct core_buf *b)
{
	const unsigned other = ~(1u << INCIDENT_PLAT_WINDOWS);
	struct view v = { s, mem, nmem, other };
	size_t before = b->len;
	struct seen u;

	say_sentences(b, &v, incident_tactics_on(s, mem, nmem, other));
	if (b->len > before)
		return;
	v.mask = ~0u;
	gather(&v, INCIDENT_ENT_USER, ANY_TACTIC, true, &u);
	core_buf_printf(b, " Ask whoever runs ");
	say_host(b, &v, ANY_TACTIC);
	if (!u.n) {
		/* No account: new behaviour (an anomaly), a host's own. */
		core_buf_printf(b, " whether what the evidence shows was "
				"expected (a planned change, an update, a "
				"restart); if not, review what else happened "
				"there in those hours.");
		return;
	}
	core_buf_printf(b, " whether what ");
	say_list(b, &u, 1, "account");
	core_buf_printf(b, " did in the evidence was expected; if not, "
			"review everything the account did there in those "
			"hours and reset its password.");
}

/*
 * Appends, for the Windows records among mem[0, nmem), where they were
 * seen: "Seen in the Windows event logs of IEWIN7, as IEWIN7\IEUser and
 * NT AUTHORITY\SYSTEM. ".  Nothing when there are none.
 */
void incident_tell_windows(const struct incident_set *s,
			   const uint32_t *mem, size_t nmem,
			   struct core_buf *b)
{
	struct view v = { s, mem, nmem, 1u << INCIDENT_PLAT_WINDOWS };
	struct seen h, u;
	bool any = false;

	for (size_t i = 0; i < nmem && !any; i++)
		any = on(&v, at(&v, i));
	if (!any)
		return;
	gather(&v, INCIDENT_ENT_HOST, ANY_TACTIC, false, &h);
	gather(&v, INCIDENT_ENT_USER, ANY_TACTIC, false, &u);
	core_buf_printf(b, "Seen in the Windows event logs");
	if (h.n) {
		core_buf_printf(b, " of ");
		say_list(b, &h, 3, "host");
	}
	if (u.n) {
		core_buf_printf(b, ", as ");
		say_list(b, &u, 3, "account");
	}
	core_buf_printf(b, ". ");
}
