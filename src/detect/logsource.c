/*
 * logsource.c: the log source map, read from data/logsources.yml.
 *
 * Sigma names a rule's input by product, service and category; vigil's
 * events name theirs by fields (event.dataset, process.name ...).  The map
 * says, per Sigma log source, which events belong to it (`when`: a Sigma
 * style selection over event fields) and how Sigma field names translate
 * to event fields (`fields`, optionally shared through named `fieldsets`).
 * Keeping it in data lets a user extend it without a rebuild.
 *
 * A rule's log source matches an entry when each of product, service and
 * category is listed by the entry; an entry that omits a key matches only
 * rules that omit it too, and `~` in a list stands for "absent".  The
 * first matching entry wins.  Every plain rule is indexed under its entry,
 * so an event is tested once against each entry's `when` and then only
 * against that entry's rules.
 */
#include "detect/detect_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#define LS_MAX 4096
#define LS_MAX_FIELDS 4096

struct lsload {
	struct detect_ruleset *rs;
	yaml_document_t doc;
	const char *file;
	struct core_error *err;
};

static yaml_node_t *nat(struct lsload *l, int i)
{
	return yaml_document_get_node(&l->doc, i);
}

static bool sc(const yaml_node_t *n, struct core_str *out)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return false;
	*out = core_str_make((const char *)n->data.scalar.value,
			     n->data.scalar.length);
	return true;
}

static int lfail(struct lsload *l, const yaml_node_t *n, const char *what)
{
	return core_fail(l->err, CORE_E_PARSE, l->file,
			 n ? n->start_mark.line + 1 : 0, "%s", what);
}

static yaml_node_t *lget(struct lsload *l, const yaml_node_t *map,
			 const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		struct core_str k;

		if (sc(nat(l, p->key), &k) && core_str_eq_lit(k, key))
			return nat(l, p->value);
	}
	return NULL;
}

/* A key's values: absent -> { "" }; "~" or null items -> "". */
static int names(struct lsload *l, const yaml_node_t *n, const char ***out,
		 unsigned *nout)
{
	const yaml_node_t *one[1] = { n };
	const yaml_node_t *const *it = one;
	const yaml_node_t *buf[32];
	unsigned cnt = 1;

	if (n != NULL && n->type == YAML_SEQUENCE_NODE) {
		cnt = 0;
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++) {
			if (cnt == CORE_ARRAY_LEN(buf))
				return lfail(l, n, "more than 32 names");
			buf[cnt++] = nat(l, *i);
		}
		it = buf;
	}
	*out = detect_alloc(l->rs, (cnt + 1) * sizeof(**out));
	*nout = cnt;
	for (unsigned i = 0; i < cnt; i++) {
		struct core_str s = CORE_STR("");

		if (it[i] != NULL && !sc(it[i], &s))
			return lfail(l, it[i], "expected a name or a list");
		if (core_str_eq_lit(s, "~") || core_str_eq_lit(s, "null"))
			s = CORE_STR("");
		(*out)[i] = detect_strdup(l->rs, s.p, s.len);
	}
	return 0;
}

/*
 * known: a list of names, or of lists of names (YAML aliases of shared
 * lists, *sysmon_common), flattened into e->known.
 */
static int known_add(struct lsload *l, const yaml_node_t *n,
		     struct detect_logsource *e)
{
	const yaml_node_t *items[1024];
	unsigned cnt = 0;

	if (n == NULL)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lfail(l, n, "known must be a list of field names");
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	     i < n->data.sequence.items.top; i++) {
		const yaml_node_t *x = nat(l, *i);
		yaml_node_item_t *j, *end;

		if (x == NULL)
			continue;
		if (x->type != YAML_SEQUENCE_NODE) {
			if (cnt == CORE_ARRAY_LEN(items))
				return lfail(l, n, "more than 1024 names");
			items[cnt++] = x;
			continue;
		}
		end = x->data.sequence.items.top;
		for (j = x->data.sequence.items.start; j < end; j++) {
			if (cnt == CORE_ARRAY_LEN(items))
				return lfail(l, n, "more than 1024 names");
			items[cnt++] = nat(l, *j);
		}
	}
	e->known = detect_alloc(l->rs, (cnt + 1) * sizeof(*e->known));
	for (unsigned k = 0; k < cnt; k++) {
		struct core_str s;
		unsigned j = 0;

		if (items[k] == NULL || !sc(items[k], &s) || s.len == 0)
			return lfail(l, items[k] ? items[k] : n,
				     "known: expected a field name");
		while (j < e->nknown && !core_str_eq_lit(s, e->known[j]))
			j++;
		if (j == e->nknown)	/* shared lists overlap */
			e->known[e->nknown++] = detect_strdup(l->rs, s.p,
							      s.len);
	}
	return 0;
}

static void fref_of(struct detect_ruleset *rs, struct core_str s,
		    struct detect_fref *f)
{
	f->id = (uint16_t)core_field_lookup(s.p, s.len);
	if (f->id == CORE_F_NAMED) {
		f->name.p = detect_strdup(rs, s.p, s.len);
		f->name.len = s.len;
		f->hash = core_field_hash(s.p, s.len);
	}
}

/* f reads to[0], else to[1] ... (a list in a `fields` map). */
static void fref_chain(struct detect_ruleset *rs, const char **to,
		       unsigned nto, struct detect_fref *f)
{
	fref_of(rs, core_str_make(to[0], strlen(to[0])), f);
	for (unsigned i = 1; i < nto; i++) {
		struct detect_fref *next = detect_alloc(rs, sizeof(*next));

		memset(next, 0, sizeof(*next));
		fref_of(rs, core_str_make(to[i], strlen(to[i])), next);
		f->or = next;
		f = next;
	}
}

/* One `when` key: "field|mods: value or list". */
static int when_field(struct lsload *l, const yaml_node_t *kn,
		      const yaml_node_t *vn, struct detect_fmatch *f)
{
	const yaml_node_t *buf[32], *one[1] = { vn };
	const yaml_node_t *const *it = one;
	struct detect_mods m;
	struct core_str k;
	char why[256];
	unsigned cnt = 1;
	const char *bar;

	if (!sc(kn, &k))
		return lfail(l, kn, "bad field name");
	bar = memchr(k.p, '|', k.len);
	if (detect_mods_parse(bar ? bar + 1 : k.p + k.len,
			      bar ? (size_t)(k.p + k.len - bar - 1) : 0, &m,
			      why, sizeof(why)) != 0)
		return lfail(l, kn, why);
	fref_of(l->rs, core_str_make(k.p, bar ? (size_t)(bar - k.p) : k.len),
		&f->field);
	if (vn->type == YAML_SEQUENCE_NODE) {
		cnt = 0;
		for (yaml_node_item_t *i = vn->data.sequence.items.start;
		     i < vn->data.sequence.items.top; i++) {
			if (cnt == CORE_ARRAY_LEN(buf))
				return lfail(l, vn, "more than 32 values");
			buf[cnt++] = nat(l, *i);
		}
		it = buf;
	}
	f->vals = detect_alloc(l->rs, (cnt + 1) * sizeof(*f->vals));
	f->nvals = (uint16_t)cnt;
	f->all = m.all;
	f->neg = m.neq;
	for (unsigned i = 0; i < cnt; i++) {
		struct core_str s;

		if (!sc(it[i], &s) ||
		    detect_value_compile(l->rs, &f->vals[i], s.p, s.len, false,
					 &m, why, sizeof(why)) != 0)
			return lfail(l, it[i], "bad value in when");
		f->vals[i].grp = (uint16_t)i;
	}
	return 0;
}

/* One map of `when`: an AND of field tests. */
static int when_conj(struct lsload *l, const yaml_node_t *n,
		     struct detect_conj *cj)
{
	yaml_node_pair_t *p;
	unsigned cnt;

	if (n->type != YAML_MAPPING_NODE)
		return lfail(l, n, "when must be a map or a list of maps");
	p = n->data.mapping.pairs.start;
	cnt = (unsigned)(n->data.mapping.pairs.top - p);
	cj->f = detect_alloc(l->rs, (cnt + 1) * sizeof(*cj->f));
	cj->n = (uint16_t)cnt;
	for (unsigned i = 0; i < cnt; i++) {
		int rc = when_field(l, nat(l, p[i].key), nat(l, p[i].value),
				    &cj->f[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* `when`: a map (AND), or a list of maps, any of which will do. */
static int when_parse(struct lsload *l, const yaml_node_t *n,
		      struct detect_sel *s)
{
	yaml_node_item_t *it;
	unsigned cnt = 0;

	s->name = "when";
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		s->alt = detect_alloc(l->rs, sizeof(*s->alt));
		s->nalt = 1;
		return n == NULL ? 0 : when_conj(l, n, s->alt);
	}
	it = n->data.sequence.items.start;
	cnt = (unsigned)(n->data.sequence.items.top - it);
	if (cnt == 0)
		return lfail(l, n, "when is an empty list");
	s->alt = detect_alloc(l->rs, cnt * sizeof(*s->alt));
	s->nalt = (uint16_t)cnt;
	for (unsigned i = 0; i < cnt; i++) {
		int rc = when_conj(l, nat(l, it[i]), &s->alt[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Doubles e's field table (arena memory: the old table is left behind). */
static void fields_grow(struct detect_ruleset *rs, struct detect_logsource *e)
{
	unsigned ncap = e->capfields ? e->capfields * 2 : 32;
	struct detect_fmap *n = detect_alloc(rs, ncap * sizeof(*n));

	if (e->nfields)
		memcpy(n, e->fields, e->nfields * sizeof(*n));
	e->fields = n;
	e->capfields = ncap;
}

/*
 * One `fields` value: a name or a list of names (the first the event has
 * is read), or a map of such a list under `read` and, under `also`, the
 * fields a test holds of as well.
 */
static int fmap_parse(struct lsload *l, const yaml_node_t *v,
		      struct detect_fmap *m)
{
	const yaml_node_t *read = v, *also = NULL;
	const char **to;
	unsigned nto;
	int rc;

	if (v != NULL && v->type == YAML_MAPPING_NODE) {
		read = lget(l, v, "read");
		also = lget(l, v, "also");
		if (read == NULL)
			return lfail(l, v, "a field maps to names, or to read: "
				     "and also: lists of names");
	}
	for (int k = 0; k < 2; k++) {
		const yaml_node_t *n = k ? also : read;
		struct detect_fref *f;

		if (k == 1 && also == NULL)
			break;
		rc = names(l, n, &to, &nto);
		if (rc != 0)
			return rc;
		if (nto == 0)
			return lfail(l, n ? n : v, "empty event field name");
		for (unsigned i = 0; i < nto; i++) {
			if (!*to[i])
				return lfail(l, n ? n : v,
					     "empty event field name");
		}
		f = k ? detect_alloc(l->rs, sizeof(*f)) : &m->ecs;
		fref_chain(l->rs, to, nto, f);
		if (k)
			m->also = f;
	}
	return 0;
}

/* Appends the pairs of a `fields` map to e's mapping. */
static int fields_add(struct lsload *l, const yaml_node_t *n,
		      struct detect_logsource *e)
{
	if (n == NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return lfail(l, n, "fields must be a map");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		struct detect_fmap *m;
		struct core_str k;
		int rc;

		if (e->nfields == LS_MAX_FIELDS)
			return lfail(l, n, "too many fields");
		if (!sc(nat(l, p->key), &k))
			return lfail(l, n, "fields map names to names");
		if (e->nfields == e->capfields)
			fields_grow(l->rs, e);
		m = &e->fields[e->nfields];
		memset(m, 0, sizeof(*m));
		rc = fmap_parse(l, nat(l, p->value), m);
		if (rc != 0)
			return rc;
		m->sigma = detect_strdup(l->rs, k.p, k.len);
		e->nfields++;
	}
	return 0;
}

static int uses_add(struct lsload *l, const yaml_node_t *sets,
		    const yaml_node_t *use, struct detect_logsource *e)
{
	const char **v;
	unsigned n;
	int rc;

	if (use == NULL)
		return 0;
	rc = names(l, use, &v, &n);
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		yaml_node_t *set = lget(l, sets, v[i]);

		if (set == NULL)
			return lfail(l, use, "unknown fieldset");
		rc = fields_add(l, set, e);
	}
	return rc;
}

/* "%{" a GUID "}". */
static bool guid_ref_ok(struct core_str s)
{
	return s.len == 39 && s.p[0] == '%' && s.p[1] == '{' &&
	       s.p[38] == '}' && core_str_is_guid(core_str_make(s.p + 2, 36));
}

/*
 * A reference: "%%" and one to six digits (a message table's), "%{" a
 * GUID "}" (a directory schema object's), or a number of up to three
 * digits (a System value such as Level).
 */
static bool msgref_ok(struct core_str s)
{
	size_t from = 2;

	if (s.len >= 1 && s.len <= 3 && s.p[0] != '%')
		from = 0;
	else if (s.len < 3 || s.len > 8 || s.p[0] != '%' || s.p[1] != '%')
		return guid_ref_ok(s);
	for (size_t i = from; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	}
	return true;
}

/*
 * message_refs: a map of field names, each to a map of references to the
 * text they stand for (usually one YAML alias shared by several fields).
 */
static int msgrefs_add(struct lsload *l, const yaml_node_t *n,
		       struct detect_logsource *e)
{
	yaml_node_pair_t *p;
	unsigned nf;

	if (n == NULL)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return lfail(l, n, "message_refs must map field names to "
			     "maps of references");
	p = n->data.mapping.pairs.start;
	nf = (unsigned)(n->data.mapping.pairs.top - p);
	e->msgrefs = detect_alloc(l->rs, (nf + 1) * sizeof(*e->msgrefs));
	for (unsigned i = 0; i < nf; i++) {
		struct detect_msgrefs *mr = &e->msgrefs[e->nmsgrefs];
		const yaml_node_t *kn = nat(l, p[i].key);
		const yaml_node_t *t = nat(l, p[i].value);
		yaml_node_pair_t *q;
		struct core_str k;
		unsigned nt;

		if (!sc(kn, &k) || k.len == 0)
			return lfail(l, kn ? kn : n, "message_refs: expected a "
				     "field name");
		for (unsigned j = 0; j < e->nmsgrefs; j++) {
			if (core_str_eq_lit(k, e->msgrefs[j].field))
				return lfail(l, kn, "message_refs: the field "
					     "is listed twice");
		}
		if (t == NULL || t->type != YAML_MAPPING_NODE)
			return lfail(l, t ? t : n, "message_refs: a field "
				     "maps references to their text");
		e->nmsgrefs++;
		mr->field = detect_strdup(l->rs, k.p, k.len);
		q = t->data.mapping.pairs.start;
		nt = (unsigned)(t->data.mapping.pairs.top - q);
		mr->ref = detect_alloc(l->rs, (nt + 1) * sizeof(*mr->ref));
		mr->text = detect_alloc(l->rs, (nt + 1) * sizeof(*mr->text));
		for (unsigned j = 0; j < nt; j++) {
			const yaml_node_t *rn = nat(l, q[j].key);
			struct core_str r, x;

			if (!sc(rn, &r) || !msgref_ok(r))
				return lfail(l, rn ? rn : t, "message_refs: a "
					     "reference is %% and up to six "
					     "digits, %{GUID} or a number of "
					     "up to three digits");
			if (!sc(nat(l, q[j].value), &x) || x.len == 0)
				return lfail(l, rn, "message_refs: a "
					     "reference needs its text");
			for (unsigned m = 0; m < mr->n; m++) {
				if (core_str_eq(r, mr->ref[m]))
					return lfail(l, rn, "message_refs: "
						     "the reference is listed "
						     "twice");
			}
			mr->ref[mr->n] = core_str_make(
				detect_strdup(l->rs, r.p, r.len), r.len);
			mr->text[mr->n++] = core_str_make(
				detect_strdup(l->rs, x.p, x.len), x.len);
		}
	}
	return 0;
}

static int entry_parse(struct lsload *l, const yaml_node_t *sets,
		       const yaml_node_t *n, struct detect_logsource *e)
{
	struct core_buf label;
	struct core_str s;
	int rc;

	rc = names(l, lget(l, n, "product"), &e->product, &e->nproduct);
	if (rc == 0)
		rc = names(l, lget(l, n, "service"), &e->service,
			   &e->nservice);
	if (rc == 0)
		rc = names(l, lget(l, n, "category"), &e->category,
			   &e->ncategory);
	if (rc == 0)
		rc = when_parse(l, lget(l, n, "when"), &e->when);
	if (rc == 0)
		rc = uses_add(l, sets, lget(l, n, "use"), e);
	if (rc == 0)
		rc = fields_add(l, lget(l, n, "fields"), e);
	if (rc == 0)
		rc = known_add(l, lget(l, n, "known"), e);
	if (rc == 0)
		rc = msgrefs_add(l, lget(l, n, "message_refs"), e);
	e->open_fields = sc(lget(l, n, "open_fields"), &s) &&
			 core_str_eq_lit(s, "true");
	if (rc == 0 && lget(l, n, "refuse") != NULL) {
		if (!sc(lget(l, n, "refuse"), &s) || s.len == 0)
			rc = lfail(l, n, "refuse must say why");
		else if (lget(l, n, "when") != NULL)
			rc = lfail(l, n, "an entry that refuses takes no when");
		else
			e->refuse = detect_strdup(l->rs, s.p, s.len);
	}
	core_buf_init(&label, 256);
	core_buf_printf(&label, "product=%s service=%s category=%s",
			*e->product[0] ? e->product[0] : "-",
			*e->service[0] ? e->service[0] : "-",
			*e->category[0] ? e->category[0] : "-");
	e->label = detect_strdup(l->rs, core_buf_cstr(&label), label.len);
	core_buf_free(&label);
	return rc;
}

static int ls_grow(struct detect_ruleset *rs)
{
	unsigned ncap = rs->capls ? rs->capls * 2 : 64;
	struct detect_logsource *n = realloc(rs->ls, ncap * sizeof(*n));

	if (n == NULL)
		return CORE_E_NOMEM;
	rs->ls = n;
	rs->capls = ncap;
	return 0;
}

/* A top-level list of field names (none when absent). */
static int field_list(struct lsload *l, const yaml_node_t *n,
		      const char *key, const char ***v, unsigned *nv)
{
	char why[96];
	int rc;

	*v = NULL;
	*nv = 0;
	if (n == NULL)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		snprintf(why, sizeof(why), "%s must be a list of field names",
			 key);
		return lfail(l, n, why);
	}
	rc = names(l, n, v, nv);
	for (unsigned i = 0; rc == 0 && i < *nv; i++) {
		if (!*(*v)[i]) {
			snprintf(why, sizeof(why), "%s: expected a field name",
				 key);
			return lfail(l, n, why);
		}
	}
	return rc;
}

static int map_parse(struct lsload *l)
{
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	yaml_node_t *src = lget(l, root, "sources");
	yaml_node_t *sets = lget(l, root, "fieldsets");
	yaml_node_item_t *it;
	struct detect_ruleset *rs = l->rs;
	const char **padded, **braced;
	unsigned npadded, nbraced;
	struct detect_logsource file;
	int rc;

	if (src == NULL || src->type != YAML_SEQUENCE_NODE)
		return lfail(l, root, "no sources list");
	memset(&file, 0, sizeof(file));
	rc = msgrefs_add(l, lget(l, root, "message_refs"), &file);
	if (rc == 0)
		rc = field_list(l, lget(l, root, "padded_fields"),
				"padded_fields", &padded, &npadded);
	if (rc == 0)
		rc = field_list(l, lget(l, root, "braced_fields"),
				"braced_fields", &braced, &nbraced);
	if (rc != 0)
		return rc;
	for (it = src->data.sequence.items.start;
	     it < src->data.sequence.items.top; it++) {
		if (rs->nls == LS_MAX)
			return lfail(l, src, "too many sources");
		if (rs->nls == rs->capls && ls_grow(rs) != 0)
			return CORE_E_NOMEM;
		memset(&rs->ls[rs->nls], 0, sizeof(rs->ls[0]));
		rc = entry_parse(l, sets, nat(l, *it), &rs->ls[rs->nls]);
		if (rc != 0)
			return rc;
		rs->ls[rs->nls].padded = padded;
		rs->ls[rs->nls].npadded = npadded;
		rs->ls[rs->nls].braced = braced;
		rs->ls[rs->nls].nbraced = nbraced;
		rs->ls[rs->nls].file_msgrefs = file.msgrefs;
		rs->ls[rs->nls].nfile_msgrefs = file.nmsgrefs;
		rs->nls++;
	}
	return 0;
}

/*
 * Reads file as one YAML document and hands it to parse; what, named in
 * the message when the file cannot be opened.
 */
static int load_doc(struct detect_ruleset *rs, const char *file,
		    const char *what, int (*parse)(struct lsload *),
		    struct core_error *err)
{
	struct lsload l = { .rs = rs, .file = file, .err = err };
	yaml_parser_t parser;
	FILE *f = fopen(file, "rb");
	int rc;

	if (f == NULL)
		return core_fail(err, CORE_E_NOTFOUND, file, 0,
				 "cannot open %s", what);
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return CORE_E_NOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &l.doc)) {
		rc = core_fail(err, CORE_E_PARSE, file,
			       parser.problem_mark.line + 1, "YAML error: %s",
			       parser.problem ? parser.problem : "?");
	} else {
		rc = parse(&l);
		yaml_document_delete(&l.doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int detect_logsource_load(struct detect_ruleset *rs, const char *file,
			  struct core_error *err)
{
	return load_doc(rs, file, "log source map", map_parse, err);
}

static bool listed(const char **v, unsigned n, const char *want)
{
	if (want == NULL)
		want = "";
	for (unsigned i = 0; i < n; i++) {
		if (strcasecmp(v[i], want) == 0)
			return true;
	}
	return false;
}

int detect_logsource_find(const struct detect_ruleset *rs, const char *product,
			  const char *service, const char *category)
{
	for (unsigned i = 0; i < rs->nls; i++) {
		const struct detect_logsource *e = &rs->ls[i];

		if (listed(e->product, e->nproduct, product) &&
		    listed(e->service, e->nservice, service) &&
		    listed(e->category, e->ncategory, category))
			return (int)i;
	}
	return -1;
}

unsigned detect_edit_distance(const char *a, const char *b, unsigned max)
{
	unsigned row[65], n = (unsigned)strlen(b), m = (unsigned)strlen(a);

	if (n > 64 || m > 64 || (m > n ? m - n : n - m) > max)
		return max + 1;
	for (unsigned j = 0; j <= n; j++)
		row[j] = j;
	for (unsigned i = 1; i <= m; i++) {
		unsigned diag = row[0], low;

		row[0] = i;
		low = row[0];
		for (unsigned j = 1; j <= n; j++) {
			unsigned up = row[j];
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);

			row[j] = CORE_MIN(CORE_MIN(row[j - 1], up) + 1,
					  diag + cost);
			diag = up;
			low = CORE_MIN(low, row[j]);
		}
		if (low > max)
			return max + 1;
	}
	return row[n];
}

const char *detect_logsource_suggest(const struct detect_ruleset *rs,
				     enum detect_ls_key key, const char *name)
{
	const char *best = NULL;
	unsigned best_d, max;

	if (name == NULL || !*name)
		return NULL;
	max = strlen(name) < 5 ? 1 : 2;
	best_d = max + 1;
	for (unsigned i = 0; i < rs->nls; i++) {
		const struct detect_logsource *e = &rs->ls[i];
		const char **v = key == DETECT_LS_PRODUCT ? e->product :
				 key == DETECT_LS_SERVICE ? e->service :
				 e->category;
		unsigned n = key == DETECT_LS_PRODUCT ? e->nproduct :
			     key == DETECT_LS_SERVICE ? e->nservice :
			     e->ncategory;

		for (unsigned k = 0; k < n; k++) {
			unsigned d;

			if (strcasecmp(v[k], name) == 0)
				return NULL;	/* known: nothing to suggest */
			d = detect_edit_distance(name, v[k], max);
			if (*v[k] && d < best_d) {
				best_d = d;
				best = v[k];
			}
		}
	}
	return best;
}

/* Log source ls's mapping of Sigma name n, or NULL. */
static const struct detect_fmap *fmap_find(const struct detect_ruleset *rs,
					   int ls, struct core_str n)
{
	const struct detect_logsource *e = ls >= 0 ? &rs->ls[ls] : NULL;

	for (unsigned i = 0; e != NULL && i < e->nfields; i++) {
		if (core_str_eq_lit(n, e->fields[i].sigma))
			return &e->fields[i];
	}
	return NULL;
}

bool detect_logsource_known(const struct detect_ruleset *rs, int ls,
			    const char *name, size_t len)
{
	const struct detect_logsource *e = ls >= 0 ? &rs->ls[ls] : NULL;
	struct core_str n = core_str_make(name, len);

	if (e == NULL || e->known == NULL ||
	    core_field_lookup(name, len) != CORE_F_NAMED ||
	    fmap_find(rs, ls, n) != NULL)
		return true;
	for (unsigned i = 0; i < e->nknown; i++)
		if (core_str_eq_lit(n, e->known[i]))
			return true;
	return false;
}

/* Is name in the list v; "*" there stands for every name. */
static bool listed_name(const char **v, unsigned n, struct core_str name)
{
	for (unsigned i = 0; i < n; i++) {
		if (core_str_eq_lit(name, v[i]) || strcmp(v[i], "*") == 0)
			return true;
	}
	return false;
}

unsigned detect_logsource_reread(const struct detect_ruleset *rs, int ls,
				 const char *name, size_t len)
{
	const struct detect_logsource *e = ls >= 0 ? &rs->ls[ls] : NULL;
	struct core_str n = core_str_make(name, len);
	unsigned r = 0;

	if (e != NULL && listed_name(e->padded, e->npadded, n))
		r |= DETECT_REREAD_BLANKS;
	if (e != NULL && listed_name(e->braced, e->nbraced, n))
		r |= DETECT_REREAD_BRACES;
	return r;
}

const struct detect_fref *detect_logsource_also(
	const struct detect_ruleset *rs, int ls, const char *name, size_t len)
{
	const struct detect_fmap *m = fmap_find(rs, ls,
						core_str_make(name, len));

	return m ? m->also : NULL;
}

const struct detect_msgrefs *detect_logsource_msgrefs(
	const struct detect_ruleset *rs, int ls, const char *name, size_t len)
{
	const struct detect_logsource *e = ls >= 0 ? &rs->ls[ls] : NULL;
	struct core_str n = core_str_make(name, len);

	for (unsigned i = 0; e != NULL && i < e->nmsgrefs; i++) {
		if (core_str_eq_lit(n, e->msgrefs[i].field))
			return &e->msgrefs[i];
	}
	for (unsigned i = 0; e != NULL && i < e->nfile_msgrefs; i++) {
		if (core_str_eq_lit(n, e->file_msgrefs[i].field))
			return &e->file_msgrefs[i];
	}
	return NULL;
}

bool detect_logsource_field(struct detect_ruleset *rs, int ls,
			    const char *name, size_t len,
			    struct detect_fref *out)
{
	const struct detect_logsource *e = ls >= 0 ? &rs->ls[ls] : NULL;
	const struct detect_fmap *m = fmap_find(rs, ls,
						core_str_make(name, len));

	memset(out, 0, sizeof(*out));
	if (m != NULL) {
		*out = m->ecs;
		return true;
	}
	out->id = (uint16_t)core_field_lookup(name, len);
	if (out->id != CORE_F_NAMED)
		return true;
	if (e != NULL && !e->open_fields)
		return false;
	out->name.p = detect_strdup(rs, name, len);
	out->name.len = len;
	out->hash = core_field_hash(name, len);
	return true;
}

static int ph_parse(struct lsload *l)
{
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	struct detect_ruleset *rs = l->rs;
	yaml_node_pair_t *p;
	unsigned n;

	if (root == NULL || (root->type == YAML_SCALAR_NODE &&
			     root->data.scalar.length == 0))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return lfail(l, root, "placeholders must be a map of names "
			     "to values");
	p = root->data.mapping.pairs.start;
	n = (unsigned)(root->data.mapping.pairs.top - p);
	rs->ph = detect_alloc(rs, (n + 1) * sizeof(*rs->ph));
	for (unsigned i = 0; i < n; i++) {
		struct detect_placeholder *ph = &rs->ph[rs->nph];
		yaml_node_t *v = nat(l, p[i].value);
		struct core_str k;
		int rc;

		if (!sc(nat(l, p[i].key), &k))
			return lfail(l, v, "placeholder name is not a string");
		ph->name = detect_strdup(rs, k.p, k.len);
		rc = names(l, v, &ph->vals, &ph->n);
		if (rc != 0)
			return rc;
		if (ph->n == 0 || (v && v->type == YAML_SEQUENCE_NODE &&
				   v->data.sequence.items.top ==
				   v->data.sequence.items.start))
			return lfail(l, v, "placeholder has no values");
		rs->nph++;
	}
	return 0;
}

int detect_placeholders_load(struct detect_ruleset *rs, const char *file,
			     struct core_error *err)
{
	return load_doc(rs, file, "placeholders", ph_parse, err);
}
