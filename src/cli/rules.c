/*
 * rules.c: `vigil rules`: the rule author's tools.
 *
 *   vigil rules check DIR...      load every rule; list each refused rule
 *                                 as file:line: reason, each warning as
 *                                 warning: file:line: notice; a summary
 *   vigil rules test RULE LOG...  run one rule file (or folder) over logs
 *                                 (files or folders, walked as analyze
 *                                 walks them) and show each hit with its
 *                                 fields; -r RULES (repeatable) instead
 *                                 of RULE loads several folders
 *   vigil rules fields [SOURCE]   the fields a log source provides, or
 *                                 every log source of the map
 *
 * Only argument handling and printing live here; loading, matching and
 * the log source map belong to the detect room, reading and decoding to
 * input and parse.
 */
#include "cli/cli.h"
#include "cli/cli_input.h"
#include "cli/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/input.h"
#include "parse/evtx.h"
#include "parse/parse.h"

#define WIDE_TOLD 10	/* too wide records told of by name; then counted */

struct check {
	uint64_t refused;
	bool quiet;
};

static void on_refuse(const struct core_error *why, void *ud)
{
	struct check *c = ud;
	char msg[1200];

	c->refused++;
	if (c->quiet)
		return;
	core_error_format(why, msg, sizeof(msg));
	cli_fputs_safe(msg, stdout);
	putchar('\n');
}

/* A rule that loads with a notice (an undefined placeholder). */
static void on_warn(const struct core_error *why, void *ud)
{
	struct check *c = ud;
	char msg[1200];

	if (c->quiet)
		return;
	core_error_format(why, msg, sizeof(msg));
	fputs("warning: ", stdout);
	cli_fputs_safe(msg, stdout);
	putchar('\n');
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static void rules_usage(FILE *out)
{
	fputs("usage: vigil rules check [-q] [--strict] DIR|FILE...\n"
	      "       vigil rules test [--no-prefilter] RULE LOG|DIR...\n"
	      "       vigil rules test [--no-prefilter] -r RULES\n"
	      "                        [-r RULES]... LOG|DIR...\n"
	      "       vigil rules fields [SOURCE]\n"
	      "\n"
	      "check loads Sigma rules and says why each refused one cannot\n"
	      "be used (file:line: reason); exit 0 when it ran (--strict: 1\n"
	      "when a rule was refused or warned of, for CI).\n"
	      "test runs rules over logs and prints each hit with the fields\n"
	      "it tested, then those of the rule's Sigma `fields` list;\n"
	      "exit 0 on a hit, 1 on none, 2 if no rule loads or a log\n"
	      "could not be read.\n"
	      "fields lists the Sigma field names a log source maps.\n"
	      "\n"
	      "rules test takes its options anywhere before the first log\n"
	      "and reads logs as analyze does: text or Windows EVTX, plain\n"
	      "or gzip, folders walked, '-' for standard input.\n"
	      "SOURCE is PRODUCT/SERVICE or PRODUCT/CATEGORY (linux/sshd,\n"
	      "windows/process_creation), PRODUCT alone, or a bare SERVICE\n"
	      "or CATEGORY (sshd, webserver, proxy); without one, every log\n"
	      "source is listed.\n",
	      out);
}

/* What matching will cost: the prefilter's reach and the JIT's. */
/* Declared in cli.h. */
const char *cli_rules_load_reason(const char *path, int rc)
{
	struct stat st;

	if (rc != CORE_E_IO)
		return core_strerror(rc);
	if (stat(path, &st) != 0)
		return strerror(errno);
	if (access(path, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) != 0)
		return strerror(errno);
	return core_strerror(rc);
}

static void print_stats(const struct detect_ruleset *rs)
{
	struct detect_stats st;

	detect_ruleset_stats(rs, &st);
	if (st.pf_literals == 0)
		printf("prefilter: 0 literals (too few rules per log source "
		       "to scan for them), %u exact values looked up; %u "
		       "plain rules with neither (always tested)\n",
		       st.pf_exact, st.pf_always);
	else
		printf("prefilter: %u literals, %u exact values looked up; "
		       "%u plain rules with neither (always tested)\n",
		       st.pf_literals, st.pf_exact, st.pf_always);
	if (st.pf_dbs > 0 && st.pf_cache_dir == NULL)
		printf("prefilter cache: off\n");
	else if (st.pf_dbs > 0)
		printf("prefilter cache: %u of %u databases read, %u written "
		       "(%s)\n", st.pf_dbs_cached, st.pf_dbs,
		       st.pf_dbs_written, st.pf_cache_dir);
	printf("regular expressions: %zu, %zu JIT-compiled\n", st.regexes,
	       st.regexes_jit);
}

/*
 * Loads every path into one ruleset, so correlations and filters may
 * refer across folders, then compiles.  A refusal found while compiling
 * (an unknown referenced rule) is counted like one found while loading.
 */
static int rules_check(int argc, char **argv)
{
	struct detect_ruleset *rs;
	struct check c = { 0 };
	struct core_error err = { 0 };
	size_t loaded;
	int i = 1, bad = 0, nread = 0;
	bool strict = false;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (is_help(argv[i])) {
			rules_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--strict") == 0) {
			strict = true;
			continue;
		}
		if (strcmp(argv[i], "-q") != 0) {
			fprintf(stderr, "vigil: rules check: unknown option "
				"'%s'\n", argv[i]);
			rules_usage(stderr);
			return 2;
		}
		c.quiet = true;
	}
	if (i >= argc) {
		rules_usage(stderr);
		return 2;
	}
	rs = detect_ruleset_new();
	if (rs == NULL)
		return 2;
	detect_ruleset_set_warn(rs, on_warn, &c);
	detect_ruleset_set_cache(rs, NULL);
	for (; i < argc; i++) {
		int rc = detect_ruleset_load(rs, argv[i], on_refuse, &c);

		if (rc < 0) {
			fprintf(stderr, "vigil: %s: cannot read rules: %s\n",
				argv[i], cli_rules_load_reason(argv[i], rc));
			bad = 1;
		} else {
			nread++;
		}
	}
	if (nread == 0)
		goto out;
	if (detect_ruleset_compile(rs, &err) != 0)
		bad = 1;
	loaded = detect_ruleset_count(rs);
	if (loaded + c.refused == 0)
		printf("rules: no rules (%s)\n", detect_ruleset_warnings(rs) ?
		       "see the warnings above" :
		       "no *.yml or *.yaml rule found");
	else if (loaded == 0)
		printf("rules: no rules loaded, %llu refused\n",
		       (unsigned long long)c.refused);
	else
		printf("rules: %zu loaded, %llu refused, %.2f%% loaded\n",
		       loaded, (unsigned long long)c.refused,
		       100.0 * (double)loaded /
		       (double)(loaded + c.refused));
	if (detect_ruleset_warnings(rs))
		printf("warnings: %llu (rules that load but may not match "
		       "as meant)\n",
		       (unsigned long long)detect_ruleset_warnings(rs));
	if (loaded)
		print_stats(rs);
	if (strict && (c.refused || detect_ruleset_warnings(rs)))
		bad = bad ? bad : -1;
out:
	detect_ruleset_free(rs);
	return bad > 0 ? 2 : bad < 0 ? 1 : 0;
}

struct test_run {
	struct detect_ruleset *rs;
	struct parse_procs *procs;	/* Sysmon processes seen */
	struct parse_evtx *evtx;	/* decodes each EVTX log in turn */
	uint64_t hits;
	uint64_t records, decoded;
	uint64_t in_scope;		/* records some rule's source takes */
	uint64_t wide;			/* records that lost fields */
	uint64_t unread;		/* logs that could not be read */
};

/*
 * One "    name: value" line: the value (log data) with control bytes and
 * invalid UTF-8 as \xNN, so a line break or a terminal escape in a log
 * cannot start a line of its own; cut to 400 bytes with "..." after.
 */
static void print_value(const char *what, const char *name,
			struct core_str v)
{
	struct core_buf b;

	core_buf_init(&b, 4096);
	(void)cli_report_escape(&b, v.p, v.len, 400, false);
	printf("    %s%s: %s\n", what, name, core_buf_cstr(&b));
	core_buf_free(&b);
}

static void print_field(const char *field, struct core_str v, void *ud)
{
	(void)ud;
	print_value("", field, v);
}

/* A field the rule tested in a selection that did not hold (a filter
 * that let the record through). */
static void print_unmet(const char *field, struct core_str v, void *ud)
{
	(void)ud;
	print_value("unmatched ", field, v);
}

/* A field of the rule's Sigma `fields` list, not tested by the rule. */
static void print_shown(const char *field, struct core_str v, void *ud)
{
	(void)ud;
	print_value("field ", field, v);
}

static void on_hit(const struct detect_alert *a, void *ud)
{
	struct test_run *t = ud;
	const struct detect_evidence *e = a->nevidence ? &a->evidence[0] :
					  NULL;

	t->hits++;
	/* The file's name and the rule's title may come from anyone. */
	cli_fputs_safe(e && e->src ? e->src : "-", stdout);
	printf(":%llu: %s [%s] ", (unsigned long long)(e ? e->line : 0),
	       a->rule->correlation ? "correlation" : "hit",
	       detect_level_name(a->rule->level));
	cli_fputs_safe(a->rule->title, stdout);
	fputs(" (", stdout);
	cli_fputs_safe(a->rule->id, stdout);
	putchar(')');
	if (a->rule->correlation)
		printf(" (%llu events)", (unsigned long long)a->count);
	printf("\n");
	for (unsigned i = 0; i < a->ngroup; i++)
		print_value("group ", a->group[i].field, a->group[i].value);
	detect_alert_fields(t->rs, a, print_field, print_unmet, NULL);
	detect_alert_shown(t->rs, a, print_shown, NULL);
}

/* Says so when ev lost fields to the full field table. */
static void too_wide(struct test_run *t, const struct core_event *ev)
{
	if (ev->truncated && ++t->wide <= WIDE_TOLD)
		fprintf(stderr, "vigil: %s:%llu: record has more fields than "
			"an event holds; the last %u were dropped\n", ev->src,
			(unsigned long long)ev->line, (unsigned)ev->truncated);
}

/* One decoded record: counted, matched. */
static void test_event(struct test_run *t, struct core_event *ev)
{
	too_wide(t, ev);
	parse_procs_track(t->procs, ev);
	t->records++;
	t->decoded += ev->decoded;
	t->in_scope += detect_sources_of(t->rs, ev) > 0;
	detect_match(t->rs, ev, on_hit, t);
}

static void say(const struct core_error *err)
{
	char msg[1024];

	core_error_format(err, msg, sizeof(msg));
	fputs("vigil: ", stderr);
	cli_fputs_safe(msg, stderr);
	fputc('\n', stderr);
}

/* Records a column header refuses that are said, per file. */
#define REFUSALS_SHOWN 3

/* A log as analyze reads it: text, or EVTX from a file, pipe or gzip. */
static void test_file(struct test_run *t, const char *path,
		      struct core_arena *arena, struct core_event *ev)
{
	struct core_error err = { 0 };
	struct cli_input in;
	struct input_reader *r;
	struct parse_ctx ctx;
	struct core_str lines[64], rec;
	enum core_format fmt;
	uint64_t line, refused = 0;
	unsigned flags;
	size_t n;

	if (cli_input_open(path, 0, CLI_EVTX_SNIFF, &t->evtx, &in,
			   &err) != 0) {
		say(&err);
		t->unread++;
		return;
	}
	if (in.evtx != NULL) {
		/* line = the record header's number */
		while (cli_input_evtx_read(&in, ev, arena, "vigil"))
			test_event(t, ev);
		cli_input_close(&in);
		return;
	}
	r = in.text;
	parse_ctx_init(&ctx);
	ctx.file_mtime = input_mtime(r);
	/* w3c and zeek columns; without, their records stay raw. */
	ctx.hdr = parse_header_new();
	n = input_peek(r, lines, CORE_ARRAY_LEN(lines));
	fmt = n ? parse_sniff(lines, n) : CORE_FMT_RAW;
	while (input_next(r, &rec, &line, &flags, &err) > 0) {
		core_arena_reset(arena);
		core_event_reset(ev, arena);
		ev->src = input_name(r);
		ev->line = line;
		ev->raw = rec;
		ev->format = fmt;
		parse_record(fmt, &ctx, ev, rec.p, rec.len);
		/* A record its column header does not fit, said as analyze
		 * says it: the first few, then how many more. */
		if (parse_header_refusal(ctx.hdr) != NULL &&
		    refused++ < REFUSALS_SHOWN)
			fprintf(stderr, "vigil: %s:%llu: %s\n",
				input_name(r), (unsigned long long)line,
				parse_header_refusal(ctx.hdr));
		test_event(t, ev);
	}
	if (refused > REFUSALS_SHOWN)
		fprintf(stderr, "vigil: %s: %llu more records did not fit "
			"their column header\n", input_name(r),
			(unsigned long long)(refused - REFUSALS_SHOWN));
	parse_header_free(ctx.hdr);
	cli_input_close(&in);
}

/* rules test's command line: options anywhere before the first log. */
struct test_args {
	bool nopf;		/* --no-prefilter */
	bool many;		/* -r given: whole rule sets */
	const char **rules;	/* the RULE and each -r RULES */
	int nrules;
	int logs;		/* argv index of the first log */
};

/* Returns 0, 1 for --help, or 2 for a usage error (said on stderr). */
static int test_args_parse(int argc, char **argv, struct test_args *ta)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool opt = a[0] == '-' && a[1] != '\0';

		if (opt && is_help(a))
			return 1;
		if (opt && strcmp(a, "--no-prefilter") == 0) {
			ta->nopf = true;
		} else if (opt && strcmp(a, "-r") == 0 && i + 1 < argc) {
			ta->rules[ta->nrules++] = argv[++i];
			ta->many = true;
		} else if (opt && strcmp(a, "--") == 0) {
			if (ta->nrules == 0 && i + 1 < argc)
				ta->rules[ta->nrules++] = argv[++i];
			i++;
			break;
		} else if (opt) {
			fprintf(stderr, "vigil: rules test: %s '%s'\n",
				strcmp(a, "-r") == 0 ? "missing RULES after" :
				"unknown option", a);
			return 2;
		} else if (ta->nrules == 0) {
			ta->rules[ta->nrules++] = a;
		} else {
			break;
		}
	}
	ta->logs = i;
	return ta->nrules == 0 || i >= argc ? 2 : 0;
}

/* The logs, as analyze reads them (cli_paths_add()). */
static void test_logs(struct test_run *t, char **logs, int n,
		      struct core_arena *arena, struct core_event *ev)
{
	struct cli_paths pl = { .say = cli_paths_say, .ud = "vigil" };

	for (int i = 0; i < n; i++)
		cli_paths_add(&pl, logs[i]);
	cli_paths_done(&pl);
	t->unread += pl.skipped;
	for (size_t i = 0; i < pl.n; i++)
		test_file(t, pl.v[i], arena, ev);
	cli_paths_free(&pl);
}

static int rules_test(int argc, char **argv)
{
	struct test_args ta = { 0 };
	struct test_run t = { 0 };
	struct check c = { 0 };
	struct core_arena *arena = NULL;
	struct core_event *ev = NULL;
	int rc;

	ta.rules = calloc((size_t)argc, sizeof(*ta.rules));
	if (ta.rules == NULL)
		return 2;
	rc = test_args_parse(argc, argv, &ta);
	if (rc != 0) {
		rules_usage(rc == 1 ? stdout : stderr);
		free(ta.rules);
		return rc == 1 ? 0 : 2;
	}
	rc = 2;
	t.rs = detect_ruleset_new();
	t.procs = parse_procs_new();
	arena = core_arena_new(1 << 20);
	ev = calloc(1, sizeof(*ev));
	if (t.rs == NULL || t.procs == NULL || arena == NULL || ev == NULL ||
	    (ta.nopf && detect_ruleset_set_prefilter(t.rs, false) != 0))
		goto out;
	detect_ruleset_set_cache(t.rs, NULL);
	c.quiet = ta.many;	/* whole rule sets: refusals are for check */
	for (int k = 0; k < ta.nrules; k++) {
		int got = detect_ruleset_load(t.rs, ta.rules[k], on_refuse,
					      &c);

		if (got < 0) {
			fprintf(stderr, "vigil: %s: cannot read rules: %s\n",
				ta.rules[k],
				cli_rules_load_reason(ta.rules[k], got));
			goto out;
		}
	}
	if (detect_ruleset_compile(t.rs, NULL) != 0 ||
	    detect_ruleset_count(t.rs) == 0) {
		fprintf(stderr, "vigil: %s: no usable rule\n",
			ta.rules[ta.nrules - 1]);
		goto out;
	}
	test_logs(&t, argv + ta.logs, argc - ta.logs, arena, ev);
	detect_flush(t.rs, on_hit, &t);
	if (t.wide > WIDE_TOLD)
		fprintf(stderr, "vigil: %llu more records had more fields than "
			"an event holds\n",
			(unsigned long long)(t.wide - WIDE_TOLD));
	printf("records: %llu (%llu decoded, %llu in the rules' log "
	       "sources)\n", (unsigned long long)t.records,
	       (unsigned long long)t.decoded, (unsigned long long)t.in_scope);
	printf("hits: %llu\n", (unsigned long long)t.hits);
	if (t.hits == 0 && t.records > 0 && t.in_scope == 0)
		fprintf(stderr, "vigil: rules test: no record belongs to the "
			"rules' log sources%s (`vigil rules fields SOURCE` "
			"lists what a source takes)\n", t.decoded < t.records ?
			"; records no decoder understood are kept raw" : "");
	if (t.unread)
		fprintf(stderr, "vigil: rules test: %llu log%s could not be "
			"read\n", (unsigned long long)t.unread,
			t.unread == 1 ? "" : "s");
	rc = t.unread ? 2 : t.hits ? 0 : 1;
out:
	free(ev);
	core_arena_free(arena);
	parse_procs_free(t.procs);
	parse_evtx_free(t.evtx);
	detect_ruleset_free(t.rs);
	free(ta.rules);
	return rc;
}

static void print_map(const char *sigma, const char *event_field, void *ud)
{
	(void)ud;
	printf("  %-28s %s\n", sigma, event_field);
}

static void no_map(const char *sigma, const char *event_field, void *ud)
{
	(void)sigma;
	(void)event_field;
	(void)ud;
}

/* The first product a source's label names ("-" when absent) into out. */
static void label_product(const char *label, char *out, size_t n)
{
	const char *p = strncmp(label, "product=", 8) == 0 ? label + 8 : "-";

	snprintf(out, n, "%.*s", (int)strcspn(p, " "), p);
}

/*
 * Resolves what a user calls a log source: NAME as given (PRODUCT,
 * PRODUCT/SERVICE, PRODUCT/CATEGORY), then a bare NAME as a service or
 * category without a product, then under any product, in map order.
 * The name that found it goes to out; the other products that have a
 * bare NAME go to also, each after a space.  Returns 0 or
 * CORE_E_NOTFOUND.
 */
static int find_source(struct detect_ruleset *rs, const char *name,
		       char *out, size_t n, struct core_buf *also)
{
	struct core_buf tried;
	const char *label;
	char prod[128], try[512], key[132];
	int rc;

	snprintf(out, n, "%s", name);
	rc = detect_ruleset_fields(rs, out, NULL, NULL, no_map, NULL);
	if (rc == 0 || strchr(name, '/') != NULL)
		return rc;
	snprintf(out, n, "/%s", name);
	if (detect_ruleset_fields(rs, out, NULL, NULL, no_map, NULL) == 0)
		return 0;

	/* Each product once: " linux windows " holds those tried. */
	core_buf_init(&tried, 1 << 16);
	(void)core_buf_addc(&tried, ' ');
	for (unsigned i = 0; detect_ruleset_source(rs, i, &label, NULL) == 0;
	     i++) {
		label_product(label, prod, sizeof(prod));
		snprintf(key, sizeof(key), " %s ", prod);
		if (strcmp(prod, "-") == 0 ||
		    strstr(core_buf_cstr(&tried), key) != NULL)
			continue;
		(void)core_buf_printf(&tried, "%s ", prod);
		snprintf(try, sizeof(try), "%s/%s", prod, name);
		if (detect_ruleset_fields(rs, try, NULL, NULL, no_map,
					  NULL) != 0)
			continue;
		if (rc != 0)
			snprintf(out, n, "%s", try);
		else
			(void)core_buf_printf(also, " %s", try);
		rc = 0;
	}
	core_buf_free(&tried);
	return rc;
}

/*
 * The name to give `rules fields` for the entry labelled label, made of
 * its first product, service or category; "-" when that name finds
 * another entry first.
 */
static void source_name(struct detect_ruleset *rs, const char *label,
			char *out, size_t n)
{
	char prod[128], what[128], found[512];
	const char *p = strstr(label, " service="), *c, *l = NULL;
	struct core_buf also;

	label_product(label, prod, sizeof(prod));
	if (p && strncmp(p, " service=- ", 11) == 0)
		p = strstr(label, " category=");
	snprintf(what, sizeof(what), "%s", p ? strchr(p, '=') + 1 : "-");
	what[strcspn(what, " ")] = '\0';
	c = strstr(label, " category=");
	/* No product, a service and a category: CATEGORY/SERVICE. */
	if (strcmp(prod, "-") == 0 && p && c && p != c && c[10] != '-')
		snprintf(out, n, "%.*s/%s", (int)strcspn(c + 10, " "), c + 10,
			 what);
	else if (strcmp(prod, "-") == 0)
		snprintf(out, n, "%s", what);
	else if (strcmp(what, "-") == 0)
		snprintf(out, n, "%s", prod);
	else
		snprintf(out, n, "%s/%s", prod, what);
	core_buf_init(&also, 4096);
	if (find_source(rs, out, found, sizeof(found), &also) != 0 ||
	    detect_ruleset_fields(rs, found, &l, NULL, no_map, NULL) != 0 ||
	    l != label)
		snprintf(out, n, "-");
	core_buf_free(&also);
}

/* " a b c ..." as lines of at most 76 columns, indented by four. */
static void print_wrapped(const char *words)
{
	unsigned col = 0;

	while (*words == ' ')
		words++;
	while (*words) {
		size_t n = strcspn(words, " ");

		if (col && col + 1 + n > 76) {
			putchar('\n');
			col = 0;
		}
		col += (unsigned)printf("%s%.*s", col ? " " : "    ", (int)n,
					words);
		words += n;
		while (*words == ' ')
			words++;
	}
	if (col)
		putchar('\n');
}

/* Appends " name" to the buffer ud. */
static void add_name(const char *name, void *ud)
{
	(void)core_buf_printf(ud, " %s", name);
}

/* Prints one message reference under its field's heading. */
static void print_msgref(const char *field, const char *ref,
			 const char *text, void *ud)
{
	const char **last = ud;

	if (*last != field)
		printf("  %s holds message references; a rule may name "
		       "either form:\n", field);
	*last = field;
	printf("    %-8s %s\n", ref, text);	/* %{GUID}: wider, as is */
}

/* Prints one field a test also reads another way. */
static void print_reread(const char *field, const char *how, void *ud)
{
	(void)ud;
	if (strcmp(field, "*") == 0)
		printf("  every field is also compared %s\n", how);
	else
		printf("  %s is also compared %s\n", field, how);
}

/* Every log source of the map, one a line: its name, label, refusal. */
static int list_sources(struct detect_ruleset *rs)
{
	const char *label, *refuse;
	char name[512];
	unsigned i;

	for (i = 0; detect_ruleset_source(rs, i, &label, &refuse) == 0;
	     i++) {
		source_name(rs, label, name, sizeof(name));
		printf("%-32s %s%s\n", name, label,
		       refuse ? " (refused)" : "");
	}
	if (i == 0) {
		fprintf(stderr, "vigil: no log source map (data/logsources.yml;"
			" set VIGIL_DATADIR)\n");
		return 1;
	}
	return 0;
}

/* Why the entry labelled label refuses its rules, or NULL. */
static const char *source_refusal(struct detect_ruleset *rs,
				  const char *label)
{
	const char *l, *refuse;

	for (unsigned i = 0; detect_ruleset_source(rs, i, &l, &refuse) == 0;
	     i++) {
		if (l == label)
			return refuse;
	}
	return NULL;
}

static int rules_fields(int argc, char **argv)
{
	struct detect_ruleset *rs;
	struct core_buf also;
	const char *label = NULL, *refuse, *last = NULL;
	char name[512];
	bool open = false;
	int rc = 1;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		rules_usage(argc == 2 && is_help(argv[1]) ? stdout : stderr);
		return argc == 2 && is_help(argv[1]) ? 0 : 2;
	}
	rs = detect_ruleset_new();
	if (rs == NULL)
		return 2;
	if (argc == 1) {
		rc = list_sources(rs);
		detect_ruleset_free(rs);
		return rc;
	}
	core_buf_init(&also, 4096);
	if (find_source(rs, argv[1], name, sizeof(name), &also) != 0) {
		fprintf(stderr, "vigil: no log source '%s' in the log source "
			"map; try PRODUCT/SERVICE, PRODUCT/CATEGORY or a bare "
			"CATEGORY or SERVICE (linux/sshd, "
			"windows/process_creation, webserver); `vigil rules "
			"fields` lists them all\n", argv[1]);
		goto out;
	}
	(void)detect_ruleset_fields(rs, name, &label, &open, no_map, NULL);
	printf("log source %s\n", label);
	if (also.len)
		printf("  (%s also names:%s)\n", argv[1], core_buf_cstr(&also));
	refuse = source_refusal(rs, label);
	if (refuse) {
		printf("  refused: %s\n  its rules do not load\n", refuse);
		rc = 0;
		goto out;
	}
	(void)detect_ruleset_fields(rs, name, NULL, NULL, print_map, NULL);
	printf("  any event field (ECS name, docs/events.md) is accepted%s\n",
	       open ? ";\n  so is any other name: it is looked up as the "
	       "record spells it" : "");
	(void)detect_ruleset_rereads(rs, name, print_reread, NULL);
	(void)detect_ruleset_msgrefs(rs, name, print_msgref, &last);
	core_buf_reset(&also);
	if (detect_ruleset_known(rs, name, add_name, &also)) {
		printf("  its events carry (another name loads with a "
		       "warning: it is never set):\n");
		print_wrapped(core_buf_cstr(&also));
	}
	rc = 0;
out:
	core_buf_free(&also);
	detect_ruleset_free(rs);
	return rc;
}

int cli_rules(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return rules_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0)
		return rules_test(argc - 1, argv + 1);
	if (strcmp(argv[1], "fields") == 0)
		return rules_fields(argc - 1, argv + 1);
	fprintf(stderr, "vigil: rules: unknown command '%s'\n", argv[1]);
	rules_usage(stderr);
	return 2;
}
