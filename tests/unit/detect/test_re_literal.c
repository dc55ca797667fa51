/*
 * test_re_literal.c: detect_re_literal() (src/detect/value.c), the
 * literal every match of a regular expression contains, which the
 * prefilter waits for before it tests an |re value.
 *
 * A table pins what the parse makes of each construct; a property test
 * then takes PCRE2 itself as the oracle: over thousands of random
 * patterns from a small alphabet and subjects built to match them, every
 * subject a pattern matches must contain its literal (ASCII case
 * ignored).  A literal too long hides a rule that holds: the prefilter's
 * one way of failing.
 */
#include "detect_test.h"

#include "detect/detect_int.h"

#include <stdlib.h>

#define KELVIN "\xe2\x84\xaa"	/* U+212A, folds with k caselessly */
#define LONG_S "\xc5\xbf"	/* U+017F, folds with s */

/* ------------------------------------------------------------- helpers */

/* Does h hold n, ASCII case ignored (n is in lower case)? */
static bool has_folded(const char *h, size_t hlen, struct core_str n)
{
	for (size_t i = 0; i + n.len <= hlen; i++) {
		size_t k = 0;

		while (k < n.len && (h[i + k] >= 'A' && h[i + k] <= 'Z' ?
				     h[i + k] + 32 : h[i + k]) == n.p[k])
			k++;
		if (k == n.len)
			return true;
	}
	return false;
}

static struct core_str lit_of(struct detect_ruleset *rs, const char *re,
			      bool caseless)
{
	return detect_re_literal(rs, re, strlen(re), caseless);
}

/* --------------------------------------------------------------- table */

struct row {
	const char *re;
	bool caseless;
	const char *lit;	/* "" when none can be told */
	const char *why;
};

static const struct row rows[] = {
	/* Plain runs. */
	{ "whoami", false, "whoami", "a plain run" },
	{ "WhoAmI", false, "whoami", "in lower case" },
	{ "^mimikatz$", false, "mimikatz", "anchors end nothing" },
	{ "ab.cdef", false, "cdef", "the longest run" },
	{ "abc.def", false, "abc", "the first of two as long" },
	{ "ab\\scdef\\dxy", false, "cdef", "class escapes end a run" },
	{ "abc\\bdefg", false, "defg", "an assertion ends a run" },
	/* Optional and repeated characters. */
	{ "abcd?ef", false, "abc", "? makes the char optional" },
	{ "abcd??ef", false, "abc", "so does a lazy ?" },
	{ "xyzw*abc", false, "xyz", "* makes the char optional" },
	{ "abcd*+ef", false, "abc", "so does a possessive *" },
	{ "abcd{0,3}ef", false, "abc", "{0,n} makes it optional" },
	{ "abcd{0}ef", false, "abc", "{0} too" },
	{ "abcd{,3}ef", false, "abc", "{,n} too" },
	{ "abcd+ef", false, "abcd", "+ keeps the char, ends the run" },
	{ "abcd+?ef", false, "abcd", "lazy +" },
	{ "abcd{2}ef", false, "abcd", "{n} keeps it, ends the run" },
	{ "abcd{2,5}ef", false, "abcd", "{n,m} likewise" },
	{ "abcd{1,}ef", false, "abcd", "{n,} likewise" },
	{ "ab\\.+cdefg", false, "cdefg", "an escaped char repeated" },
	{ "ab{", false, "", "a brace that is no quantifier gives up" },
	{ "ab{x}", false, "", "another" },
	{ "ab{,}", false, "", "an empty {,}" },
	/* Groups are skipped whole. */
	{ "ab(cdefgh)ij", false, "ab", "a group ends a run" },
	{ "(abcdef)?ghi", false, "ghi", "an optional group: skipped" },
	{ "(ab|cd)efg", false, "efg", "| inside a group" },
	{ "x(a(b)c)*defg", false, "defg", "nested groups" },
	{ "(?:abcd)efg", false, "efg", "a non-capturing group" },
	{ "(?=abcd)efg", false, "efg", "a lookahead" },
	{ "(?<=abcd)efg", false, "efg", "a lookbehind" },
	{ "(a\\)bcd)efg", false, "efg", "an escaped paren in a group" },
	{ "(a[)]bcd)efg", false, "efg", "a paren in a class in a group" },
	{ "(abc", false, "", "an unclosed group gives up" },
	/* Classes are skipped whole. */
	{ "[abc]defg", false, "defg", "a class" },
	{ "[]a]bcd", false, "bcd", "] first in a class is a member" },
	{ "[^]]bcd", false, "bcd", "] first in a negated class" },
	{ "[^]a]bcd", false, "bcd", "and with more members" },
	{ "[[:alpha:]]bcd", false, "", "a POSIX class: given up" },
	{ "[\\c]evil]", false, "", "\\c takes the bracket: one class" },
	{ "(?x:#)evil(\n)", false, "", "a scoped x: # comments hold brackets" },
	{ "((?x)#)evil(\n)", false, "", "an x option inside a group" },
	{ "[[:alpha:][:digit:]]bcd", false, "", "two of them" },
	{ "[\\]x]bcd", false, "bcd", "an escaped ] in a class" },
	{ "[\\[]bcde", false, "bcde", "an escaped [ in a class" },
	{ "[a-z]{3}bcd", false, "bcd", "a quantified class" },
	{ "[abc", false, "", "an unclosed class gives up" },
	{ "\\[abc\\]", false, "[abc]", "escaped brackets are literal" },
	{ "a]bc}d", false, "a]bc}d", "a lone ] or } is literal" },
	/* Alternation. */
	{ "abc|defgh", false, "", "a top-level | gives up" },
	{ "abcdef|", false, "", "even an empty alternative" },
	{ "\\|abc", false, "|abc", "an escaped | is literal" },
	/* Caseless: k and s fold with the Kelvin and long-s signs. */
	{ "backup", true, "bac", "caseless: k ends a run" },
	{ "BACKUPS", true, "bac", "K too, and S" },
	{ "mask", true, "ma", "s and k" },
	{ "backup", false, "backup", "cased: k and s kept" },
	{ "(?i)backup", false, "bac", "(?i) leading" },
	{ "kkkk(?i)abkcd", false, "kkkk", "(?i) mid-pattern: after it" },
	{ "ab(?i)xkcdefg", false, "cdefg", "(?i) mid-pattern cuts at k" },
	{ "ssss(?is)s", false, "ssss", "(?is) after the run" },
	{ "ab(?-i)sdefkg", false, "def", "(?-i) is taken as (?i) too" },
	{ "(?i:k)absent", false, "absent", "(?i:...) ends with its group" },
	{ "(?m)abkc", false, "ab", "any option group is taken as (?i)" },
	/* Extended syntax and escapes it cannot read. */
	{ "(?x)abc def", false, "", "(?x) gives up" },
	{ "(?ix)abc", false, "", "(?ix) too" },
	{ "abc(?x)def", false, "", "(?x) mid-pattern too" },
	{ "ab(?x:d e)fgh", false, "", "(?x:...): given up, scoped too" },
	{ "ab\\Qc.d\\Eefg", false, "", "\\Q gives up" },
	{ "\\x41bcdef", false, "", "\\x41 gives up" },
	{ "\\x{41}bcdef", false, "", "\\x{41} gives up" },
	{ "(a)\\1bcdef", false, "", "a backreference gives up" },
	{ "(?<n>a)\\k<n>bcdef", false, "", "a named one too" },
	{ "(a)\\g1bcdef", false, "", "\\g1 too" },
	{ "\\p{L}bcdef", false, "", "a property gives up" },
	{ "\\cAbcdef", false, "", "\\c gives up" },
	{ "abc\\", false, "", "a trailing backslash gives up" },
	{ "abcd\\Kef", false, "", "\\K gives up" },
	/* Escaped punctuation is literal. */
	{ "a\\.exe", false, "a.exe", "\\." },
	{ "c:\\\\windows\\\\", false, "c:\\windows\\", "\\\\" },
	{ "\\$\\(x\\)\\*", false, "$(x)*", "$ ( ) * escaped" },
	{ "a\\-b\\/c\\ d", false, "a-b/c d", "- / and space escaped" },
	{ "ab\\ncdef", false, "cdef", "\\n ends a run (not sought)" },
	/* UTF-8 characters are atoms, never sought. */
	{ "abc\xc3\xa9" "defg", false, "defg", "é ends a run" },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9", false, "", "nothing but UTF-8" },
	{ "ab\xc3\xa9?cde", false, "cde", "a UTF-8 char made optional" },
	{ "ab\xe2\x84\xaa" "cde", true, "cde", "the Kelvin sign itself" },
	{ "\xc5\xbfxyz", true, "xyz", "the long s itself" },
};

static void test_table(void **state)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	unsigned bad = 0;

	(void)state;
	assert_non_null(rs);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct core_str l = lit_of(rs, r->re, r->caseless);

		if (l.len == strlen(r->lit) &&
		    (l.len == 0 || memcmp(l.p, r->lit, l.len) == 0))
			continue;
		print_error("%s: /%s/%s gives '%.*s', want '%s'\n", r->why,
			    r->re, r->caseless ? "i" : "", (int)l.len,
			    l.p ? l.p : "", r->lit);
		bad++;
	}
	detect_ruleset_free(rs);
	assert_int_equal(bad, 0);
}

/* The table itself: its patterns are valid PCRE2, but for some of those
 * that give up. */
static void test_table_compiles(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
		PCRE2_SIZE off;
		pcre2_code *re;
		int code;

		opt |= r->caseless ? PCRE2_CASELESS : 0;
		re = pcre2_compile((PCRE2_SPTR)r->re, strlen(r->re), opt,
				   &code, &off, NULL);
		/* Only the rows that give up may be refused. */
		if (re == NULL && r->lit[0] != '\0')
			fail_msg("%s: /%s/ does not compile", r->why, r->re);
		pcre2_code_free(re);
	}
}

/* ------------------------------------------------------- the property */

/* xorshift64*: the same sequence on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static unsigned pick(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) >> 33) % n;
}

static const char *const toks[] = {
	"a", "b", "k", "s", "K", "1", "2", "7", "\\.", ".", "\\s", "?",
	"*", "+", "{0,2}", "{2}", "(ab|c)", "[ab]", "(?i)", "|", "^", "$",
};

#define NTOKS (sizeof(toks) / sizeof(toks[0]))

/* Characters a subject's random ones come from (UTF-8 strings). */
static const char *const sbytes[] = {
	"a", "b", "c", "k", "s", "K", "S", "A", "B", "1", "2", "7", ".",
	" ", KELVIN, LONG_S,
};

#define NSBYTES (sizeof(sbytes) / sizeof(sbytes[0]))

struct subj {
	char b[256];
	size_t n;
	size_t atom;		/* where the last atom's text begins */
};

static void put(struct subj *s, const char *p)
{
	size_t l = strlen(p);

	if (s->n + l < sizeof(s->b)) {
		memcpy(s->b + s->n, p, l);
		s->n += l;
	}
}

static void put_atom(struct subj *s, const char *p)
{
	s->atom = s->n;
	put(s, p);
}

/* A letter of the pattern as a subject may spell it: either case, or
 * the sign PCRE2 folds with it. */
static void put_letter(struct subj *s, char c, uint64_t *r)
{
	char one[2] = { c, '\0' };
	unsigned v = pick(r, 4);

	if ((c == 'k' || c == 'K') && v == 0) {
		put_atom(s, KELVIN);
		return;
	}
	if (c == 's' && v == 0) {
		put_atom(s, LONG_S);
		return;
	}
	if (v == 1)
		one[0] = (char)(c >= 'a' && c <= 'z' ? c - 32 :
				c >= 'A' && c <= 'Z' ? c + 32 : c);
	put_atom(s, one);
}

/* Repeats the last atom's text (at most twice more) or drops it. */
static void requantify(struct subj *s, int lo, int hi, uint64_t *r)
{
	char atom[64];
	size_t al = s->n - s->atom;
	int times = lo + (int)pick(r, (unsigned)(hi - lo + 1));

	if (al >= sizeof(atom))
		return;
	memcpy(atom, s->b + s->atom, al);
	s->n = s->atom;
	for (int i = 0; i < times && s->n + al < sizeof(s->b); i++) {
		memcpy(s->b + s->n, atom, al);
		s->n += al;
	}
}

/* A subject spelt after pattern tokens t[0, n): it often matches. */
static void subject_like(struct subj *s, const unsigned *t, unsigned n,
			 uint64_t *r)
{
	s->n = 0;
	s->atom = 0;
	for (unsigned i = pick(r, 3); i > 0; i--)
		put(s, sbytes[pick(r, NSBYTES)]);
	for (unsigned i = 0; i < n; i++) {
		const char *k = toks[t[i]];

		if (k[1] == '\0' && strchr("abksK127", k[0]) != NULL)
			put_letter(s, k[0], r);
		else if (strcmp(k, "\\.") == 0)
			put_atom(s, ".");
		else if (strcmp(k, ".") == 0)
			put_atom(s, sbytes[pick(r, NSBYTES)]);
		else if (strcmp(k, "\\s") == 0)
			put_atom(s, " ");
		else if (strcmp(k, "?") == 0)
			requantify(s, 0, 1, r);
		else if (strcmp(k, "*") == 0 || strcmp(k, "{0,2}") == 0)
			requantify(s, 0, 2, r);
		else if (strcmp(k, "+") == 0)
			requantify(s, 1, 3, r);
		else if (strcmp(k, "{2}") == 0)
			requantify(s, 2, 2, r);
		else if (strcmp(k, "(ab|c)") == 0)
			put_atom(s, pick(r, 2) ? "ab" : "c");
		else if (strcmp(k, "[ab]") == 0)
			put_atom(s, pick(r, 2) ? "a" : "b");
		else if (strcmp(k, "|") == 0 && pick(r, 2))
			s->n = s->atom = 0;	/* spell the next branch */
	}
	for (unsigned i = pick(r, 3); i > 0; i--)
		put(s, sbytes[pick(r, NSBYTES)]);
}

static void subject_random(struct subj *s, uint64_t *r)
{
	s->n = 0;
	for (unsigned i = pick(r, 7); i > 0; i--)
		put(s, sbytes[pick(r, NSBYTES)]);
}

struct tally {
	unsigned patterns, told, matched, folded;
};

/* Checks one subject: a match must hold the literal. */
static void check(pcre2_code *re, pcre2_match_data *md, const char *pat,
		  bool ci, struct core_str lit, const struct subj *s,
		  struct tally *t)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)s->b, s->n, 0, 0, md, NULL);
	bool sign;

	if (rc < 0)
		return;
	t->matched += lit.len > 0;
	sign = has_folded(s->b, s->n, core_str_make(KELVIN, 3)) ||
	       has_folded(s->b, s->n, core_str_make(LONG_S, 2));
	t->folded += lit.len > 0 && sign;
	if (!has_folded(s->b, s->n, lit))
		fail_msg("/%s/%s matches '%.*s', which lacks its literal "
			 "'%.*s'", pat, ci ? "i" : "", (int)s->n, s->b,
			 (int)lit.len, lit.p);
}

/* One random pattern of 1 to 8 tokens and its subjects. */
static void one_pattern(struct detect_ruleset *rs, pcre2_match_data *md,
			uint64_t *r, struct tally *t)
{
	unsigned tk[8], n = 1 + pick(r, 8);
	char pat[128];
	size_t len = 0;
	bool ci = pick(r, 2);
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	struct core_str lit;
	pcre2_code *re;
	PCRE2_SIZE off;
	struct subj s;
	int code;

	for (unsigned i = 0; i < n; i++) {
		tk[i] = pick(r, NTOKS);
		len += (size_t)snprintf(pat + len, sizeof(pat) - len, "%s",
					toks[tk[i]]);
	}
	opt |= ci ? PCRE2_CASELESS : 0;
	re = pcre2_compile((PCRE2_SPTR)pat, len, opt, &code, &off, NULL);
	if (re == NULL)
		return;
	lit = detect_re_literal(rs, pat, len, ci);
	t->patterns++;
	t->told += lit.len > 0;
	for (int i = 0; i < 24; i++) {
		if (i < 16)
			subject_like(&s, tk, n, r);
		else
			subject_random(&s, r);
		check(re, md, pat, ci, lit, &s, t);
	}
	pcre2_code_free(re);
}

static void test_pcre2_oracle(void **state)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	pcre2_match_data *md = pcre2_match_data_create(16, NULL);
	struct tally t = { 0 };
	uint64_t r = 0x5eed1e55c0ffee01ULL;

	(void)state;
	assert_non_null(rs);
	assert_non_null(md);
	for (int i = 0; i < 20000; i++)
		one_pattern(rs, md, &r, &t);
	print_message("%u patterns, %u with a literal, %u matches holding "
		      "one, %u of them through a folded sign\n", t.patterns,
		      t.told, t.matched, t.folded);
	/* The test means something only when enough subjects matched. */
	assert_true(t.patterns > 10000);
	assert_true(t.told > 5000);
	assert_true(t.matched > 20000);
	assert_true(t.folded > 1000);
	pcre2_match_data_free(md);
	detect_ruleset_free(rs);
}

/* --------------------------------------------------------- once missed */

/*
 * Patterns whose literal was once NOT in a subject PCRE2 matches (the
 * regular expression held, the prefilter hid its rule).
 */
static const struct {
	const char *re;
	const char *subject;
	const char *why;
} once_missed[] = {
	{ "ab{00}c", "ac", "{00} is {0}: b optional" },
	{ "xab{00,3}cd", "xacd", "{00,3} is {0,3}" },
	{ "abcdef(?#x)?gh", "abcdegh", "a comment between f and its ?" },
	{ "a(*ACCEPT)bcd", "a", "(*ACCEPT) ends the match" },
	{ "xa(b(*ACCEPT))cde", "xab", "(*ACCEPT) inside a group too" },
	{ "(?Jx)a b c d", "abcd", "(?Jx) sets x: J is an option" },
	{ "(?Ji)kkk", KELVIN KELVIN KELVIN, "(?Ji) sets i" },
	{ "[\\c]evil]", "e", "\\c] is one character of the class" },
	{ "(?x:#)evil(\n)", "", "the comment runs to the line's end" },
	{ "[[:]|ab:]]cd", "[", "[[:] is the class of [ and :" },
	{ "(?#[)|(]abc)def", "", "a [ in a comment opens no class" },
	{ "(*MARK:[)|(]abc)def", "", "nor one in a verb's name" },
};

static void test_once_missed(void **state)
{
	struct detect_ruleset *rs;
	pcre2_match_data *md;
	unsigned bad = 0;

	(void)state;
	rs = detect_ruleset_new();
	md = pcre2_match_data_create(16, NULL);
	assert_non_null(rs);
	assert_non_null(md);
	for (size_t i = 0; i < sizeof(once_missed) / sizeof(once_missed[0]);
	     i++) {
		const char *re = once_missed[i].re;
		const char *sub = once_missed[i].subject;
		struct core_str l = lit_of(rs, re, false);
		PCRE2_SIZE off;
		int code;
		pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, strlen(re),
					      PCRE2_UTF |
					      PCRE2_MATCH_INVALID_UTF,
					      &code, &off, NULL);

		assert_non_null(c);
		assert_true(pcre2_match(c, (PCRE2_SPTR)sub, strlen(sub), 0, 0,
					md, NULL) >= 0);
		pcre2_code_free(c);
		if (has_folded(sub, strlen(sub), l))
			continue;
		print_error("%s: /%s/ matches '%s', literal '%.*s'\n",
			    once_missed[i].why, re, sub, (int)l.len,
			    l.p ? l.p : "");
		bad++;
	}
	pcre2_match_data_free(md);
	detect_ruleset_free(rs);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_compiles),
		cmocka_unit_test(test_pcre2_oracle),
		cmocka_unit_test(test_once_missed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
