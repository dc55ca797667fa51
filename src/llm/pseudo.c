/*
 * pseudo.c: pseudonymisation of log text before it leaves the machine.
 *
 * The map is a two-way table of (kind, original) <-> token.  Tokens are
 * short, upper-case and numbered per kind ("IP-PUB-3", "USER-2",
 * "HOST-1", "EMAIL-1", "DOMAIN-4"), so a model can quote them back and
 * reveal() finds them again; an IP token keeps the address class
 * (private/public) and, when asked, the network prefix
 * ("IP-PUB[203.0.113.0/24]-3"), which is all a model needs to reason
 * about "same network" without seeing the address.
 *
 * The text scanner walks words: runs of ASCII letters, digits and
 * ._-@:%+ (everything else, including any non-ASCII byte, passes through
 * as it is).  Per word, in this order:
 *
 *   URL            scheme://[userinfo@]host[:port]: userinfo removed,
 *                  host tokenised, the rest scanned as words
 *   secret value   after a secret key (password=, token:, --api-key X,
 *                  Bearer X, Authorization: X) the value is removed
 *   secret shape   AWS, GitHub, GitLab, Slack, OpenAI-style keys, JWTs
 *   registered     user, host and domain names made known by the caller
 *                  (hosts and domains without regard to case)
 *   e-mail         local@domain.tld
 *   IP             IPv4 (with :port), IPv6, IPv4-mapped IPv6
 *   domain         labels ending in a known top-level domain
 *   keyed          the value of a field naming a user or a host:
 *                  user=X, "TargetUserName":"X", rhost=X, "hostname": "X"
 *   log clause     a user name where a log's user clause has one:
 *                  "invalid user X from", "password for X from",
 *                  "for user X by", "by X(uid=", "user X 192.0.2.1",
 *                  sudo's "X : TTY=", the host of an RFC 3164 line;
 *                  a web server's user field whole ("IP - X [date",
 *                  nginx's user "X", Apache's "user X not found")
 *   inside a word  a registered name between non-alphanumeric bytes
 *                  ("/home/deploy/.ssh", "deploy_backup.tar")
 *
 * The log-clause rules look at the two words before and the one after,
 * and only at text from logs: llm_pseudo_prose() (rule titles, vigil's
 * own wording) keeps everything but them and the keyed rule, so "scanner
 * user agent" or "withheld by vigil" stay as written.  PEM private key
 * blocks are removed whole before words are looked at.  What no pattern,
 * registration or rule catches stays as it is: callers register every
 * entity they know and let llm_pseudo_learn() read every evidence line
 * first (triage does both), so a name caught once is replaced in every
 * line, and the tests check that nothing of a generated incident's
 * evidence leaves.
 */
#include "llm/llm.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_MAX 64
#define VALUE_MAX 512

struct entry {
	enum llm_pseudo_kind kind;
	char *orig;
	size_t olen;
	char token[TOKEN_MAX];
	size_t tlen;
};

struct llm_pseudo {
	struct entry *e;
	size_t n, cap;
	uint32_t *by_orig;	/* open addressing, index + 1 */
	uint32_t *by_token;
	size_t slots;
	unsigned counter[LLM_PK__COUNT];
	bool keep_prefix, keep_class;
};

static const char *const kind_prefix[LLM_PK__COUNT] = {
	"IP", "USER", "HOST", "EMAIL", "DOMAIN",
};

/* Hosts, domains and e-mail addresses compare without case. */
static bool kind_folds(enum llm_pseudo_kind k)
{
	return k == LLM_PK_HOST || k == LLM_PK_DOMAIN || k == LLM_PK_EMAIL;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static uint64_t hash_orig(enum llm_pseudo_kind k, const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)k;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)(kind_folds(k) ? lower(p[i]) : p[i]);
		h *= 1099511628211ULL;
	}
	return h;
}

static bool orig_eq(const struct entry *e, enum llm_pseudo_kind k,
		    const char *p, size_t n)
{
	if (e->kind != k || e->olen != n)
		return false;
	if (!kind_folds(k))
		return memcmp(e->orig, p, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower(e->orig[i]) != lower(p[i]))
			return false;
	return true;
}

struct llm_pseudo *llm_pseudo_new(bool keep_ip_prefix, bool keep_ip_class)
{
	struct llm_pseudo *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->keep_prefix = keep_ip_prefix;
	p->keep_class = keep_ip_class || keep_ip_prefix;
	return p;
}

void llm_pseudo_free(struct llm_pseudo *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		sodium_memzero(p->e[i].orig, p->e[i].olen);
		free(p->e[i].orig);
	}
	free(p->e);
	free(p->by_orig);
	free(p->by_token);
	free(p);
}

size_t llm_pseudo_count(const struct llm_pseudo *p)
{
	return p->n;
}

/* ---------------------------------------------------------------- table */

static void slot_put(uint32_t *tab, size_t slots, uint64_t h, uint32_t v)
{
	size_t i = (size_t)h & (slots - 1);

	while (tab[i])
		i = (i + 1) & (slots - 1);
	tab[i] = v;
}

static int rehash(struct llm_pseudo *p)
{
	size_t slots = p->slots ? p->slots * 2 : 64;
	uint32_t *a = calloc(slots, sizeof(*a));
	uint32_t *b = calloc(slots, sizeof(*b));

	if (!a || !b) {
		free(a);
		free(b);
		return CORE_E_NOMEM;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];

		slot_put(a, slots, hash_orig(e->kind, e->orig, e->olen),
			 (uint32_t)i + 1);
		slot_put(b, slots, core_hash(e->token, e->tlen, 0),
			 (uint32_t)i + 1);
	}
	free(p->by_orig);
	free(p->by_token);
	p->by_orig = a;
	p->by_token = b;
	p->slots = slots;
	return 0;
}

static struct entry *find_orig(const struct llm_pseudo *p,
			       enum llm_pseudo_kind k, const char *s, size_t n)
{
	size_t i;

	if (!p->slots)
		return NULL;
	i = (size_t)hash_orig(k, s, n) & (p->slots - 1);
	for (; p->by_orig[i]; i = (i + 1) & (p->slots - 1))
		if (orig_eq(&p->e[p->by_orig[i] - 1], k, s, n))
			return &p->e[p->by_orig[i] - 1];
	return NULL;
}

static const struct entry *find_token(const struct llm_pseudo *p,
				      const char *s, size_t n)
{
	size_t i;

	if (!p->slots)
		return NULL;
	i = (size_t)core_hash(s, n, 0) & (p->slots - 1);
	for (; p->by_token[i]; i = (i + 1) & (p->slots - 1)) {
		const struct entry *e = &p->e[p->by_token[i] - 1];

		if (e->tlen == n && memcmp(e->token, s, n) == 0)
			return e;
	}
	return NULL;
}

/* The token text of a new entry. */
static void make_token(struct llm_pseudo *p, struct entry *e)
{
	unsigned no = ++p->counter[e->kind];
	struct core_ip ip, net;
	char pfx[64] = "";
	const char *cls = "";

	if (e->kind == LLM_PK_IP && core_ip_parse(e->orig, e->olen, &ip)) {
		cls = !p->keep_class ? "" : core_ip_is_private(&ip) ?
		      "-PRIV" : "-PUB";
		if (p->keep_prefix) {
			unsigned bits = ip.family == 4 ? 24 : 48;

			net = ip;
			memset(net.addr + bits / 8, 0, 16 - bits / 8);
			core_ip_format(&net, pfx + 1, sizeof(pfx) - 8);
			pfx[0] = '[';
			snprintf(pfx + strlen(pfx), 8, "/%u]", bits);
		}
	}
	e->tlen = (size_t)snprintf(e->token, TOKEN_MAX, "%s%s%s-%u",
				   kind_prefix[e->kind], cls, pfx, no);
}

static struct entry *add(struct llm_pseudo *p, enum llm_pseudo_kind k,
			 const char *s, size_t n, const char *token)
{
	struct entry *e;

	if ((p->n + 1) * 2 > p->slots && rehash(p) != 0)
		return NULL;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct entry *ne = realloc(p->e, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		p->e = ne;
		p->cap = cap;
	}
	e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->orig = malloc(n + 1);
	if (!e->orig)
		return NULL;
	memcpy(e->orig, s, n);
	e->orig[n] = '\0';
	e->olen = n;
	if (token)
		e->tlen = (size_t)snprintf(e->token, TOKEN_MAX, "%s", token);
	else
		make_token(p, e);
	p->n++;
	slot_put(p->by_orig, p->slots, hash_orig(k, s, n), (uint32_t)p->n);
	slot_put(p->by_token, p->slots, core_hash(e->token, e->tlen, 0),
		 (uint32_t)p->n);
	return e;
}

static struct entry *intern(struct llm_pseudo *p, enum llm_pseudo_kind k,
			    const char *s, size_t n)
{
	struct entry *e = find_orig(p, k, s, n);

	return e ? e : add(p, k, s, n, NULL);
}

int llm_pseudo_register(struct llm_pseudo *p, enum llm_pseudo_kind kind,
			const char *value, size_t len)
{
	if (!len || len > VALUE_MAX || kind >= LLM_PK__COUNT)
		return CORE_E_INVAL;
	return intern(p, kind, value, len) ? 0 : CORE_E_NOMEM;
}

int llm_pseudo_token(struct llm_pseudo *p, enum llm_pseudo_kind kind,
		     const char *value, size_t len, struct core_buf *out)
{
	struct entry *e;

	if (!len)
		return 0;
	if (len > VALUE_MAX || kind >= LLM_PK__COUNT)
		return core_buf_add(out, LLM_PSEUDO_SECRET,
				    sizeof(LLM_PSEUDO_SECRET) - 1);
	e = intern(p, kind, value, len);
	if (!e)
		return CORE_E_NOMEM;
	return core_buf_add(out, e->token, e->tlen);
}

bool llm_pseudo_lookup(const struct llm_pseudo *p, const char *token,
		       size_t len, struct core_str *out)
{
	const struct entry *e = find_token(p, token, len);

	if (e)
		*out = core_str_make(e->orig, e->olen);
	return e != NULL;
}

/* ------------------------------------------------------------ patterns */

static bool is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	       c == '@' || c == ':' || c == '+';
}

/* A blank: a space, a tab, or one percent-encoded ("%20", "%09"). */
static size_t blank_at(const char *p, const char *end)
{
	if (p < end && (*p == ' ' || *p == '\t'))
		return 1;
	if (end - p >= 3 && p[0] == '%' && (p[1] == '2' || p[1] == '0') &&
	    (p[2] == '0' || p[2] == '9'))
		return 3;
	return 0;
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool lit_ieq(const char *p, size_t n, const char *lit)
{
	return core_str_ieq(core_str_make(p, n),
			    core_str_make(lit, strlen(lit)));
}

static bool in_list(const char *p, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (lit_ieq(p, n, *list))
			return true;
	return false;
}

/* Keys whose value is a secret, as key=value, key: value or --key v. */
static const char *const secret_keys[] = {
	"password", "passwd", "pass", "pwd", "passphrase", "secret",
	"token", "api_key", "apikey", "api-key", "x-api-key", "access_token",
	"refresh_token", "auth_token", "id_token", "client_secret",
	"private_key", "secret_key", "access_key", "aws_secret_access_key",
	"aws_access_key_id", "session", "sessionid", "session_id", "sid",
	"key", "sig", "signature", "auth", "authorization", "credentials",
	"credential", "cookie", "set-cookie", "jwt", "bearer", "db_password",
	"mysql_pwd", "pgpassword", NULL,
};

/* Top-level domains that make a dotted word a domain name. */
static const char *const tlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz",
	"io", "co", "dev", "app", "ai", "cloud", "online", "site", "xyz",
	"top", "me", "tv", "cc", "us", "uk", "de", "fr", "nl", "ru", "cn",
	"jp", "kr", "in", "br", "au", "ca", "ch", "at", "se", "no", "fi",
	"dk", "pl", "it", "es", "eu", "su", "ir", "tk", "onion", "local",
	"lan", "internal", "corp", "home", "intra", "example", "test",
	"invalid", "localdomain", "arpa", NULL,
};

/* Words in a user clause's place that are not names. */
static const char *const not_names[] = {
	"invalid", "illegal", "user", "the", "a", "an", "from", "port",
	"unknown", "by", "to", "with", "session", NULL,
};

/*
 * Field names whose value is a user or a host, compared without case and
 * without '_', '-' and '.' ("user_name", "TargetUserName", "user.name").
 */
static const char *const user_keys[] = {
	"user", "username", "usr", "ruser", "suser", "duser", "logname",
	"acct", "account", "accountname", "login", "loginname", "uname",
	"targetusername", "subjectusername", "targetuser", "sourceuser",
	"samaccountname", "remoteuser", "authuser", "usertargetname",
	"usereffectivename", "sourceusername", "destinationusername", NULL,
};

static const char *const host_keys[] = {
	"host", "hostname", "rhost", "shost", "dhost", "computer",
	"computername", "workstation", "workstationname", "machine",
	"machinename", "servername", "fqdn", "nodename", "devicename",
	"srchost", "dsthost", "clienthost", "sourcehostname",
	"destinationhostname", "hostnamefqdn", "agenthostname", NULL,
};

/* What sshd names before "for USER from": the method that was tried. */
static const char *const auth_methods[] = {
	"password", "publickey", "keyboard-interactive", "pam", "none",
	"hostbased", "gssapi-with-mic", "gssapi-keyex", NULL,
};

/* "PWD=" in upper case is the working directory (sudo, environment). */
static bool is_secret_key(const char *p, size_t n)
{
	while (n && *p == '-') {
		p++;
		n--;
	}
	if (n == 3 && memcmp(p, "PWD", 3) == 0)
		return false;
	return n && in_list(p, n, secret_keys);
}

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(p, lit, l) == 0;
}

/* Well-known key shapes that are secrets wherever they stand. */
static bool secret_shape(const char *p, size_t n)
{
	size_t dots = 0;

	if ((starts(p, n, "AKIA") || starts(p, n, "ASIA")) && n == 20)
		return true;
	if ((starts(p, n, "ghp_") || starts(p, n, "gho_") ||
	     starts(p, n, "ghs_") || starts(p, n, "github_pat_") ||
	     starts(p, n, "glpat-") || starts(p, n, "xoxb-") ||
	     starts(p, n, "xoxp-") || starts(p, n, "sk-")) && n >= 20)
		return true;
	for (size_t i = 0; i < n; i++)
		dots += p[i] == '.';
	return starts(p, n, "eyJ") && dots == 2 && n >= 24;
}

static bool is_email(const char *p, size_t n)
{
	const char *at = memchr(p, '@', n);
	const char *dot;

	if (!at || at == p)
		return false;
	dot = memchr(at, '.', (size_t)(p + n - at));
	return dot && dot > at + 1 && dot < p + n - 2 &&
	       !memchr(at + 1, '@', (size_t)(p + n - at - 1));
}

static bool is_domain(const char *p, size_t n)
{
	const char *last = NULL;
	size_t labels = 1;

	if (n < 4 || p[0] == '.' || p[0] == '-' || p[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (i && p[i - 1] == '.')
				return false;
			labels++;
			last = p + i + 1;
		} else if (!is_alnum((unsigned char)p[i]) && p[i] != '-') {
			return false;
		}
	}
	return labels >= 2 && last &&
	       in_list(last, (size_t)(p + n - last), tlds);
}

/* An IPv4 or IPv6 address, optionally an IPv4 with ":port". */
static bool is_ip(const char *p, size_t n, size_t *iplen)
{
	struct core_ip ip;
	const char *colon;

	*iplen = n;
	if (n >= 2 && memchr(p, ':', n) && core_ip_parse(p, n, &ip))
		return memchr(p, '.', n) || n > 4;
	if (core_ip_parse(p, n, &ip) && ip.family == 4)
		return true;
	colon = memchr(p, ':', n);
	if (colon && !memchr(colon + 1, ':', (size_t)(p + n - colon - 1)) &&
	    core_ip_parse(p, (size_t)(colon - p), &ip) && ip.family == 4) {
		*iplen = (size_t)(colon - p);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------- scanner */

struct scan {
	struct llm_pseudo *p;		/* NULL: secrets only */
	const char *s, *end;
	struct core_buf *out;
	char prev[16];			/* previous word, lower-cased */
	char prev2[16];			/* the one before it */
	char prev_sep;			/* what followed prev */
	bool redact_next;
	bool prose;			/* vigil's text: no log rules */
};

static int put(struct scan *sc, const char *p, size_t n)
{
	return core_buf_add(sc->out, p, n);
}

static int put_token(struct scan *sc, enum llm_pseudo_kind k, const char *p,
		     size_t n)
{
	struct entry *e;

	if (!sc->p)
		return put(sc, p, n);
	e = n <= VALUE_MAX ? intern(sc->p, k, p, n) : NULL;
	if (!e)
		return put(sc, LLM_PSEUDO_SECRET,
			   sizeof(LLM_PSEUDO_SECRET) - 1);
	return put(sc, e->token, e->tlen);
}

static int put_secret(struct scan *sc)
{
	return put(sc, LLM_PSEUDO_SECRET, sizeof(LLM_PSEUDO_SECRET) - 1);
}

/* A registered user, host or domain name, or NULL. */
static struct entry *registered(struct scan *sc, const char *p, size_t n)
{
	struct entry *e;

	if (!sc->p || n > VALUE_MAX)
		return NULL;
	if ((e = find_orig(sc->p, LLM_PK_USER, p, n)) != NULL)
		return e;
	if ((e = find_orig(sc->p, LLM_PK_HOST, p, n)) != NULL)
		return e;
	return find_orig(sc->p, LLM_PK_DOMAIN, p, n);
}

/* The word that follows [.., at) after blanks; empty at the end. */
static struct core_str next_word(const struct scan *sc, const char *at)
{
	const char *e;

	while (at < sc->end && (*at == ' ' || *at == '\t'))
		at++;
	for (e = at; e < sc->end && is_word((unsigned char)*e); e++)
		;
	return core_str_make(at, (size_t)(e - at));
}

static bool at_lit(const struct scan *sc, const char *at, const char *lit)
{
	size_t l = strlen(lit);

	return (size_t)(sc->end - at) >= l && memcmp(at, lit, l) == 0;
}

/* Words before "user" that make "user X" a clause of sshd or PAM. */
static const char *const user_lead[] = {
	"invalid", "illegal", "for", "authenticating", NULL,
};

/*
 * After "user X": where such a clause ends in sshd and PAM lines.  Any
 * "user X" followed by an address or "(uid="; after "invalid user",
 * "for user" and the like also "from", "by", "[preauth]" or the end.
 */
static bool clause_end(const struct scan *sc, const char *at)
{
	struct core_str nx = next_word(sc, at);
	size_t iplen;

	if (at_lit(sc, at, "(uid=") ||
	    (nx.len && (lit_ieq(nx.p, nx.len, "port") ||
			is_ip(nx.p, nx.len, &iplen))))
		return true;
	if (!in_list(sc->prev2, strlen(sc->prev2), user_lead))
		return false;
	if (!nx.len)
		return nx.p == sc->end || *nx.p == '[';
	return lit_ieq(nx.p, nx.len, "from") || lit_ieq(nx.p, nx.len, "by");
}

/* sudo's "USER : TTY=pts/1 ; PWD=..." (or "user NOT in sudoers"). */
static bool sudo_clause(const struct scan *sc, const char *at)
{
	while (at < sc->end && *at == ' ')
		at++;
	if (at == sc->end || *at++ != ':')
		return false;
	while (at < sc->end && *at == ' ')
		at++;
	return at_lit(sc, at, "TTY=") || at_lit(sc, at, "PWD=") ||
	       at_lit(sc, at, "user NOT in sudoers");
}

/*
 * A web server's user field, which Basic, Kerberos or NTLM
 * authentication fills with whatever the client sent ("jdoe",
 * "CORP\\jdoe", "john smith"), taken whole: an access log's ("IP - X
 * [01/Mar/2024:..."), nginx's quoted one (`user "X" was not found`,
 * `user "X": password mismatch`) and Apache's ("user X not found", "user
 * X: authentication failure").  Returns its end when p starts one, else
 * NULL; "-" (no user) is none.
 */
static const char *web_user(const struct scan *sc, const char *p)
{
	const char *lim = p + CORE_MIN((size_t)(sc->end - p), 256u), *q;
	bool dash = !strcmp(sc->prev, "-"), user = !strcmp(sc->prev, "user");

	if (!sc->p || sc->prose || sc->prev_sep != ' ' || (!dash && !user) ||
	    p == sc->s)
		return NULL;
	if (user && p[-1] == '"') {
		q = p - sc->s >= 2 && p[-2] == ' ' ?
		    memchr(p, '"', (size_t)(lim - p)) : NULL;
		return q && q > p ? q : NULL;
	}
	if (p[-1] != ' ' || *p == ' ' || *p == '"')
		return NULL;
	for (q = p; q < lim && *q != '"' &&
	     !(user && (*q == ',' || *q == '=' || *q == '(')); q++) {
		if (dash && lim - q >= 6 && q[0] == ' ' && q[1] == '[' &&
		    q[2] >= '0' && q[2] <= '9' && q[4] == '/')
			return q - p == 1 && *p == '-' ? NULL : q;
		if (user && q > p &&
		    (at_lit(sc, q, " not found") ||
		     at_lit(sc, q, ": authentication failure") ||
		     at_lit(sc, q, ": password mismatch")))
			return q;
	}
	return NULL;
}

/*
 * Does the word [p, p + n) stand where a log's user clause puts a name?
 * at is the first byte after the word.
 */
static bool user_clause(const struct scan *sc, const char *p, size_t n,
			const char *at)
{
	struct core_str nx;

	if (sc->prose || (p[0] >= '0' && p[0] <= '9') ||
	    in_list(p, n, not_names))
		return false;
	if (sudo_clause(sc, at))
		return true;
	if (sc->prev_sep != ' ')
		return false;
	if (!strcmp(sc->prev, "user"))
		return clause_end(sc, at);
	if (!strcmp(sc->prev, "by"))
		return at_lit(sc, at, "(uid=");
	nx = next_word(sc, at);
	return !strcmp(sc->prev, "for") &&
	       in_list(sc->prev2, strlen(sc->prev2), auth_methods) &&
	       lit_ieq(nx.p, nx.len, "from");
}

/* Is the key of a "key=V", "key": "V" or key="V" a user or a host? */
static int keyed(const struct scan *sc, const char *w)
{
	const char *q = w, *k;
	char norm[32];
	size_t n = 0;
	bool spaced = false;

	if (sc->prose)
		return -1;
	if (q > sc->s && (q[-1] == '"' || q[-1] == '\''))
		q--;
	while (q > sc->s && q[-1] == ' ') {
		q--;
		spaced = true;
	}
	if (q == sc->s || (q[-1] != '=' && q[-1] != ':'))
		return -1;
	/* "ruser= rhost=" is an empty value; "new user: X" is prose */
	if ((*--q == '=' && spaced) ||
	    (*q == ':' && (q == sc->s || q[-1] != '"')))
		return -1;
	if (q > sc->s && q[-1] == '"')
		q--;
	for (k = q; k > sc->s && (is_alnum((unsigned char)k[-1]) ||
				  k[-1] == '_' || k[-1] == '-' ||
				  k[-1] == '.'); k--)
		;
	for (; k < q && n < sizeof(norm); k++)
		if (is_alnum((unsigned char)*k))
			norm[n++] = lower(*k);
	if (k < q || !n)
		return -1;
	if (in_list(norm, n, user_keys))
		return LLM_PK_USER;
	return in_list(norm, n, host_keys) ? LLM_PK_HOST : -1;
}

/*
 * Registered names inside a word ("/home/deploy/.ssh" is one path, but
 * "deploy_old.tgz" or "x-web01-y" one word): each run between
 * non-alphanumeric bytes, and each span of such runs up to 64 bytes, is
 * looked up; the longest known one is replaced.
 */
static int inside(struct scan *sc, const char *p, size_t n)
{
	size_t i = 0, flushed = 0;
	int rc = 0;

	while (i < n && !rc) {
		struct entry *best = NULL;
		size_t bend = 0;

		if (is_alnum((unsigned char)p[i]) &&
		    (i == 0 || !is_alnum((unsigned char)p[i - 1]))) {
			for (size_t j = i + 2; j <= n && j - i <= 64; j++) {
				struct entry *e;

				if (j < n && is_alnum((unsigned char)p[j]))
					continue;
				e = registered(sc, p + i, j - i);
				if (e) {
					best = e;
					bend = j;
				}
			}
		}
		if (!best) {
			i++;
			continue;
		}
		rc = put(sc, p + flushed, i - flushed);
		rc = rc ? rc : put(sc, best->token, best->tlen);
		flushed = i = bend;
	}
	return rc ? rc : put(sc, p + flushed, n - flushed);
}

/*
 * The kind of a token-shaped piece of log text ("USER-5", "IP-PUB-3",
 * "x.HOST-2"): a token prefix at a word boundary, "-" and digits, then a
 * boundary; -1 when none.  Such text is pseudonymised like a value, so
 * that a model repeating it can never be read back as one of vigil's
 * own tokens for something else.
 */
static int token_shaped(const char *p, size_t n)
{
	static const char *const ip_class[] = { "-PRIV", "-PUB", "" };

	for (size_t i = 0; i < n; i++) {
		if (!is_alnum((unsigned char)p[i]) ||
		    (i > 0 && is_alnum((unsigned char)p[i - 1])))
			continue;
		for (int k = 0; k < LLM_PK__COUNT; k++) {
			size_t at = i + strlen(kind_prefix[k]), d;

			if (at > n ||
			    memcmp(p + i, kind_prefix[k], at - i) != 0)
				continue;
			for (size_t c = 0; k == LLM_PK_IP && c < 3; c++) {
				size_t cl = strlen(ip_class[c]);

				if (at + cl <= n &&
				    memcmp(p + at, ip_class[c], cl) == 0) {
					at += cl;
					break;
				}
			}
			if (at >= n || p[at] != '-')
				continue;
			for (d = at + 1; d < n && p[d] >= '0' && p[d] <= '9';
			     d++)
				;
			if (d > at + 1 &&
			    (d == n || !is_alnum((unsigned char)p[d])))
				return k;
		}
	}
	return -1;
}

/* One word [p, p + n); trailing dots and colons are not part of it. */
static int word(struct scan *sc, const char *p, size_t n)
{
	size_t core = n, iplen;
	struct entry *e;
	int rc = 0, k;

	while (core && (p[core - 1] == '.' || p[core - 1] == ':' ||
			p[core - 1] == '-'))
		core--;
	if (!core)
		return put(sc, p, n);
	if (sc->redact_next) {
		sc->redact_next = false;
		return put_secret(sc);
	}
	if (secret_shape(p, core))
		rc = put_secret(sc);
	else if ((e = registered(sc, p, core)) != NULL)
		rc = put(sc, e->token, e->tlen);
	else if (sc->p && (k = token_shaped(p, core)) >= 0)
		rc = put_token(sc, (enum llm_pseudo_kind)k, p, core);
	else if (sc->p && is_email(p, core))
		rc = put_token(sc, LLM_PK_EMAIL, p, core);
	else if (sc->p && is_ip(p, core, &iplen)) {
		rc = put_token(sc, LLM_PK_IP, p, iplen);
		if (!rc && iplen < core)
			rc = put(sc, p + iplen, core - iplen);
	} else if (sc->p && is_domain(p, core))
		rc = put_token(sc, LLM_PK_DOMAIN, p, core);
	else if (sc->p && (k = keyed(sc, p)) >= 0 &&
		 !(k == LLM_PK_USER && p[0] >= '0' && p[0] <= '9'))
		rc = put_token(sc, (enum llm_pseudo_kind)k, p, core);
	else if (sc->p && user_clause(sc, p, core, p + n))
		rc = put_token(sc, LLM_PK_USER, p, core);
	else if (sc->p)
		rc = inside(sc, p, core);
	else
		rc = put(sc, p, core);
	return rc ? rc : put(sc, p + core, n - core);
}

/* After "key" and its separator: the value goes, up to a delimiter. */
static const char *skip_value(const char *p, const char *end)
{
	char q = 0;

	if (p < end && (*p == '"' || *p == '\''))
		q = *p++;
	while (p < end) {
		if (q ? *p == q : (*p == ' ' || *p == '&' || *p == ';' ||
				   *p == ',' || *p == '"' || *p == '\'' ||
				   *p == '\t' || *p == '\n' || *p == '\r'))
			break;
		p++;
	}
	return q && p < end ? p + 1 : p;
}

/* "Authorization: Bearer X": the scheme stays, X goes. */
static const char *const auth_schemes[] = { "Bearer ", "Basic ", "Token ",
					    "Digest " };

/* key=value / key: value / --key value with a secret key name. */
static const char *secret_pair(struct scan *sc, const char *w, size_t n,
			       const char *p)
{
	const char *v = p;

	if (!is_secret_key(w, n) || p >= sc->end)
		return NULL;
	if (*v == '=' || (*v == ':' && blank_at(v + 1, sc->end)))
		v++;
	else if (!(blank_at(v, sc->end) && (w[0] == '-' ||
					    lit_ieq(w, n, "bearer"))))
		return NULL;
	while (blank_at(v, sc->end))
		v += blank_at(v, sc->end);
	if (v >= sc->end)
		return NULL;
	if (put(sc, w, n) || put(sc, p, (size_t)(v - p)))
		return NULL;
	for (size_t i = 0; i < CORE_ARRAY_LEN(auth_schemes); i++) {
		size_t l = strlen(auth_schemes[i]);

		if ((size_t)(sc->end - v) > l &&
		    core_str_ieq(core_str_make(v, l - 1),
				 core_str_make(auth_schemes[i], l - 1)) &&
		    blank_at(v + l - 1, sc->end)) {
			size_t b = l - 1 + blank_at(v + l - 1, sc->end);

			if (put(sc, v, b))
				return NULL;
			v += b;
			break;
		}
	}
	if (put_secret(sc))
		return NULL;
	return skip_value(v, sc->end);
}

/* A byte of a host name or IPv4 address in a URL (RFC 3986 reg-name). */
static bool host_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
	       c == '%';
}

/*
 * After the host: ":port" is copied; whatever else follows (a path, or
 * the ")" or "," that closes the sentence around a URL) is left to the
 * scanner, so that it is neither lost nor taken into the host.
 */
static const char *port_end(struct scan *sc, const char *p, const char *e)
{
	const char *q = p;

	if (q < e && *q == ':')
		for (q++; q < e && *q >= '0' && *q <= '9'; q++)
			;
	if (q == p + 1)
		q = p;		/* a lone colon is not a port */
	put(sc, p, (size_t)(q - p));
	return q;
}

/*
 * scheme://[userinfo@]host[:port]; returns where the scanner goes on:
 * after the port, or after the host.
 */
static const char *url(struct scan *sc, const char *p)
{
	const char *q = p, *a, *at = NULL, *host, *hend, *e;
	size_t iplen;

	while (q < sc->end && (is_alnum((unsigned char)*q) || *q == '+' ||
			       *q == '.' || *q == '-'))
		q++;
	if (q == p || sc->end - q < 3 || memcmp(q, "://", 3) != 0)
		return NULL;
	a = q + 3;
	for (e = a; e < sc->end && *e != '/' && *e != '?' && *e != '#' &&
	     *e != ' ' && *e != '"' && *e != '\'' && *e != '<' &&
	     *e != '>' && *e != '\n'; e++)
		if (*e == '@')
			at = e;
	put(sc, p, (size_t)(a - p));
	if (at)
		put(sc, LLM_PSEUDO_SECRET "@", sizeof(LLM_PSEUDO_SECRET));
	host = at ? at + 1 : a;
	hend = host;
	if (hend < e && *hend == '[') {
		hend = memchr(hend, ']', (size_t)(e - hend));
		hend = hend ? hend + 1 : e;
	} else {
		while (hend < e && host_char((unsigned char)*hend))
			hend++;
		/* "(see https://example.org.)": the dot ends the sentence */
		while (hend > host && hend[-1] == '.')
			hend--;
	}
	if (hend > host) {
		struct core_str h = core_str_make(host, (size_t)(hend - host));

		struct entry *r;

		if (h.p[0] == '[' && h.len > 2)
			h = core_str_make(h.p + 1, h.len - 2);
		if ((r = registered(sc, h.p, h.len)) != NULL)
			put(sc, r->token, r->tlen);
		else
			put_token(sc, is_ip(h.p, h.len, &iplen) ? LLM_PK_IP :
				  LLM_PK_DOMAIN, h.p, h.len);
	}
	return port_end(sc, hend, e);
}

/* A PEM private key block: removed whole (to its END line or the end). */
static const char *pem(struct scan *sc, const char *p)
{
	struct core_str rest = core_str_make(p, (size_t)(sc->end - p));
	const char *nl;
	long at;

	if (!core_str_starts(rest, "-----BEGIN"))
		return NULL;
	nl = memchr(p, '\n', rest.len);
	if (core_str_find(core_str_make(p, nl ? (size_t)(nl - p) : rest.len),
			  CORE_STR("PRIVATE KEY")) < 0)
		return NULL;
	put_secret(sc);
	at = core_str_find(rest, CORE_STR("-----END"));
	if (at < 0)
		return sc->end;
	rest = core_str_make(p + at + 8, rest.len - (size_t)at - 8);
	at = core_str_find(rest, CORE_STR("-----"));
	return at < 0 ? sc->end : rest.p + at + 5;
}

/* An RFC 3164 line starts "Mmm dd hh:mm:ss HOST ": HOST is a host. */
static void syslog_host(struct scan *sc)
{
	const char *s = sc->s, *h, *e;

	if (!sc->p || sc->prose || sc->end - s < 17 || s[3] != ' ' ||
	    s[6] != ' ' || s[9] != ':' || s[12] != ':' || s[15] != ' ' ||
	    !core_month_from_abbr(s))
		return;
	h = s + 16;
	for (e = h; e < sc->end && *e != ' '; e++)
		;
	if (e > h && e - h <= 255) {
		size_t iplen;

		if (!is_ip(h, (size_t)(e - h), &iplen))
			intern(sc->p, LLM_PK_HOST, h, (size_t)(e - h));
	}
}

static void remember(struct scan *sc, const char *w, size_t n, char sep)
{
	size_t i;

	memcpy(sc->prev2, sc->prev, sizeof(sc->prev));
	for (i = 0; i < n && i < sizeof(sc->prev) - 1; i++)
		sc->prev[i] = lower(w[i]);
	sc->prev[n < sizeof(sc->prev) ? i : 0] = '\0';
	sc->prev_sep = sep;
}

/* The quote opening nginx's `user "X"`: it keeps "user" before X. */
static bool user_quote(const struct scan *sc, const char *p)
{
	return *p == '"' && p > sc->s && p[-1] == ' ' &&
	       !strcmp(sc->prev, "user");
}

static int scan_text(struct scan *sc)
{
	const char *p = sc->s, *q;

	syslog_host(sc);
	while (p < sc->end) {
		const char *w = p;
		size_t n;

		if ((q = web_user(sc, p)) != NULL) {
			if (put_token(sc, LLM_PK_USER, p, (size_t)(q - p)))
				return CORE_E_TOOBIG;
			p = q;
			sc->prev[0] = '\0';
			continue;
		}
		if ((q = pem(sc, p)) != NULL || (q = url(sc, p)) != NULL) {
			p = q;
			sc->prev[0] = '\0';
			continue;
		}
		if ((n = blank_at(p, sc->end)) == 3) {
			/* "%20" separates words as a space does */
			if (put(sc, p, 3))
				return CORE_E_TOOBIG;
			if (sc->prev_sep == '=')
				sc->prev[0] = '\0';
			sc->redact_next = sc->redact_next && p > sc->s;
			p += 3;
			continue;
		}
		if (!is_word((unsigned char)*p)) {
			if (put(sc, p, 1))
				return CORE_E_TOOBIG;
			if (((*p != ' ' && *p != '=') && !user_quote(sc, p)) ||
			    (*p == ' ' && sc->prev_sep == '=') ||
			    (*p == '=' && (p + 1 == sc->end ||
					   !is_word((unsigned char)p[1]))))
				sc->prev[0] = '\0';
			p++;
			continue;
		}
		while (p < sc->end && is_word((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (n > 1 && w[n - 1] == ':' && p < sc->end && *p == ' ' &&
		    is_secret_key(w, n - 1)) {
			p--;
			n--;
		}
		if ((q = secret_pair(sc, w, n, p)) != NULL) {
			p = q;
			sc->prev[0] = '\0';
			continue;
		}
		if (word(sc, w, n))
			return CORE_E_TOOBIG;
		if (lit_ieq(w, n, "basic") || lit_ieq(w, n, "digest") ||
		    lit_ieq(w, n, "bearer"))
			sc->redact_next = blank_at(p, sc->end) > 0;
		remember(sc, w, n, p < sc->end ? *p : 0);
	}
	return 0;
}

int llm_pseudo_text(struct llm_pseudo *p, const char *text, size_t len,
		    struct core_buf *out)
{
	struct scan sc = { .p = p, .s = text, .end = text + len, .out = out };

	return scan_text(&sc);
}

int llm_pseudo_prose(struct llm_pseudo *p, const char *text, size_t len,
		     struct core_buf *out)
{
	struct scan sc = { .p = p, .s = text, .end = text + len, .out = out,
			   .prose = true };

	return scan_text(&sc);
}

int llm_pseudo_learn(struct llm_pseudo *p, const char *text, size_t len)
{
	struct core_buf sink;
	struct scan sc = { .p = p, .s = text, .end = text + len,
			   .out = &sink };
	int rc;

	/* tokens may be longer than what they stand for */
	core_buf_init(&sink, len < SIZE_MAX / 32 ? 16 * len + 4096 : len);
	rc = scan_text(&sc);
	core_buf_free(&sink);
	return rc;
}

int llm_pseudo_scrub(const char *text, size_t len, struct core_buf *out)
{
	struct scan sc = { .s = text, .end = text + len, .out = out };

	return scan_text(&sc);
}

/* --------------------------------------------------------------- reveal */

static bool token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c >= 'a' && c <= 'f') || c == '-' || c == '.' || c == ':' ||
	       c == '/' || c == '[' || c == ']';
}

int llm_pseudo_reveal(const struct llm_pseudo *p, const char *text,
		      size_t len, struct core_buf *out)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		const struct entry *e = NULL;
		size_t n = 0, j;

		if (text[i] >= 'A' && text[i] <= 'Z' &&
		    (i == 0 || !is_alnum((unsigned char)text[i - 1]))) {
			for (j = i; j < len && j - i < TOKEN_MAX &&
			     token_char((unsigned char)text[j]); j++)
				;
			for (n = j - i; n > 2; n--) {
				e = find_token(p, text + i, n);
				if (e && (i + n == len ||
					  !is_alnum((unsigned char)
						    text[i + n])))
					break;
				e = NULL;
			}
		}
		if (e) {
			rc = core_buf_add(out, e->orig, e->olen);
			i += n;
		} else {
			rc = core_buf_addc(out, text[i]);
			i++;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* ----------------------------------------------------------------- seal */

/*
 * A new key is written whole to a private temporary name beside the
 * path and linked into place: link() never replaces a file, so of
 * several processes creating the key at once exactly one wins, and the
 * others (EEXIST) read the winner's key; and no reader ever sees a key
 * half written, since the name appears only once the bytes are there.
 */
static int key_create(const char *path, unsigned char key[32],
		      struct core_error *err)
{
	char tmp[LLM_PATH_MAX + 16];
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(tmp))
		return core_fail(err, CORE_E_TOOBIG, path, 0,
				 "map key path too long");
	if (sodium_init() < 0)
		return core_fail(err, CORE_E_IO, path, 0,
				 "libsodium failed to start");
	fd = mkstemp(tmp);	/* mode 0600 */
	if (fd < 0)
		return core_fail(err, CORE_E_IO, path, 0,
				 "cannot create the map key: %s",
				 strerror(errno));
	randombytes_buf(key, 32);
	if (write(fd, key, 32) != 32 || fsync(fd) != 0)
		rc = core_fail(err, CORE_E_IO, path, 0,
			       "cannot write the map key: %s",
			       strerror(errno));
	close(fd);
	if (rc == 0 && link(tmp, path) != 0)
		rc = errno == EEXIST ? 1 : core_fail(err, CORE_E_IO, path, 0,
			"cannot create the map key: %s", strerror(errno));
	unlink(tmp);
	if (rc)
		sodium_memzero(key, 32);
	return rc;
}

int llm_seal_key_load(const char *path, unsigned char key[32],
		      struct core_error *err)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	int rc;

	if (fd < 0 && errno == ENOENT) {
		rc = key_create(path, key, err);
		if (rc <= 0)
			return rc;
		/* Another process linked its key first: that one counts. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return core_fail(err, CORE_E_IO, path, 0, "%s",
				 strerror(errno));
	if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) || sb.st_size != 32) {
		close(fd);
		return core_fail(err, CORE_E_INVAL, path, 0,
				 "the map key must be 32 bytes, mode 0600");
	}
	n = read(fd, key, 32);
	close(fd);
	return n == 32 ? 0 : core_fail(err, CORE_E_IO, path, 0,
				       "short read of the map key");
}

static int put_u32(struct core_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	return core_buf_add(b, x, 4);
}

static bool get_u32(const unsigned char **p, const unsigned char *end,
		    uint32_t *v)
{
	if (end - *p < 4)
		return false;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	     (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	return true;
}

/* Plain layout: n, counters, then kind, token, original per entry. */
static int serialise(const struct llm_pseudo *p, struct core_buf *b)
{
	int rc = put_u32(b, (uint32_t)p->n);

	for (int k = 0; k < LLM_PK__COUNT && !rc; k++)
		rc = put_u32(b, p->counter[k]);
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct entry *e = &p->e[i];

		rc = put_u32(b, e->kind) || put_u32(b, (uint32_t)e->tlen) ||
		     core_buf_add(b, e->token, e->tlen) ||
		     put_u32(b, (uint32_t)e->olen) ||
		     core_buf_add(b, e->orig, e->olen);
	}
	return rc ? CORE_E_NOMEM : 0;
}

int llm_pseudo_seal(const struct llm_pseudo *p, const unsigned char key[32],
		    struct core_buf *out)
{
	struct core_buf plain;
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *ct;
	size_t ctlen;
	int rc;

	if (sodium_init() < 0)
		return CORE_E_IO;
	core_buf_init(&plain, 64u << 20);
	if ((rc = serialise(p, &plain)) != 0) {
		core_buf_free(&plain);
		return rc;
	}
	ctlen = plain.len + crypto_secretbox_MACBYTES;
	ct = malloc(ctlen);
	if (!ct) {
		core_buf_free(&plain);
		return CORE_E_NOMEM;
	}
	randombytes_buf(nonce, sizeof(nonce));
	crypto_secretbox_easy(ct, (const unsigned char *)core_buf_cstr(&plain),
			      plain.len, nonce, key);
	sodium_memzero(plain.p, plain.len);
	core_buf_free(&plain);
	rc = core_buf_add(out, nonce, sizeof(nonce));
	if (!rc)
		rc = core_buf_add(out, ct, ctlen);
	free(ct);
	return rc;
}

/*
 * One stored entry into p.  An entry p already holds is skipped; one
 * that gives a known value another token, or a known token another
 * value, means two maps grew apart (written without a transaction
 * around the reload): an error, never a silent pick, since a model
 * would then read one token for two addresses.
 */
static int merge(struct llm_pseudo *p, uint32_t kind, const char *s,
		 size_t ol, const char *tok, size_t tl, struct core_error *err)
{
	const struct entry *eo = find_orig(p, kind, s, ol);
	const struct entry *et = find_token(p, tok, tl);

	if (eo && eo == et)
		return 0;
	if (eo || et)
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "pseudonym map conflict at %s: a token "
				 "would stand for two values", et ? tok :
				 eo->token);
	return add(p, kind, s, ol, tok) ? 0 : CORE_E_NOMEM;
}

static int restore(struct llm_pseudo *p, const unsigned char *s,
		   const unsigned char *end, struct core_error *err)
{
	uint32_t n, v, kind, tl, ol;
	int rc;

	if (!get_u32(&s, end, &n))
		goto bad;
	for (int k = 0; k < LLM_PK__COUNT; k++) {
		if (!get_u32(&s, end, &v))
			goto bad;
		p->counter[k] = CORE_MAX(p->counter[k], v);
	}
	for (uint32_t i = 0; i < n; i++) {
		char tok[TOKEN_MAX];

		if (!get_u32(&s, end, &kind) || kind >= LLM_PK__COUNT ||
		    !get_u32(&s, end, &tl) || tl >= TOKEN_MAX ||
		    (size_t)(end - s) < tl)
			goto bad;
		memcpy(tok, s, tl);
		tok[tl] = '\0';
		s += tl;
		if (!get_u32(&s, end, &ol) || ol > VALUE_MAX ||
		    (size_t)(end - s) < ol)
			goto bad;
		rc = merge(p, kind, (const char *)s, ol, tok, tl, err);
		if (rc)
			return rc;
		s += ol;
	}
	return 0;
bad:
	return core_fail(err, CORE_E_PARSE, NULL, 0,
			 "pseudonym map is damaged");
}

int llm_pseudo_unseal(struct llm_pseudo *p, const unsigned char key[32],
		      const void *blob, size_t len, struct core_error *err)
{
	const unsigned char *b = blob;
	unsigned char *plain;
	size_t plen;
	int rc;

	if (sodium_init() < 0)
		return CORE_E_IO;
	if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "pseudonym map is too short");
	plen = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	plain = malloc(plen + 1);
	if (!plain)
		return CORE_E_NOMEM;
	if (crypto_secretbox_open_easy(plain, b + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, b,
				       key) != 0) {
		free(plain);
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "pseudonym map does not open: altered, or "
				 "another key");
	}
	rc = restore(p, plain, plain + plen, err);
	sodium_memzero(plain, plen);
	free(plain);
	return rc;
}
