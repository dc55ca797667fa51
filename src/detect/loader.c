/*
 * loader.c: Sigma rule and correlation documents, from YAML to rules.
 *
 * libyaml builds each document of a file as a node tree (which keeps the
 * line every node started on); this file walks that tree once and builds
 * the rule in the ruleset's arena.  Every refusal names the node's line and
 * the true reason: an unknown modifier or field, a log source the map does
 * not know, a condition syntax error, a reference to a missing selection.
 * A refused document is reported and skipped, and the rest of the file
 * still loads; a YAML syntax error ends the file, since the parser cannot
 * resynchronise.
 *
 * Metadata Sigma defines but vigil does not use (author, date, fields,
 * related ...) is accepted and dropped: it does not change what matches.
 */
#include "detect/detect_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ldoc {
	struct detect_ruleset *rs;
	yaml_document_t *doc;
	const char *file;
	char why[320];
	uint64_t wline;
	int ls;			/* log source index, -1 for correlations */
};

static int bad(struct ldoc *d, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct ldoc *d, const yaml_node_t *n, const char *fmt, ...)
{
	char tmp[sizeof(d->why)];
	va_list ap;

	/* fmt's arguments may point into d->why itself. */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(d->why, tmp, sizeof(tmp));
	d->wline = n ? n->start_mark.line + 1 : 0;
	return CORE_E_PARSE;
}

/* ----------------------------------------------------------- YAML access */

static yaml_node_t *node_at(struct ldoc *d, int i)
{
	return yaml_document_get_node(d->doc, i);
}

static bool scalar(const yaml_node_t *n, struct core_str *out)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return false;
	*out = core_str_make((const char *)n->data.scalar.value,
			     n->data.scalar.length);
	return true;
}

/* A plain scalar spelled null, ~ or nothing is YAML's null. */
static bool is_null(const yaml_node_t *n)
{
	struct core_str s;

	if (!scalar(n, &s) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return s.len == 0 || core_str_eq_lit(s, "null") ||
	       core_str_eq_lit(s, "Null") || core_str_eq_lit(s, "NULL") ||
	       core_str_eq_lit(s, "~");
}

static yaml_node_t *map_get(struct ldoc *d, const yaml_node_t *map,
			    const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		struct core_str k;

		if (scalar(node_at(d, p->key), &k) && core_str_eq_lit(k, key))
			return node_at(d, p->value);
	}
	return NULL;
}

static const char *get_str(struct ldoc *d, const yaml_node_t *map,
			   const char *key)
{
	struct core_str s;

	if (!scalar(map_get(d, map, key), &s))
		return NULL;
	return detect_strdup(d->rs, s.p, s.len);
}

/* A scalar or a list of scalars, as an arena array of strings. */
static int get_list(struct ldoc *d, const yaml_node_t *n, const char ***out,
		    size_t *nout)
{
	yaml_node_item_t *it;
	struct core_str s;
	const char **v;
	size_t cnt = 0;

	*out = NULL;
	*nout = 0;
	if (n == NULL || is_null(n))
		return 0;
	if (scalar(n, &s)) {
		v = detect_alloc(d->rs, sizeof(*v));
		v[0] = detect_strdup(d->rs, s.p, s.len);
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(d, n, "expected a list of strings");
	v = detect_alloc(d->rs, (size_t)(n->data.sequence.items.top -
				      n->data.sequence.items.start + 1) *
				 sizeof(*v));
	for (it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		if (!scalar(node_at(d, *it), &s))
			return bad(d, node_at(d, *it), "expected a string");
		v[cnt++] = detect_strdup(d->rs, s.p, s.len);
	}
	*out = v;
	*nout = cnt;
	return 0;
}

/* -------------------------------------------------------------- metadata */

static const char *const level_names[] = { "informational", "low", "medium",
					   "high", "critical" };

const char *detect_level_name(enum detect_level l)
{
	return (unsigned)l < CORE_ARRAY_LEN(level_names) ? level_names[l] :
							   "unknown";
}

static int level_parse(struct ldoc *d, const yaml_node_t *root,
		       enum detect_level *out)
{
	yaml_node_t *n = map_get(d, root, "level");
	struct core_str s;

	*out = DETECT_LEVEL_MEDIUM;
	if (n == NULL)
		return 0;
	if (!scalar(n, &s))
		return bad(d, n, "level is not a string");
	for (size_t i = 0; i < CORE_ARRAY_LEN(level_names); i++) {
		if (core_str_eq_lit(s, level_names[i])) {
			*out = (enum detect_level)i;
			return 0;
		}
	}
	return bad(d, n, "unknown level '%.*s'", (int)CORE_MIN(s.len, 32),
		   s.p);
}

/* The statuses of the Sigma specification (2.1, "status"). */
static const char *const status_names[] = {
	"stable", "test", "experimental", "deprecated", "unsupported",
};

/*
 * ATT&CK tactics as tags name them, with hyphens or underscores: the
 * fourteen of the enterprise matrix and the two ATT&CK v19 made of
 * defense evasion.
 */
static const char *const tactic_names[] = {
	"reconnaissance", "resource-development", "initial-access",
	"execution", "persistence", "privilege-escalation",
	"defense-evasion", "credential-access", "discovery",
	"lateral-movement", "collection", "command-and-control",
	"exfiltration", "impact", "stealth", "defense-impairment",
};

/* True for "t1059", "t1059.001", "g0016", "s0002", "ds0009". */
static bool attack_id(struct core_str s)
{
	size_t pre = s.len > 2 && s.p[0] == 'd' && s.p[1] == 's' ? 2 : 1;
	size_t i = pre;

	if (s.len < pre + 4 || (pre == 1 && s.p[0] != 't' && s.p[0] != 'g' &&
				s.p[0] != 's'))
		return false;
	for (; i < pre + 4; i++)
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	if (i == s.len)
		return true;
	if (s.p[0] != 't' || s.len != i + 4 || s.p[i] != '.')
		return false;
	for (i++; i < s.len; i++)
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	return true;
}

/* attack.X names a tactic or an ATT&CK id; other namespaces are open. */
static bool attack_tag_known(struct core_str t)
{
	char buf[40];
	size_t n;

	if (t.len < 7 || strncasecmp(t.p, "attack.", 7) != 0)
		return true;
	t = core_str_make(t.p + 7, t.len - 7);
	if (attack_id(t))
		return true;
	n = CORE_MIN(t.len, sizeof(buf) - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t.p[i];

		buf[i] = c == '_' ? '-' : (char)tolower(c);
	}
	buf[n] = '\0';
	for (size_t i = 0; i < CORE_ARRAY_LEN(tactic_names); i++)
		if (n == t.len && strcmp(buf, tactic_names[i]) == 0)
			return true;
	return false;
}

/*
 * Metadata a rule loads without but that is likely a slip: a status the
 * specification does not know, an ATT&CK tag naming no tactic or id.
 * Warnings only: such a rule still runs.
 */
static void meta_check(struct ldoc *d, const yaml_node_t *root)
{
	yaml_node_t *n = map_get(d, root, "status");
	yaml_node_item_t *it;
	struct core_str s;
	size_t i;

	if (n != NULL && scalar(n, &s)) {
		for (i = 0; i < CORE_ARRAY_LEN(status_names); i++)
			if (core_str_eq_lit(s, status_names[i]))
				break;
		if (i == CORE_ARRAY_LEN(status_names))
			detect_warn(d->rs, d->file, n->start_mark.line + 1,
				    "status '%.*s' is not one of stable, test, "
				    "experimental, deprecated, unsupported",
				    (int)CORE_MIN(s.len, 32), s.p);
	}
	n = map_get(d, root, "tags");
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return;
	for (it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *t = node_at(d, *it);

		if (t != NULL && scalar(t, &s) && !attack_tag_known(s))
			detect_warn(d->rs, d->file, t->start_mark.line + 1,
				    "tag '%.*s' names no ATT&CK tactic, "
				    "technique (attack.t1059.001), group or "
				    "software id", (int)CORE_MIN(s.len, 48),
				    s.p);
	}
}

static int meta_parse(struct ldoc *d, const yaml_node_t *root,
		      struct detect_rule *r)
{
	struct detect_rule_info *in = &r->info;
	int rc;

	in->title = get_str(d, root, "title");
	if (in->title == NULL)
		return bad(d, root, "missing title");
	in->id = get_str(d, root, "id");
	r->id_given = in->id != NULL;
	if (in->id == NULL)
		in->id = detect_strdup(d->rs, d->file, strlen(d->file));
	in->name = get_str(d, root, "name");
	in->description = get_str(d, root, "description");
	in->status = get_str(d, root, "status");
	in->file = detect_strdup(d->rs, d->file, strlen(d->file));
	in->line = root->start_mark.line + 1;
	in->generate = true;
	meta_check(d, root);
	rc = level_parse(d, root, &in->level);
	if (rc == 0)
		rc = get_list(d, map_get(d, root, "tags"),
			      (const char ***)&in->tags, &in->ntags);
	if (rc == 0)
		rc = get_list(d, map_get(d, root, "references"),
			      (const char ***)&in->references,
			      &in->nreferences);
	if (rc == 0)
		rc = get_list(d, map_get(d, root, "falsepositives"),
			      (const char ***)&in->falsepositives,
			      &in->nfalsepositives);
	if (rc == 0)
		rc = get_list(d, map_get(d, root, "fields"),
			      (const char ***)&in->fields, &in->nfields);
	return rc;
}

/*
 * Resolves the Sigma `fields` list in the rule's log source.  A name the
 * source cannot provide is dropped from the list: `fields` only says
 * what to show, so it refuses nothing.
 */
static void shown_resolve(struct ldoc *d, struct detect_rule *r)
{
	struct detect_rule_info *in = &r->info;
	const char **names;
	size_t n = 0;

	if (in->nfields == 0)
		return;
	names = detect_alloc(d->rs, in->nfields * sizeof(*names));
	r->shown = detect_alloc(d->rs, in->nfields * sizeof(*r->shown));
	if (names == NULL || r->shown == NULL) {
		in->nfields = 0;
		return;
	}
	for (size_t i = 0; i < in->nfields; i++) {
		if (detect_logsource_field(d->rs, d->ls, in->fields[i],
					   strlen(in->fields[i]),
					   &r->shown[n]))
			names[n++] = in->fields[i];
	}
	in->fields = names;
	in->nfields = n;
}

/* ------------------------------------------------------------ selections */

/*
 * A value naming an undefined placeholder: the rule loads and the value
 * matches nothing.  One warning per such value, with its line.
 */
static void ph_warn(struct ldoc *d, const yaml_node_t *n)
{
	detect_warn(d->rs, d->file, n->start_mark.line + 1,
		    "placeholder %s is not defined: it matches nothing until "
		    "you give it values in %s", d->rs->ph_missing,
		    d->rs->ph_file[0] ? d->rs->ph_file :
		    "data/placeholders.yml");
}

/*
 * The values of one field matcher; mr, the message references the field
 * holds in the rule's log source (or NULL).
 */
static int values_parse(struct ldoc *d, const yaml_node_t *n,
			const struct detect_mods *m,
			const struct detect_msgrefs *mr,
			struct detect_fmatch *f)
{
	const yaml_node_t *one[1] = { n };
	const yaml_node_t *const *items = one;
	const yaml_node_t **buf;
	unsigned nv = 0, cap = 0;
	size_t cnt = 1;

	if (n->type == YAML_SEQUENCE_NODE) {
		cnt = (size_t)(n->data.sequence.items.top -
			       n->data.sequence.items.start);
		if (cnt > 16384)
			return bad(d, n, "more than 16384 values");
		buf = detect_alloc(d->rs, (cnt + 1) * sizeof(*buf));
		cnt = 0;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++)
			buf[cnt++] = node_at(d, *it);
		items = buf;
		if (cnt == 0)
			return bad(d, n, "empty list of values");
	}
	f->vals = NULL;
	for (size_t i = 0; i < cnt; i++) {
		unsigned from = nv;
		struct core_str s;
		int rc;

		if (!scalar(items[i], &s))
			return bad(d, items[i], "value is not a scalar");
		d->rs->ph_missing[0] = '\0';
		rc = detect_value_expand(d->rs, s.p, s.len, is_null(items[i]),
					 m, (uint16_t)i, &f->vals, &nv, &cap,
					 d->why, sizeof(d->why));
		if (rc != 0)
			return bad(d, items[i], "%s", d->why);
		rc = mr ? detect_value_msgrefs(d->rs, mr, from, &f->vals,
					       &nv, &cap) : 0;
		if (rc != 0)
			return bad(d, items[i], "more than %d values with the "
				   "message references of %s",
				   DETECT_MAX_VALUES, mr->field);
		if (d->rs->ph_missing[0])
			ph_warn(d, items[i]);
	}
	f->nvals = (uint16_t)nv;
	for (unsigned i = 0; i < nv; i++) {
		struct detect_value *v = &f->vals[i];

		if (v->kind == DETECT_V_FIELDREF &&
		    !detect_logsource_field(d->rs, d->ls, v->lit.p, v->lit.len,
					    &v->ref))
			return bad(d, n, "unknown field '%.*s' in fieldref",
				   (int)CORE_MIN(v->lit.len, 64), v->lit.p);
	}
	return 0;
}

/* A copy of chain a with chain b after it, for the prefilter. */
static const struct detect_fref *fref_joined(struct detect_ruleset *rs,
					     const struct detect_fref *a,
					     const struct detect_fref *b)
{
	struct detect_fref *head = NULL, *last = NULL;

	for (int k = 0; k < 2; k++) {
		for (const struct detect_fref *f = k ? b : a; f; f = f->or) {
			struct detect_fref *c = detect_alloc(rs, sizeof(*c));

			*c = *f;
			c->or = NULL;
			if (last != NULL)
				last->or = c;
			else
				head = c;
			last = c;
		}
	}
	return head;
}

static int field_parse(struct ldoc *d, const yaml_node_t *kn,
		       const yaml_node_t *vn, struct detect_fmatch *f)
{
	const struct detect_msgrefs *mr = NULL;
	struct detect_mods m;
	struct core_str k, name;
	const char *bar;
	int rc;

	if (!scalar(kn, &k))
		return bad(d, kn, "field name is not a string");
	bar = memchr(k.p, '|', k.len);
	name = core_str_make(k.p, bar ? (size_t)(bar - k.p) : k.len);
	if (detect_mods_parse(bar ? bar + 1 : k.p + k.len,
			      bar ? k.len - name.len - 1 : 0, &m, d->why,
			      sizeof(d->why)) != 0)
		return bad(d, kn, "%s", d->why);
	if (name.len == 0) {
		f->field.id = DETECT_F_KEYWORD;
		if (!(m.contains || m.startswith || m.endswith || m.re))
			m.contains = true;
	} else if (!detect_logsource_field(d->rs, d->ls, name.p, name.len,
					   &f->field)) {
		return bad(d, kn, "unknown field '%.*s' for log source %s",
			   (int)CORE_MIN(name.len, 64), name.p,
			   d->rs->ls[d->ls].label);
	} else if (!detect_logsource_known(d->rs, d->ls, name.p, name.len)) {
		detect_warn(d->rs, d->file, kn->start_mark.line + 1,
			    "field '%.*s' is not one the events of %s carry "
			    "(vigil rules fields lists them): the rule loads, "
			    "but the field is never set there",
			    (int)CORE_MIN(name.len, 64),
			    name.p, d->rs->ls[d->ls].label);
	}
	if (name.len > 0) {
		f->also = detect_logsource_also(d->rs, d->ls, name.p, name.len);
		if (f->also != NULL)
			f->pf_field = fref_joined(d->rs, &f->field, f->also);
		mr = detect_logsource_msgrefs(d->rs, d->ls, name.p, name.len);
		f->reread = (uint8_t)detect_logsource_reread(d->rs, d->ls,
							     name.p, name.len);
	}
	f->all = m.all;
	f->neg = m.neq;
	rc = values_parse(d, vn, &m, mr, f);
	/* Whether a field is there asks of the field itself, not of also. */
	for (unsigned i = 0; rc == 0 && i < f->nvals; i++) {
		if (f->vals[i].kind == DETECT_V_EXISTS ||
		    f->vals[i].kind == DETECT_V_NULL) {
			f->also = NULL;
			f->pf_field = NULL;
		}
	}
	return rc;
}

static int conj_parse(struct ldoc *d, const yaml_node_t *map,
		      struct detect_conj *cj)
{
	yaml_node_pair_t *p = map->data.mapping.pairs.start;
	size_t n = (size_t)(map->data.mapping.pairs.top - p);

	if (n == 0)
		return bad(d, map, "empty selection");
	cj->f = detect_alloc(d->rs, n * sizeof(*cj->f));
	cj->n = (uint16_t)n;
	for (size_t i = 0; i < n; i++) {
		int rc = field_parse(d, node_at(d, p[i].key),
				     node_at(d, p[i].value), &cj->f[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A list of plain values is a keyword search (OR) over the message. */
static int keywords_parse(struct ldoc *d, const yaml_node_t *n,
			  struct detect_conj *cj)
{
	struct detect_mods m = { .contains = true, .cmp = -1 };

	cj->f = detect_alloc(d->rs, sizeof(*cj->f));
	cj->n = 1;
	cj->f->field.id = DETECT_F_KEYWORD;
	return values_parse(d, n, &m, NULL, cj->f);
}

static int sel_list(struct ldoc *d, const yaml_node_t *n,
		    struct detect_sel *s)
{
	yaml_node_item_t *it = n->data.sequence.items.start;
	size_t cnt = (size_t)(n->data.sequence.items.top - it);
	int rc = 0;

	if (cnt == 0)
		return bad(d, n, "empty selection");
	if (node_at(d, it[0])->type != YAML_MAPPING_NODE) {
		s->alt = detect_alloc(d->rs, sizeof(*s->alt));
		s->nalt = 1;
		return keywords_parse(d, n, s->alt);
	}
	s->alt = detect_alloc(d->rs, cnt * sizeof(*s->alt));
	s->nalt = (uint16_t)cnt;
	for (size_t i = 0; i < cnt && rc == 0; i++) {
		yaml_node_t *m = node_at(d, it[i]);

		if (m->type != YAML_MAPPING_NODE)
			return bad(d, m, "a list of maps cannot mix in "
				   "plain values");
		rc = conj_parse(d, m, &s->alt[i]);
	}
	return rc;
}

static int sel_parse(struct ldoc *d, const yaml_node_t *n,
		     struct detect_sel *s)
{
	if (n->type == YAML_MAPPING_NODE) {
		s->alt = detect_alloc(d->rs, sizeof(*s->alt));
		s->nalt = 1;
		return conj_parse(d, n, s->alt);
	}
	if (n->type == YAML_SEQUENCE_NODE)
		return sel_list(d, n, s);
	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		s->alt = detect_alloc(d->rs, sizeof(*s->alt));
		s->nalt = 1;
		return keywords_parse(d, n, s->alt);
	}
	return bad(d, n, "selection '%s' is empty", s->name);
}

/* ------------------------------------------------------------- detection */

static int cond_one(struct ldoc *d, const yaml_node_t *n,
		    struct detect_rule *r, struct detect_cond **out)
{
	struct core_str s;

	if (!scalar(n, &s))
		return bad(d, n, "condition is not a string");
	*out = detect_cond_parse(d->rs, s.p, s.len, r->sels, r->nsels, d->why,
				 sizeof(d->why));
	return *out ? 0 : bad(d, n, "%s", d->why);
}

/* A condition may be a list of conditions, ORed. */
static int cond_parse(struct ldoc *d, const yaml_node_t *n,
		      struct detect_rule *r)
{
	yaml_node_item_t *it;
	struct detect_cond *k;
	unsigned i = 0;

	if (n == NULL)
		return bad(d, NULL, "detection has no condition");
	if (n->type != YAML_SEQUENCE_NODE)
		return cond_one(d, n, r, &r->cond);
	it = n->data.sequence.items.start;
	k = detect_alloc(d->rs, sizeof(*k));
	k->op = DETECT_C_OR;
	k->n = (uint16_t)(n->data.sequence.items.top - it);
	if (k->n == 0)
		return bad(d, n, "condition list is empty");
	k->kid = detect_alloc(d->rs, k->n * sizeof(*k->kid));
	for (; it < n->data.sequence.items.top; it++, i++) {
		int rc = cond_one(d, node_at(d, *it), r, &k->kid[i]);

		if (rc != 0)
			return rc;
	}
	r->cond = k;
	return 0;
}

static int detection_parse(struct ldoc *d, const yaml_node_t *det,
			   struct detect_rule *r)
{
	yaml_node_pair_t *p;
	size_t n;

	if (det->type != YAML_MAPPING_NODE)
		return bad(d, det, "detection is not a map");
	p = det->data.mapping.pairs.start;
	n = (size_t)(det->data.mapping.pairs.top - p);
	r->sels = detect_alloc(d->rs, (n + 1) * sizeof(*r->sels));
	for (size_t i = 0; i < n; i++) {
		struct core_str k;
		int rc;

		if (!scalar(node_at(d, p[i].key), &k))
			return bad(d, node_at(d, p[i].key), "bad key");
		if (core_str_eq_lit(k, "condition") ||
		    core_str_eq_lit(k, "timeframe") ||
		    (r->is_filter && core_str_eq_lit(k, "rules")))
			continue;
		r->sels[r->nsels].name = detect_strdup(d->rs, k.p, k.len);
		rc = sel_parse(d, node_at(d, p[i].value), &r->sels[r->nsels]);
		if (rc != 0)
			return rc;
		r->nsels++;
	}
	return cond_parse(d, map_get(d, det, "condition"), r);
}

static int logsource_parse(struct ldoc *d, const yaml_node_t *root)
{
	yaml_node_t *n = map_get(d, root, "logsource");
	const char *pr, *sv, *ca;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return bad(d, root, "missing logsource");
	pr = get_str(d, n, "product");
	sv = get_str(d, n, "service");
	ca = get_str(d, n, "category");
	d->ls = detect_logsource_find(d->rs, pr, sv, ca);
	if (d->ls < 0) {
		static const char *const what[] = { "product", "service",
						    "category" };
		const char *v[] = { pr, sv, ca }, *near = NULL;
		int k;

		for (k = 0; k < 3 && near == NULL; k++)
			near = detect_logsource_suggest(d->rs,
							(enum detect_ls_key)k,
							v[k]);
		if (near)
			return bad(d, n, "unknown log source (product=%s "
				   "service=%s category=%s); did you mean "
				   "%s=%s? (vigil rules fields lists them)",
				   pr ? pr : "-", sv ? sv : "-",
				   ca ? ca : "-", what[k - 1], near);
		return bad(d, n, "unknown log source (product=%s service=%s "
			   "category=%s)", pr ? pr : "-", sv ? sv : "-",
			   ca ? ca : "-");
	}
	if (d->rs->ls[d->ls].refuse != NULL)
		return bad(d, n, "log source (product=%s service=%s "
			   "category=%s) not available: %s", pr ? pr : "-",
			   sv ? sv : "-", ca ? ca : "-",
			   d->rs->ls[d->ls].refuse);
	return 0;
}

/* ----------------------------------------------------------- correlation */

static int timespan_parse(struct ldoc *d, const yaml_node_t *n, int64_t *out)
{
	static const struct {
		char unit;
		int64_t us;
	} units[] = {
		{ 's', 1000000LL },	     { 'm', 60000000LL },
		{ 'h', 3600000000LL },	     { 'd', 86400000000LL },
	};
	struct core_str s;
	uint64_t v;

	if (!scalar(n, &s) || s.len < 2)
		return bad(d, n, "bad timespan (want e.g. 10m)");
	for (size_t i = 0; i < CORE_ARRAY_LEN(units); i++) {
		if (s.p[s.len - 1] != units[i].unit)
			continue;
		if (!core_str_to_u64(core_str_make(s.p, s.len - 1), &v) ||
		    v == 0 || v > 366 * 86400ULL)
			break;
		*out = (int64_t)v * units[i].us;
		return 0;
	}
	return bad(d, n, "bad timespan '%.*s' (want e.g. 10m)",
		   (int)CORE_MIN(s.len, 32), s.p);
}

/* An integer, or a decimal number (value_avg may compare with one). */
static bool cond_number(struct core_str v, int64_t *i, double *d)
{
	char buf[64], *end;

	if (core_str_to_i64(v, i)) {
		*d = (double)*i;
		return true;
	}
	if (v.len == 0 || v.len >= sizeof(buf))
		return false;
	memcpy(buf, v.p, v.len);
	buf[v.len] = '\0';
	*d = strtod(buf, &end);
	*i = (int64_t)*d;
	return *end == '\0';
}

static int ccond_one(struct ldoc *d, struct detect_corr *c, struct core_str k,
		     const yaml_node_t *vn)
{
	static const struct {
		const char *name;
		enum detect_cmp op;
	} ops[] = {
		{ "gt", DETECT_CMP_GT },   { "gte", DETECT_CMP_GTE },
		{ "lt", DETECT_CMP_LT },   { "lte", DETECT_CMP_LTE },
		{ "eq", DETECT_CMP_EQ },   { "neq", DETECT_CMP_NEQ },
	};
	struct core_str v;

	if (core_str_eq_lit(k, "field")) {
		if (!scalar(vn, &v))
			return bad(d, vn, "field is not a string");
		c->field = detect_strdup(d->rs, v.p, v.len);
		return 0;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(ops); i++) {
		if (!core_str_eq_lit(k, ops[i].name))
			continue;
		if (c->ncond == DETECT_CORR_MAX_COND)
			return bad(d, vn, "too many condition criteria");
		if (!scalar(vn, &v) || !cond_number(v, &c->cond[c->ncond].v,
						    &c->cond[c->ncond].d))
			return bad(d, vn, "condition value is not a number");
		c->cond[c->ncond++].op = ops[i].op;
		return 0;
	}
	return bad(d, vn, "unknown correlation condition '%.*s'",
		   (int)CORE_MIN(k.len, 32), k.p);
}

static int ccond_parse(struct ldoc *d, const yaml_node_t *n,
		       struct detect_corr *c)
{
	yaml_node_pair_t *p;

	if (n == NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(d, n, "correlation condition is not a map");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		struct core_str k;
		int rc;

		if (!scalar(node_at(d, p->key), &k))
			return bad(d, n, "bad condition key");
		rc = ccond_one(d, c, k, node_at(d, p->value));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int ctype_parse(struct ldoc *d, const yaml_node_t *n,
		       struct detect_corr *c)
{
	static const char *names[] = { "event_count", "value_count",
				       "temporal", "temporal_ordered",
				       "value_sum", "value_avg",
				       "value_percentile", "value_median" };
	struct core_str s;

	if (!scalar(n, &s))
		return bad(d, n, "correlation has no type");
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_eq_lit(s, names[i])) {
			c->type = (enum detect_ctype)i;
			return 0;
		}
	}
	return bad(d, n, "unsupported correlation type '%.*s'",
		   (int)CORE_MIN(s.len, 32), s.p);
}

static int aliases_parse(struct ldoc *d, const yaml_node_t *n,
			 struct detect_corr *c)
{
	yaml_node_pair_t *p, *q;

	if (n == NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(d, n, "aliases is not a map");
	c->alias = detect_alloc(d->rs, 64 * sizeof(*c->alias));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *m = node_at(d, p->value);
		struct core_str a, rn, f;

		if (!scalar(node_at(d, p->key), &a) ||
		    m->type != YAML_MAPPING_NODE)
			return bad(d, m, "alias must map rule names to fields");
		for (q = m->data.mapping.pairs.start;
		     q < m->data.mapping.pairs.top; q++) {
			if (c->nalias == 64)
				return bad(d, m, "too many aliases");
			if (!scalar(node_at(d, q->key), &rn) ||
			    !scalar(node_at(d, q->value), &f))
				return bad(d, m, "bad alias entry");
			c->alias[c->nalias].alias =
				detect_strdup(d->rs, a.p, a.len);
			c->alias[c->nalias].rule =
				detect_strdup(d->rs, rn.p, rn.len);
			c->alias[c->nalias++].field =
				detect_strdup(d->rs, f.p, f.len);
		}
	}
	return 0;
}

static int crefs_parse(struct ldoc *d, const yaml_node_t *cn,
		       struct detect_corr *c)
{
	const yaml_node_t *rn = map_get(d, cn, "rules");
	const char **v;
	size_t n;
	int rc;

	rc = get_list(d, rn, &v, &n);
	if (rc == 0 && (n == 0 || n > DETECT_CORR_MAX_RULES))
		rc = bad(d, cn, "correlation needs 1 to %d rules",
			 DETECT_CORR_MAX_RULES);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		/* A list's items are scalars (get_list said so). */
		const yaml_node_t *at = rn->type == YAML_SEQUENCE_NODE ?
			node_at(d, rn->data.sequence.items.start[i]) : rn;

		c->ref_line[c->nrefs] = at->start_mark.line + 1;
		c->refs[c->nrefs++] = v[i];
	}
	if (rc == 0)
		rc = get_list(d, map_get(d, cn, "group-by"), &v, &n);
	if (rc == 0 && n > DETECT_ALERT_MAX_GROUP)
		rc = bad(d, cn, "at most %d group-by fields",
			 DETECT_ALERT_MAX_GROUP);
	for (size_t i = 0; rc == 0 && i < n; i++)
		c->group[c->ngroup++] = v[i];
	return rc;
}

/*
 * Checks what each correlation type requires of its condition, and picks
 * the semantics: a single gt / gte on a count keeps the streaming burst
 * (event_count, value_count) or fires as soon as enough rules were seen
 * (temporal types); anything else is tested when a window closes.
 */
static int ccheck(struct ldoc *d, const yaml_node_t *cn,
		  struct detect_corr *c)
{
	bool counting = c->type == DETECT_CORR_EVENT_COUNT ||
			c->type == DETECT_CORR_VALUE_COUNT;
	bool temporal = c->type == DETECT_CORR_TEMPORAL ||
			c->type == DETECT_CORR_TEMPORAL_ORDERED;
	bool rising;
	int64_t v;

	if (!counting && !temporal && c->field == NULL)
		return bad(d, cn, "this correlation type needs "
			   "condition.field");
	if (c->type == DETECT_CORR_VALUE_COUNT && c->field == NULL)
		return bad(d, cn, "value_count needs condition.field");
	if (temporal && c->ncond == 0) {
		c->cond[0].op = DETECT_CMP_GTE;
		c->cond[0].v = (int64_t)c->nrefs;
		c->cond[0].d = (double)c->nrefs;
		c->ncond = 1;
	}
	if (c->ncond == 0)
		return bad(d, cn, "correlation has no condition");
	v = c->cond[0].v;
	rising = c->ncond == 1 && (c->cond[0].op == DETECT_CMP_GT ||
				   c->cond[0].op == DETECT_CMP_GTE);
	if (rising && c->cond[0].op == DETECT_CMP_GT)
		v++;
	if (temporal && rising) {
		if (v < 1 || v > (int64_t)c->nrefs)
			return bad(d, cn, "temporal condition asks for %lld "
				   "of %u rules", (long long)v, c->nrefs);
		c->window = (unsigned)v;
		return 0;
	}
	if (counting && rising) {
		if (v < 1 || v > DETECT_CORR_MAX_THRESHOLD)
			return bad(d, cn, "threshold must be 1 to %d",
				   DETECT_CORR_MAX_THRESHOLD);
		c->window = (unsigned)v;
		return 0;
	}
	c->closed = true;
	c->window = 1;
	return 0;
}

static bool is_true(struct ldoc *d, const yaml_node_t *map, const char *key)
{
	struct core_str s;

	return scalar(map_get(d, map, key), &s) &&
	       (core_str_eq_lit(s, "true") || core_str_eq_lit(s, "yes"));
}

static int corr_parse(struct ldoc *d, const yaml_node_t *root,
		      const yaml_node_t *cn, struct detect_rule *r)
{
	struct detect_corr *c = detect_alloc(d->rs, sizeof(*c));
	int rc;

	if (cn->type != YAML_MAPPING_NODE)
		return bad(d, cn, "correlation is not a map");
	r->corr = c;
	r->info.correlation = true;
	c->generate = is_true(d, root, "generate") ||
		      is_true(d, cn, "generate");
	rc = ctype_parse(d, map_get(d, cn, "type"), c);
	if (rc == 0)
		rc = crefs_parse(d, cn, c);
	if (rc == 0)
		rc = timespan_parse(d, map_get(d, cn, "timespan"),
				    &c->timespan);
	if (rc == 0)
		rc = ccond_parse(d, map_get(d, cn, "condition"), c);
	if (rc == 0)
		rc = aliases_parse(d, map_get(d, cn, "aliases"), c);
	if (rc == 0)
		rc = ccheck(d, cn, c);
	return rc;
}

/* --------------------------------------------------------------- filters */

/*
 * A Sigma filter: a logsource, and under `filter` the rules it applies to
 * (ids or names), selections and a condition.  An event the condition
 * holds for raises no alert from those rules.
 */
static int logsource_parse(struct ldoc *d, const yaml_node_t *root);

static int filter_parse(struct ldoc *d, const yaml_node_t *root,
			const yaml_node_t *fn, struct detect_rule *r)
{
	int rc;

	if (fn->type != YAML_MAPPING_NODE)
		return bad(d, fn, "filter is not a map");
	r->is_filter = true;
	r->info.generate = false;
	rc = get_list(d, map_get(d, fn, "rules"),
		      (const char ***)&r->filter_refs, &r->nfilter_refs);
	if (rc == 0 && r->nfilter_refs == 0)
		rc = bad(d, fn, "filter names no rules");
	if (rc == 0)
		rc = logsource_parse(d, root);
	if (rc != 0)
		return rc;
	r->logsource = (unsigned)d->ls;
	return detection_parse(d, fn, r);
}

/* ------------------------------------------------------------- documents */

/*
 * A rule with none of detection, correlation, filter: a key one or two
 * letters away from one of them is likely it, misspelt ("detections").
 */
static int no_detection(struct ldoc *d, const yaml_node_t *root)
{
	static const char *const wanted[] = { "detection", "correlation",
					      "filter" };
	yaml_node_pair_t *p;

	for (p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(d, p->key);
		struct core_str s;
		char key[64];

		if (k == NULL || !scalar(k, &s) || s.len >= sizeof(key))
			continue;
		memcpy(key, s.p, s.len);
		key[s.len] = '\0';
		for (size_t i = 0; i < CORE_ARRAY_LEN(wanted); i++)
			if (detect_edit_distance(key, wanted[i], 2) <= 2)
				return bad(d, k, "neither detection nor "
					   "correlation; did you mean '%s' "
					   "for '%s'?", wanted[i], key);
	}
	return bad(d, root, "neither detection nor correlation");
}

static int doc_parse(struct ldoc *d, const yaml_node_t *root,
		     struct detect_rule *r)
{
	yaml_node_t *cn = map_get(d, root, "correlation");
	yaml_node_t *det = map_get(d, root, "detection");
	yaml_node_t *fn = map_get(d, root, "filter");
	int rc;

	if (root->type != YAML_MAPPING_NODE)
		return bad(d, root, "document is not a map");
	rc = meta_parse(d, root, r);
	if (rc != 0)
		return rc;
	d->ls = -1;
	if (cn != NULL)
		return corr_parse(d, root, cn, r);
	if (fn != NULL && det == NULL)
		return filter_parse(d, root, fn, r);
	if (det == NULL)
		return no_detection(d, root);
	rc = logsource_parse(d, root);
	if (rc != 0)
		return rc;
	r->logsource = (unsigned)d->ls;
	shown_resolve(d, r);
	return detection_parse(d, det, r);
}

static int doc_load(struct detect_ruleset *rs, const char *name,
		    yaml_document_t *doc, yaml_node_t *root)
{
	struct ldoc d = { .rs = rs, .doc = doc, .file = name };
	struct detect_rule *r = detect_alloc(rs, sizeof(*r));
	struct core_str t;
	int rc;

	if (r == NULL)
		return CORE_E_NOMEM;
	rc = doc_parse(&d, root, r);
	if (rc != 0) {
		if (scalar(map_get(&d, root, "title"), &t))
			detect_reject(rs, name, d.wline ? d.wline :
				      root->start_mark.line + 1,
				      "%s (rule '%.*s')", d.why,
				      (int)CORE_MIN(t.len, 80), t.p);
		else
			detect_reject(rs, name, d.wline ? d.wline :
				      root->start_mark.line + 1, "%s", d.why);
		return rc;
	}
	return detect_ruleset_add(rs, r);
}

int detect_load_yaml(struct detect_ruleset *rs, const char *name,
		     const unsigned char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int loaded = 0, docs = 0;

	if (!yaml_parser_initialize(&parser))
		return CORE_E_NOMEM;
	yaml_parser_set_input_string(&parser, data, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			detect_reject(rs, name, parser.problem_mark.line + 1,
				      "YAML error: %s",
				      parser.problem ? parser.problem : "?");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root == NULL) {
			yaml_document_delete(&doc);
			/* A rule file emptied by mistake is said. */
			if (docs == 0)
				detect_warn(rs, name, 1, "no YAML document in "
					    "the file (empty, or comments "
					    "only): no rule");
			break;
		}
		docs++;
		if (!(root->type == YAML_SCALAR_NODE && is_null(root)) &&
		    doc_load(rs, name, &doc, root) == 0)
			loaded++;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return loaded;
}
