/*
 * ruleset.c: the detect room's public face: loading files, compiling
 * correlation references, and matching events.
 *
 * Loading reads every *.yml / *.yaml under a path in name order, so rule
 * order and therefore alert order are stable.  The log source map is
 * loaded on first use from the data directory (see find_datadir()).
 * Compiling resolves each correlation's references by id or name, checks
 * for cycles, resolves group-by fields per referenced rule, decides which
 * rules raise alerts of their own (generate), and indexes every plain rule
 * under its log source.
 *
 * Matching: the log sources whose `when` holds come from a cache keyed by
 * the fields those selections read (whencache.c); only their rules'
 * conditions are evaluated, those the prefilter leaves when it scans.  A
 * hit raises a plain alert (when the rule generates) and feeds the
 * correlations referencing the rule.  Workload: one call per event, so
 * the loop allocates nothing (but the prefilter's buffer, grown once).
 */
#include "detect/detect_int.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (4u << 20)
#define DEFAULT_GROUP_CAP 100000

/* ------------------------------------------------------------- utilities */

void *detect_alloc(struct detect_ruleset *rs, size_t n)
{
	void *p = core_arena_alloc(rs->arena, n ? n : 1);

	/* Rules are small and loaded once: running out here is fatal. */
	if (p == NULL)
		abort();
	memset(p, 0, n ? n : 1);
	return p;
}

const char *detect_strdup(struct detect_ruleset *rs, const char *p,
			  size_t len)
{
	char *s = detect_alloc(rs, len + 1);

	memcpy(s, p, len);
	return s;
}

int detect_keep_re(struct detect_ruleset *rs, pcre2_code *re)
{
	if (rs->nres == rs->capres) {
		unsigned ncap = rs->capres ? rs->capres * 2 : 16;
		pcre2_code **n = realloc(rs->res, ncap * sizeof(*n));

		if (n == NULL) {
			pcre2_code_free(re);
			return CORE_E_NOMEM;
		}
		rs->res = n;
		rs->capres = ncap;
	}
	rs->res[rs->nres++] = re;
	return 0;
}

void detect_reject(struct detect_ruleset *rs, const char *file,
		   uint64_t line, const char *fmt, ...)
{
	struct core_error err = { .code = CORE_E_UNSUPPORTED, .line = line };
	va_list ap;

	if (rs->reject == NULL)
		return;
	snprintf(err.file, sizeof(err.file), "%s", file ? file : "");
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	rs->reject(&err, rs->reject_ud);
}

void detect_warn(struct detect_ruleset *rs, const char *file, uint64_t line,
		 const char *fmt, ...)
{
	struct core_error err = { .code = 0, .line = line };
	va_list ap;

	rs->nwarn++;
	if (rs->warn == NULL)
		return;
	snprintf(err.file, sizeof(err.file), "%s", file ? file : "");
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	rs->warn(&err, rs->warn_ud);
}

/* --------------------------------------------------------------- lifetime */

struct detect_ruleset *detect_ruleset_new(void)
{
	struct detect_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		return NULL;
	rs->arena = core_arena_new(64 * 1024);
	if (rs->arena == NULL) {
		free(rs);
		return NULL;
	}
	rs->group_cap = DEFAULT_GROUP_CAP;
	rs->clock = INT64_MIN / 2;
	return rs;
}

void detect_ruleset_free(struct detect_ruleset *rs)
{
	if (rs == NULL)
		return;
	for (unsigned i = 0; i < rs->nrules; i++) {
		detect_corr_free(rs->rules[i]);
		free(rs->rules[i]->parents);
		free(rs->rules[i]->filters);
	}
	for (unsigned i = 0; i < rs->nls; i++)
		free(rs->ls[i].rules);
	for (unsigned i = 0; i < rs->nres; i++)
		pcre2_code_free(rs->res[i]);
	detect_pf_free(rs);
	detect_wc_free(rs->wc);
	free(rs->ids.slot);
	free(rs->names.slot);
	free(rs->plain);
	free(rs->ls);
	free(rs->res);
	pcre2_match_data_free(rs->md);
	free(rs->rules);
	core_arena_free(rs->arena);
	free(rs);
}

int detect_ruleset_set_datadir(struct detect_ruleset *rs, const char *dir)
{
	if (rs->ls_loaded)
		return CORE_E_INVAL;
	snprintf(rs->datadir, sizeof(rs->datadir), "%s", dir);
	return 0;
}

void detect_ruleset_set_warn(struct detect_ruleset *rs, detect_reject_fn warn,
			     void *ud)
{
	rs->warn = warn;
	rs->warn_ud = ud;
}

uint64_t detect_ruleset_warnings(const struct detect_ruleset *rs)
{
	return rs->nwarn;
}

void detect_ruleset_set_group_cap(struct detect_ruleset *rs, unsigned cap)
{
	rs->group_cap = cap ? cap : 1;
}

int detect_ruleset_set_prefilter(struct detect_ruleset *rs, bool on)
{
	if (rs->compiled)
		return CORE_E_INVAL;
	rs->pf_off = !on;
	rs->pf_forced = on;
	return 0;
}

int detect_ruleset_set_cache(struct detect_ruleset *rs, const char *dir)
{
	int rc = 0;

	if (rs->compiled)
		return CORE_E_INVAL;
	rs->pf_cache = false;
	if (dir == NULL)
		rc = detect_pfc_default_dir(rs->pf_cache_dir,
					    sizeof(rs->pf_cache_dir));
	else if (dir[0] == '\0')
		rc = CORE_E_NOTFOUND;
	else if (strlen(dir) >= sizeof(rs->pf_cache_dir))
		rc = CORE_E_TOOBIG;
	else
		snprintf(rs->pf_cache_dir, sizeof(rs->pf_cache_dir), "%s",
			 dir);
	rs->pf_cache = rc == 0;
	return rc == CORE_E_NOTFOUND ? 0 : rc;
}


void detect_ruleset_stats(const struct detect_ruleset *rs,
			  struct detect_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < rs->nrules; i++) {
		const struct detect_rule *r = rs->rules[i];

		if (r->dead)
			continue;
		st->rules++;
		st->correlations += r->corr != NULL;
		st->filters += r->is_filter;
	}
	st->evictions = rs->evictions;
	st->logsources = rs->nls;
	st->regexes = rs->nres;
	st->regexes_jit = rs->nre_jit;
	detect_pf_stats(rs, &st->pf_literals, &st->pf_exact, &st->pf_always);
	detect_pf_cache_stats(rs, &st->pf_dbs, &st->pf_dbs_cached,
			      &st->pf_dbs_written);
	st->pf_cache_dir = rs->pf_cache ? rs->pf_cache_dir : NULL;
}

/* -------------------------------------------------------------- loading */

static bool same_ref(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Rule ids (those the rules give) and names, each in an open-addressed
 * table of rule index + 1, so that the duplicate check of a whole rule
 * set costs one probe per rule rather than a pass over those loaded.
 */
static uint32_t ref_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The index of the rule whose id (name: false) is ref, or -1. */
static long ref_find(const struct detect_reftab *t,
		     struct detect_rule *const *rules, const char *ref, bool id)
{
	if (t->cap == 0 || ref == NULL)
		return -1;
	for (uint32_t k = ref_hash(ref) & (t->cap - 1); t->slot[k] != 0;
	     k = (k + 1) & (t->cap - 1)) {
		const struct detect_rule_info *o = &rules[t->slot[k] - 1]->info;

		if (strcmp(id ? o->id : o->name, ref) == 0)
			return (long)t->slot[k] - 1;
	}
	return -1;
}

/* Puts rule index under ref; the table has room (ref_room()). */
static void ref_put(struct detect_reftab *t, const char *ref, uint32_t index)
{
	uint32_t k;

	for (k = ref_hash(ref) & (t->cap - 1); t->slot[k] != 0;
	     k = (k + 1) & (t->cap - 1))
		;
	t->slot[k] = index + 1;
	t->n++;
}

/* Makes room for one more entry (the table at most half full). */
static int ref_room(struct detect_reftab *t, struct detect_rule *const *rules,
		    bool id)
{
	struct detect_reftab g = { .cap = t->cap ? t->cap * 2 : 1024 };

	if ((t->n + 1) * 2 <= t->cap)
		return 0;
	g.slot = calloc(g.cap, sizeof(*g.slot));
	if (g.slot == NULL)
		return CORE_E_NOMEM;
	for (uint32_t i = 0; i < t->cap; i++) {
		const struct detect_rule_info *o;

		if (t->slot[i] == 0)
			continue;
		o = &rules[t->slot[i] - 1]->info;
		ref_put(&g, id ? o->id : o->name, t->slot[i] - 1);
	}
	free(t->slot);
	*t = g;
	return 0;
}

int detect_ruleset_add(struct detect_ruleset *rs, struct detect_rule *r)
{
	const char *id = r->id_given ? r->info.id : NULL;
	long by_id = ref_find(&rs->ids, rs->rules, id, true);
	long by_name = ref_find(&rs->names, rs->rules, r->info.name, false);

	if (by_id >= 0 || by_name >= 0) {
		bool ids = by_id >= 0 && (by_name < 0 || by_id < by_name);
		const struct detect_rule_info *o =
			&rs->rules[ids ? by_id : by_name]->info;

		detect_reject(rs, r->info.file, r->info.line,
			      "duplicate rule id or name '%s' (first in "
			      "%s:%llu)", ids ? r->info.id : r->info.name,
			      o->file, (unsigned long long)o->line);
		return CORE_E_INVAL;
	}
	if ((id != NULL && ref_room(&rs->ids, rs->rules, true) != 0) ||
	    (r->info.name != NULL &&
	     ref_room(&rs->names, rs->rules, false) != 0))
		return CORE_E_NOMEM;
	if (rs->nrules == rs->caprules) {
		unsigned ncap = rs->caprules ? rs->caprules * 2 : 64;
		struct detect_rule **n = realloc(rs->rules,
						 ncap * sizeof(*n));

		if (n == NULL)
			return CORE_E_NOMEM;
		rs->rules = n;
		rs->caprules = ncap;
	}
	if (id != NULL)
		ref_put(&rs->ids, id, rs->nrules);
	if (r->info.name != NULL)
		ref_put(&rs->names, r->info.name, rs->nrules);
	rs->rules[rs->nrules++] = r;
	rs->compiled = false;
	return 0;
}

static bool exists_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int map_extra(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 15 && strncmp(d->d_name, "logsources-", 11) == 0 &&
	       strcmp(d->d_name + n - 4, ".yml") == 0;
}

static int map_file(struct detect_ruleset *rs, const char *file)
{
	struct core_error err;

	if (detect_logsource_load(rs, file, &err) == 0)
		return 0;
	if (rs->reject)
		rs->reject(&err, rs->reject_ud);
	return err.code;
}

/*
 * Loads dir/logsources.yml, then every dir/logsources-*.yml in name
 * order: later files add sources (e.g. logsources-windows.yml), and the
 * first matching source still wins, so logsources.yml comes first.
 */
static int map_dir(struct detect_ruleset *rs, const char *dir)
{
	struct dirent **ents;
	char file[4096];
	int n, rc;

	if (snprintf(file, sizeof(file), "%s/logsources.yml", dir) >=
	    (int)sizeof(file))
		return CORE_E_INVAL;
	rc = map_file(rs, file);
	n = rc == 0 ? scandir(dir, &ents, map_extra, alphasort) : 0;
	for (int i = 0; i < n; i++) {
		int w = snprintf(file, sizeof(file), "%s/%s", dir,
				 ents[i]->d_name);

		if (rc == 0 && w < (int)sizeof(file))
			rc = map_file(rs, file);
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	/* Placeholders are optional: without them, rules using them load
	 * with a warning naming the placeholder and this file. */
	if (snprintf(file, sizeof(file), "%s/placeholders.yml", dir) <
	    (int)sizeof(file) && strlen(file) < sizeof(rs->ph_file))
		memcpy(rs->ph_file, file, strlen(file) + 1);
	if (rc == 0 && snprintf(file, sizeof(file), "%s/placeholders.yml",
				dir) < (int)sizeof(file) && exists_file(file)) {
		struct core_error err;

		rc = detect_placeholders_load(rs, file, &err);
		if (rc != 0 && rs->reject)
			rs->reject(&err, rs->reject_ud);
	}
	rs->ls_loaded = rc == 0;
	return rc;
}

/*
 * The log source map: the directory set by detect_ruleset_set_datadir(),
 * else $VIGIL_DATADIR, else data/ beside or above the rules path, else
 * the source tree's and the installed data/.
 */
static int load_map(struct detect_ruleset *rs, const char *path)
{
	char cand[6][1024];
	const char *env = getenv("VIGIL_DATADIR");
	unsigned n = 0;

	if (rs->ls_loaded)
		return 0;
	if (rs->datadir[0])
		snprintf(cand[n++], sizeof(cand[0]), "%s", rs->datadir);
	if (env && *env)
		snprintf(cand[n++], sizeof(cand[0]), "%s", env);
	if (path) {
		snprintf(cand[n++], sizeof(cand[0]), "%s/../data", path);
		snprintf(cand[n++], sizeof(cand[0]), "%s/data", path);
	}
	snprintf(cand[n++], sizeof(cand[0]), "%s", VIGIL_SOURCE_DATA_DIR);
	snprintf(cand[n++], sizeof(cand[0]), "%s", VIGIL_DATA_DIR);
	for (unsigned i = 0; i < n; i++) {
		char file[1100];
		int w = snprintf(file, sizeof(file), "%s/logsources.yml",
				 cand[i]);

		if (w >= (int)sizeof(file) || !exists_file(file))
			continue;
		return map_dir(rs, cand[i]);
	}
	detect_reject(rs, path, 0, "log source map data/logsources.yml not "
		      "found (set VIGIL_DATADIR)");
	return CORE_E_NOTFOUND;
}

int detect_ruleset_load_buffer(struct detect_ruleset *rs, const char *name,
			       const void *data, size_t len,
			       detect_reject_fn reject, void *ud)
{
	int rc;

	rs->reject = reject;
	rs->reject_ud = ud;
	rc = load_map(rs, NULL);
	if (rc != 0)
		return rc;
	return detect_load_yaml(rs, name, data, len);
}

static int load_file(struct detect_ruleset *rs, const char *file)
{
	FILE *f = fopen(file, "rb");
	unsigned char *buf;
	size_t n;
	int rc;

	if (f == NULL) {
		detect_reject(rs, file, 0, "cannot open");
		return 0;
	}
	buf = malloc(FILE_MAX + 1);
	n = buf ? fread(buf, 1, FILE_MAX + 1, f) : 0;
	fclose(f);
	if (buf == NULL)
		return CORE_E_NOMEM;
	if (n > FILE_MAX) {
		detect_reject(rs, file, 0, "rule file larger than 4 MiB");
		rc = 0;
	} else {
		rc = detect_load_yaml(rs, file, buf, n);
	}
	free(buf);
	return rc;
}

static bool rule_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int load_path(struct detect_ruleset *rs, const char *path,
		     unsigned depth)
{
	struct dirent **ents;
	struct stat st;
	int n, total = 0;

	if (stat(path, &st) != 0)
		return CORE_E_IO;
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	if (depth > 16 || (n = scandir(path, &ents, NULL, alphasort)) < 0)
		return CORE_E_IO;
	for (int i = 0; i < n; i++) {
		char sub[4096];
		int rc = 0;

		if (ents[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path,
			     ents[i]->d_name) < (int)sizeof(sub) &&
		    stat(sub, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || rule_file(ents[i]->d_name)))
			rc = load_path(rs, sub, depth + 1);
		total += rc > 0 ? rc : 0;
		free(ents[i]);
	}
	free(ents);
	return total;
}

int detect_ruleset_load(struct detect_ruleset *rs, const char *path,
			detect_reject_fn reject, void *ud)
{
	struct stat st;
	int rc;

	rs->reject = reject;
	rs->reject_ud = ud;
	if (stat(path, &st) != 0)
		return CORE_E_IO;
	rc = load_map(rs, S_ISDIR(st.st_mode) ? path : NULL);
	if (rc != 0)
		return rc;
	return load_path(rs, path, 0);
}

size_t detect_ruleset_count(const struct detect_ruleset *rs)
{
	size_t n = 0;

	for (unsigned i = 0; i < rs->nrules; i++)
		n += !rs->rules[i]->dead;
	return n;
}

/* ------------------------------------------------------------- compiling */

static struct detect_rule *find_ref(struct detect_ruleset *rs,
				    const char *ref)
{
	for (unsigned i = 0; i < rs->nrules; i++) {
		struct detect_rule *r = rs->rules[i];

		if (same_ref(r->info.id, ref) || same_ref(r->info.name, ref))
			return r;
	}
	return NULL;
}

/* Refuses r for why, naming what, at line of its file. */
static void kill_at(struct detect_ruleset *rs, struct detect_rule *r,
		    uint64_t line, const char *why, const char *what)
{
	if (r->dead)
		return;
	r->dead = true;
	detect_reject(rs, r->info.file, line, "%s '%s' (rule '%s')", why,
		      what, r->info.title);
}

static void kill(struct detect_ruleset *rs, struct detect_rule *r,
		 const char *why, const char *what)
{
	kill_at(rs, r, r->info.line, why, what);
}

/*
 * The field a group-by (or value) name of correlation r means for one
 * referenced rule; a name the rule's events never carry is warned about,
 * as in a detection, since every event would fall in one empty group.
 */
static bool gfield(struct detect_ruleset *rs, const struct detect_rule *r,
		   const struct detect_rule *kid, const char *name,
		   struct detect_fref *out)
{
	const struct detect_corr *c = r->corr;
	int ls = kid->corr ? -1 : (int)kid->logsource;

	for (unsigned i = 0; i < c->nalias; i++) {
		if (strcmp(c->alias[i].alias, name) == 0 &&
		    (same_ref(c->alias[i].rule, kid->info.name) ||
		     same_ref(c->alias[i].rule, kid->info.id))) {
			name = c->alias[i].field;
			break;
		}
	}
	if (!detect_logsource_field(rs, ls, name, strlen(name), out))
		return false;
	if (!detect_logsource_known(rs, ls, name, strlen(name)))
		detect_warn(rs, r->info.file, r->info.line,
			    "field '%.*s' is not one the events of %s carry "
			    "(vigil rules fields lists them): rule '%s' "
			    "finds it unset in every event of rule '%s'",
			    (int)CORE_MIN(strlen(name), 64), name,
			    rs->ls[ls].label, r->info.title, kid->info.title);
	return true;
}

static void resolve_fields(struct detect_ruleset *rs, struct detect_rule *r)
{
	struct detect_corr *c = r->corr;

	for (unsigned k = 0; k < c->nrefs && !r->dead; k++) {
		for (unsigned g = 0; g < c->ngroup; g++) {
			if (!gfield(rs, r, c->kids[k], c->group[g],
				    &c->gref[k][g]))
				kill(rs, r, "unknown group-by field",
				     c->group[g]);
		}
		if (c->field && !gfield(rs, r, c->kids[k], c->field,
					&c->fref[k]))
			kill(rs, r, "unknown field", c->field);
	}
}

static void resolve_refs(struct detect_ruleset *rs, struct detect_rule *r)
{
	struct detect_corr *c = r->corr;

	for (unsigned k = 0; k < c->nrefs; k++) {
		c->kids[k] = find_ref(rs, c->refs[k]);
		if (c->kids[k] == NULL)
			kill_at(rs, r, c->ref_line[k], "unknown rule",
				c->refs[k]);
		else if (c->kids[k] == r)
			kill_at(rs, r, c->ref_line[k],
				"correlation references itself", c->refs[k]);
	}
}

/* True when r (transitively) references a rule that is being visited. */
static bool cyclic(struct detect_rule *r)
{
	bool found = false;

	if (r->corr == NULL || r->dead)
		return false;
	if (r->visiting)
		return true;
	r->visiting = true;
	for (unsigned k = 0; k < r->corr->nrefs && !found; k++)
		found = r->corr->kids[k] && cyclic(r->corr->kids[k]);
	r->visiting = false;
	return found;
}

/* Kills correlations that reference dead rules, until nothing changes. */
static void cascade(struct detect_ruleset *rs)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (unsigned i = 0; i < rs->nrules; i++) {
			struct detect_rule *r = rs->rules[i];

			for (unsigned k = 0; r->corr && !r->dead &&
			     k < r->corr->nrefs; k++) {
				struct detect_rule *kid = r->corr->kids[k];

				if (kid && kid->dead) {
					kill(rs, r, "references a rejected "
					     "rule", r->corr->refs[k]);
					changed = true;
				}
			}
		}
	}
}

static int link_parents(struct detect_ruleset *rs, struct detect_rule *r)
{
	for (unsigned k = 0; k < r->corr->nrefs; k++) {
		struct detect_rule *kid = r->corr->kids[k];
		struct detect_parent *np;

		np = realloc(kid->parents, (kid->nparents + 1) * sizeof(*np));
		if (np == NULL)
			return CORE_E_NOMEM;
		np[kid->nparents].rule = r;
		np[kid->nparents++].slot = k;
		kid->parents = np;
		kid->info.generate = r->corr->generate;
	}
	(void)rs;
	return 0;
}

/* Attaches filter f to every rule it names; refuses it if none exists. */
static int attach_filter(struct detect_ruleset *rs, struct detect_rule *f)
{
	unsigned found = 0;

	for (size_t k = 0; k < f->nfilter_refs; k++) {
		struct detect_rule *t = find_ref(rs, f->filter_refs[k]);
		struct detect_rule **n;

		if (t == NULL || t->is_filter)
			continue;
		n = realloc(t->filters, (t->nfilters + 1) * sizeof(*n));
		if (n == NULL)
			return CORE_E_NOMEM;
		n[t->nfilters++] = f;
		t->filters = n;
		found++;
	}
	if (found == 0)
		kill(rs, f, "filter names no loaded rule, first",
		     f->filter_refs[0]);
	return 0;
}

static int index_rule(struct detect_ruleset *rs, struct detect_rule *r)
{
	struct detect_logsource *e = &rs->ls[r->logsource];
	struct detect_rule **p;

	p = realloc(rs->plain, (rs->nplain + 1) * sizeof(*p));
	if (p == NULL)
		return CORE_E_NOMEM;
	rs->plain = p;
	r->plain_id = rs->nplain;
	rs->plain[rs->nplain++] = r;

	if (e->nrules == e->caprules) {
		unsigned ncap = e->caprules ? e->caprules * 2 : 16;
		struct detect_rule **n = realloc(e->rules, ncap * sizeof(*n));

		if (n == NULL)
			return CORE_E_NOMEM;
		e->rules = n;
		e->caprules = ncap;
	}
	e->rules[e->nrules++] = r;
	return 0;
}

static int compile_links(struct detect_ruleset *rs)
{
	int rc = 0;

	/* A rule referenced by several correlations generates if any says so:
	 * start from false and let link_parents() raise it. */
	for (unsigned i = 0; i < rs->nrules; i++) {
		struct detect_rule *r = rs->rules[i];

		for (unsigned k = 0; r->corr && !r->dead && k < r->corr->nrefs;
		     k++)
			r->corr->kids[k]->info.generate = false;
	}
	for (unsigned i = 0; i < rs->nrules && rc == 0; i++) {
		struct detect_rule *r = rs->rules[i];

		if (r->corr && !r->dead)
			rc = link_parents(rs, r);
	}
	for (unsigned i = 0; i < rs->nrules && rc == 0; i++) {
		struct detect_rule *r = rs->rules[i];

		for (unsigned k = 0; r->corr && !r->dead && k < r->corr->nrefs;
		     k++)
			if (r->corr->generate)
				r->corr->kids[k]->info.generate = true;
	}
	return rc;
}

int detect_ruleset_compile(struct detect_ruleset *rs, struct core_error *err)
{
	int rc = 0;

	if (rs->compiled)
		return 0;
	for (unsigned i = 0; i < rs->nrules; i++) {
		if (rs->rules[i]->corr)
			resolve_refs(rs, rs->rules[i]);
	}
	for (unsigned i = 0; i < rs->nrules; i++) {
		if (cyclic(rs->rules[i]))
			kill(rs, rs->rules[i], "correlation cycle through",
			     rs->rules[i]->info.title);
	}
	cascade(rs);
	for (unsigned i = 0; i < rs->nrules; i++) {
		if (rs->rules[i]->corr && !rs->rules[i]->dead)
			resolve_fields(rs, rs->rules[i]);
	}
	cascade(rs);
	rc = compile_links(rs);
	for (unsigned i = 0; i < rs->nrules && rc == 0; i++) {
		struct detect_rule *r = rs->rules[i];

		if (r->dead)
			continue;
		if (r->is_filter)
			rc = attach_filter(rs, r);
		else
			rc = r->corr ? detect_corr_init(rs, r) :
			     index_rule(rs, r);
	}
	if (rc == 0)
		rc = detect_wc_build(rs);
	if (rc != 0)
		return core_fail(err, rc, NULL, 0, "cannot compile ruleset: %s",
				 core_strerror(rc));
	if (!rs->pf_off) {
		rc = detect_pf_build(rs, err);
		if (rc != 0)
			return rc;
	}
	rs->compiled = true;
	return 0;
}

/* ------------------------------------------------------------- matching */

void detect_rule_hit(struct detect_ruleset *rs, struct detect_rule *r,
		     const struct core_event *ev, detect_alert_fn fn,
		     void *ud)
{
	if (r->corr == NULL && r->info.generate && fn != NULL) {
		struct detect_alert a;

		memset(&a, 0, sizeof(a));
		a.rule = &r->info;
		a.ts_first = a.ts_last = ev->ts;
		a.count = 1;
		a.nevidence = 1;
		detect_evidence_from(&a.evidence[0], ev);
		a.event = ev;
		fn(&a, ud);
	}
	for (unsigned i = 0; i < r->nparents; i++)
		detect_corr_feed(rs, r->parents[i].rule, r->parents[i].slot, ev,
				 fn, ud);
}

/* Does a Sigma filter attached to r exclude ev? */
static bool filtered(struct detect_ruleset *rs, const struct detect_rule *r,
		     const struct core_event *ev)
{
	for (unsigned i = 0; i < r->nfilters; i++) {
		const struct detect_rule *f = r->filters[i];

		if (!f->dead && detect_cond_eval(rs, f, f->cond, ev))
			return true;
	}
	return false;
}

typedef void (*hit_fn)(struct detect_rule *r, void *ud);

/* The first of e's rules from k on to test: a prefilter candidate when
 * there is a prefilter, else k itself. */
static unsigned next(const struct detect_ruleset *rs,
		     const struct detect_logsource *e, unsigned k)
{
	if (rs->pf == NULL || k >= e->nrules)
		return k;
	return detect_pf_next(rs, e->pf_first + k, e->pf_first + e->nrules) -
	       e->pf_first;
}

/*
 * The plain rules holding for ev, in index order, through hit.  Reads rs
 * but for its prefilter marks and regex match data, so a matcher's copy
 * of the ruleset may run this in its own thread.
 */
static void eval_plain(struct detect_ruleset *rs, const struct core_event *ev,
		       hit_fn hit, void *ud)
{
	const uint16_t *src;
	unsigned nsrc = detect_wc_sources(rs, ev, &src);

	/*
	 * The prefilter looks the event's values up among the exact ones
	 * rules need; a source whose rules need many literals (pf_gate)
	 * also scans the event for them.  Then only the rules whose needs
	 * were all seen, or that have none, are tested.
	 */
	if (rs->pf != NULL && nsrc > 0)
		detect_pf_begin(rs, ev, src, nsrc);
	for (unsigned j = 0; j < nsrc; j++) {
		const struct detect_logsource *e = &rs->ls[src[j]];

		if (rs->pf != NULL && e->pf_gate)
			detect_pf_scan(rs, e);
		for (unsigned k = next(rs, e, 0); k < e->nrules;
		     k = next(rs, e, k + 1)) {
			struct detect_rule *r = e->rules[k];

			if (detect_cond_eval(rs, r, r->cond, ev) &&
			    !filtered(rs, r, ev))
				hit(r, ud);
		}
	}
}

struct now {
	struct detect_ruleset *rs;
	const struct core_event *ev;
	detect_alert_fn fn;
	void *ud;
};

static void hit_now(struct detect_rule *r, void *ud)
{
	struct now *n = ud;

	detect_rule_hit(n->rs, r, n->ev, n->fn, n->ud);
}

unsigned detect_sources_of(struct detect_ruleset *rs,
			   const struct core_event *ev)
{
	const uint16_t *src;

	if (!rs->compiled && detect_ruleset_compile(rs, NULL) != 0)
		return 0;
	return detect_wc_sources(rs, ev, &src);
}

void detect_match(struct detect_ruleset *rs, const struct core_event *ev,
		  detect_alert_fn fn, void *ud)
{
	struct now n = { rs, ev, fn, ud };

	if (!rs->compiled && detect_ruleset_compile(rs, NULL) != 0)
		return;
	if (ev->ts != CORE_TS_UNKNOWN && ev->ts > rs->clock)
		rs->clock = ev->ts;
	eval_plain(rs, ev, hit_now, &n);
}

/* A matcher is a copy of the ruleset's header with its own scratch. */
struct detect_matcher {
	struct detect_ruleset view;
	uint32_t *hits;
	unsigned n, cap;
};

struct detect_matcher *detect_matcher_new(struct detect_ruleset *rs)
{
	struct detect_matcher *m;

	if (!rs->compiled && detect_ruleset_compile(rs, NULL) != 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->view = *rs;
	m->view.md = NULL;
	m->view.pf = detect_pf_clone(rs->pf);
	m->view.wc = detect_wc_clone(rs->wc);
	if ((rs->pf != NULL && m->view.pf == NULL) ||
	    (rs->wc != NULL && m->view.wc == NULL)) {
		detect_pf_clone_free(m->view.pf);
		detect_wc_free(m->view.wc);
		free(m);
		return NULL;
	}
	return m;
}

void detect_matcher_free(struct detect_matcher *m)
{
	if (m == NULL)
		return;
	pcre2_match_data_free(m->view.md);
	detect_pf_clone_free(m->view.pf);
	detect_wc_free(m->view.wc);
	free(m);
}

static void hit_store(struct detect_rule *r, void *ud)
{
	struct detect_matcher *m = ud;

	if (m->n < m->cap)
		m->hits[m->n] = r->plain_id;
	m->n++;
}

unsigned detect_matcher_run(struct detect_matcher *m,
			    const struct core_event *ev, uint32_t *hits,
			    unsigned cap)
{
	m->hits = hits;
	m->cap = cap;
	m->n = 0;
	eval_plain(&m->view, ev, hit_store, m);
	return m->n;
}

void detect_apply(struct detect_ruleset *rs, const struct core_event *ev,
		  const uint32_t *hits, unsigned n, detect_alert_fn fn,
		  void *ud)
{
	if (ev->ts != CORE_TS_UNKNOWN && ev->ts > rs->clock)
		rs->clock = ev->ts;
	for (unsigned i = 0; i < n; i++) {
		if (hits[i] < rs->nplain)
			detect_rule_hit(rs, rs->plain[hits[i]], ev, fn, ud);
	}
}

void detect_flush(struct detect_ruleset *rs, detect_alert_fn fn, void *ud)
{
	for (unsigned i = 0; i < rs->nrules; i++) {
		if (rs->rules[i]->corr && !rs->rules[i]->dead)
			detect_corr_flush(rs, rs->rules[i], fn, ud);
	}
}

/* ----------------------------------------------------------- inspection */

static const char *fref_one_name(const struct detect_fref *f)
{
	if (f->id == DETECT_F_KEYWORD)
		return "(keywords)";
	return core_field_name((enum core_field_id)f->id);
}

/* f's field, or its fields in the order read: "Image or NewProcessName". */
static const char *fref_name(const struct detect_fref *f, char *buf, size_t n)
{
	size_t at = 0;

	if (f->id != CORE_F_NAMED && f->or == NULL)
		return fref_one_name(f);
	buf[0] = '\0';
	for (; f != NULL && at < n; f = f->or) {
		int k = f->id == CORE_F_NAMED ?
			snprintf(buf + at, n - at, "%s%.*s", at ? " or " : "",
				 (int)f->name.len, f->name.p) :
			snprintf(buf + at, n - at, "%s%s", at ? " or " : "",
				 fref_one_name(f));

		if (k < 0)
			break;
		at += (size_t)k;
	}
	return buf;
}

/* The map entry of "product/service" and the other spellings, or -1. */
static int source_index(struct detect_ruleset *rs, const char *source)
{
	char product[128];
	const char *slash = strchr(source, '/'), *rest;
	int i;

	if (load_map(rs, NULL) != 0)
		return -1;
	snprintf(product, sizeof(product), "%.*s",
		 (int)(slash ? (size_t)(slash - source) : strlen(source)),
		 source);
	rest = slash ? slash + 1 : NULL;
	i = detect_logsource_find(rs, product, rest, NULL);
	if (i < 0 && rest)
		i = detect_logsource_find(rs, product, NULL, rest);
	/* CATEGORY/SERVICE with no product: Sigma's network/dns. */
	if (i < 0 && rest)
		i = detect_logsource_find(rs, NULL, rest, product);
	return i;
}

unsigned detect_ruleset_known(struct detect_ruleset *rs, const char *source,
			      void (*fn)(const char *name, void *ud),
			      void *ud)
{
	int i = source_index(rs, source);

	if (i < 0)
		return 0;
	for (unsigned k = 0; k < rs->ls[i].nknown; k++)
		fn(rs->ls[i].known[k], ud);
	return rs->ls[i].nknown;
}

unsigned detect_ruleset_rereads(struct detect_ruleset *rs, const char *source,
				void (*fn)(const char *field, const char *how,
					   void *ud),
				void *ud)
{
	int i = source_index(rs, source);
	unsigned n = 0;

	for (unsigned k = 0; i >= 0 && k < rs->ls[i].npadded; k++, n++)
		fn(rs->ls[i].padded[k], "without trailing blanks", ud);
	for (unsigned k = 0; i >= 0 && k < rs->ls[i].nbraced; k++, n++)
		fn(rs->ls[i].braced[k], "as the GUID inside %{...} or {...}",
		   ud);
	return n;
}

unsigned detect_ruleset_msgrefs(struct detect_ruleset *rs, const char *source,
				void (*fn)(const char *field, const char *ref,
					   const char *text, void *ud),
				void *ud)
{
	int i = source_index(rs, source);
	unsigned n = 0;

	for (unsigned f = 0; i >= 0 && f < rs->ls[i].nmsgrefs; f++) {
		const struct detect_msgrefs *mr = &rs->ls[i].msgrefs[f];

		for (unsigned k = 0; k < mr->n; k++, n++)
			fn(mr->field, mr->ref[k].p, mr->text[k].p, ud);
	}
	/* The file's own, for the fields the source does not map itself. */
	for (unsigned f = 0; i >= 0 && f < rs->ls[i].nfile_msgrefs; f++) {
		const struct detect_msgrefs *mr = &rs->ls[i].file_msgrefs[f];

		if (detect_logsource_msgrefs(rs, i, mr->field,
					     strlen(mr->field)) != mr)
			continue;
		for (unsigned k = 0; k < mr->n; k++, n++)
			fn(mr->field, mr->ref[k].p, mr->text[k].p, ud);
	}
	return n;
}

int detect_ruleset_fields(struct detect_ruleset *rs, const char *source,
			  const char **label, bool *open, detect_field_fn fn,
			  void *ud)
{
	int i = source_index(rs, source);

	if (i < 0)
		return CORE_E_NOTFOUND;
	if (label)
		*label = rs->ls[i].label;
	if (open)
		*open = rs->ls[i].open_fields;
	for (unsigned k = 0; k < rs->ls[i].nfields; k++) {
		const struct detect_fmap *m = &rs->ls[i].fields[k];
		char buf[256], also[256], both[600];

		if (m->also == NULL) {
			fn(m->sigma, fref_name(&m->ecs, buf, sizeof(buf)), ud);
			continue;
		}
		snprintf(both, sizeof(both), "%s; also %s",
			 fref_name(&m->ecs, buf, sizeof(buf)),
			 fref_name(m->also, also, sizeof(also)));
		fn(m->sigma, both, ud);
	}
	return 0;
}

int detect_ruleset_source(struct detect_ruleset *rs, unsigned i,
			  const char **label, const char **refuse)
{
	if (load_map(rs, NULL) != 0 || i >= rs->nls)
		return CORE_E_NOTFOUND;
	if (label)
		*label = rs->ls[i].label;
	if (refuse)
		*refuse = rs->ls[i].refuse;
	return 0;
}

static void conj_fields(const struct detect_conj *cj,
			const struct core_event *ev,
			const struct core_str **seen, unsigned *nseen,
			detect_match_fn fn, void *ud)
{
	for (unsigned i = 0; i < cj->n; i++) {
		/* A field read as well (also:) is shown when the field is
		 * absent: the query of a request that has none, its URL. */
		const struct detect_fref *f = cj->f[i].pf_field ?
					      cj->f[i].pf_field :
					      &cj->f[i].field;
		struct detect_fref one = *f;
		const struct core_str *v = NULL;
		char buf[256];
		unsigned k;

		/* Named by the field that had the value. */
		for (; f != NULL && v == NULL; f = f->or) {
			one = *f;
			one.or = NULL;
			v = detect_fref_get(ev, &one);
		}
		for (k = 0; v && k < *nseen && seen[k] != v; k++)
			;
		if (v == NULL || k < *nseen || *nseen == 64)
			continue;
		seen[(*nseen)++] = v;
		fn(fref_name(&one, buf, sizeof(buf)), *v, ud);
	}
}

static void no_field(const char *field, struct core_str value, void *ud)
{
	(void)field;
	(void)value;
	(void)ud;
}

/* The tested fields of detect_alert_fields(), each value once in seen:
 * those of the selections that hold through fn, then the others through
 * unmet. */
static void tested_fields(struct detect_ruleset *rs,
			  const struct detect_rule *r,
			  const struct core_event *ev,
			  const struct core_str **seen, unsigned *nseen,
			  detect_match_fn fn, detect_match_fn unmet, void *ud)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned s = 0; s < r->nsels; s++) {
			bool hit = detect_sel_match(rs, &r->sels[s], ev);

			if (hit != (pass == 0))
				continue;
			for (unsigned a = 0; a < r->sels[s].nalt; a++)
				conj_fields(&r->sels[s].alt[a], ev, seen,
					    nseen, pass == 0 ? fn : unmet,
					    ud);
		}
	}
}

void detect_alert_fields(struct detect_ruleset *rs,
			 const struct detect_alert *alert, detect_match_fn fn,
			 detect_match_fn unmet, void *ud)
{
	/* info is the first member of struct detect_rule. */
	const struct detect_rule *r = (const struct detect_rule *)alert->rule;
	const struct core_str *seen[64];
	unsigned nseen = 0;

	if (alert->event == NULL || r->corr != NULL)
		return;
	tested_fields(rs, r, alert->event, seen, &nseen, fn,
		      unmet ? unmet : no_field, ud);
}

void detect_alert_shown(struct detect_ruleset *rs,
			const struct detect_alert *alert, detect_match_fn fn,
			void *ud)
{
	const struct detect_rule *r = (const struct detect_rule *)alert->rule;
	const struct core_str *seen[64];
	unsigned nseen = 0;

	if (alert->event == NULL || r->corr != NULL || r->shown == NULL)
		return;
	tested_fields(rs, r, alert->event, seen, &nseen, no_field, no_field,
		      NULL);
	for (size_t i = 0; i < r->info.nfields; i++) {
		const struct core_str *v = detect_fref_get(alert->event,
							   &r->shown[i]);
		unsigned k;

		for (k = 0; v && k < nseen && seen[k] != v; k++)
			;
		if (v == NULL || k < nseen || nseen == 64)
			continue;
		seen[nseen++] = v;
		fn(r->info.fields[i], *v, ud);
	}
}
