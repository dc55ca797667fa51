/*
 * verdict.c: what a model's answer must look like, and the deterministic
 * floor under whatever it says.
 *
 * The answer is a JSON object (triage_answer_schema): verdict, confidence
 * 0..1, a proposed score, an explanation, the evidence ids it rests on
 * (at least one, each an id the pack holds) and recommended actions.
 * Anything else is invalid and gets one repair attempt in run.c.
 *
 * The floor (docs/llm.md, "The deterministic floor"):
 *
 *   - the score may go down by at most `bound` points (score_floor_bound,
 *     default 15, at most LLM_SCORE_FLOOR_BOUND_MAX) and up freely;
 *   - "strong" means a high or critical rule hit, or instruction-like
 *     text found in the evidence: then the verdict cannot fall below the
 *     deterministic one, the score not below 65 (high), and when the
 *     model wanted lower the incident is marked for an analyst;
 *   - otherwise the model's verdict stands.
 */
#include "triage/triage_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRONG_LEVEL 3		/* high */
#define STRONG_SCORE_MIN 65

const char triage_answer_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"verdict\",\"confidence\",\"score\",\"explanation\","
	"\"evidence\",\"actions\"],"
	"\"properties\":{"
	"\"verdict\":{\"type\":\"string\",\"enum\":[\"malicious\","
	"\"suspicious\",\"benign\",\"false_positive\"]},"
	"\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
	"\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
	"\"explanation\":{\"type\":\"string\",\"minLength\":1,"
	"\"maxLength\":2000},"
	"\"evidence\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":12,"
	"\"items\":{\"type\":\"string\",\"maxLength\":8}},"
	"\"actions\":{\"type\":\"array\",\"maxItems\":8,"
	"\"items\":{\"type\":\"string\",\"maxLength\":300}}}}";

enum triage_verdict triage_deterministic_verdict(unsigned score,
						 int max_level)
{
	if (score >= 65 || max_level >= STRONG_LEVEL)
		return TRIAGE_MALICIOUS;
	if (score >= 20)
		return TRIAGE_SUSPICIOUS;
	return TRIAGE_BENIGN;
}

void triage_floor(const struct triage_floor_in *in,
		  struct triage_floor_out *out)
{
	enum triage_verdict det = triage_deterministic_verdict(in->score,
							       in->max_level);
	unsigned bound = CORE_MIN(in->bound, LLM_SCORE_FLOOR_BOUND_MAX);
	int floor = (int)in->score - (int)bound;
	int want = in->proposed_score < 0 ? (int)in->score :
		   in->proposed_score;
	bool strong = in->max_level >= STRONG_LEVEL || in->injection;

	memset(out, 0, sizeof(*out));
	out->verdict = in->proposed;
	if (strong && floor < STRONG_SCORE_MIN)
		floor = CORE_MIN(STRONG_SCORE_MIN, (int)in->score);
	if (floor < 0)
		floor = 0;
	out->score = (unsigned)(want < floor ? floor : want > 100 ? 100 :
				want);
	if (want < floor) {
		out->clamped = true;
		snprintf(out->reason, sizeof(out->reason),
			 "score kept at %u: a model may lower it by at most "
			 "%u%s", out->score, bound,
			 strong ? " and not below high for a strong hit" : "");
	}
	if (strong && in->proposed < det) {
		out->verdict = det;
		out->clamped = true;
		out->needs_analyst = true;
		snprintf(out->reason, sizeof(out->reason),
			 "model said %s; kept %s: %s, only an analyst may "
			 "clear it", triage_verdict_name(in->proposed),
			 triage_verdict_name(det), in->injection ?
			 "the evidence holds instruction-like text" :
			 "a high-confidence rule fired");
	}
}

/* ---------------------------------------------------------------- parse */

void triage_answer_free(struct triage_answer *a)
{
	if (!a)
		return;
	free(a->explanation);
	free(a->evidence);
	free(a->actions);
	memset(a, 0, sizeof(*a));
}

static int check_ids(const cJSON *ev, unsigned nids, struct core_error *err)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, ev) {
		const char *s = x->valuestring;
		char *end;
		long n;

		if (!s || s[0] != 'L')
			return core_fail(err, CORE_E_PARSE, NULL, 0,
					 "evidence id '%.8s' is not L<n>",
					 s ? s : "");
		n = strtol(s + 1, &end, 10);
		if (*end || n < 1 || (unsigned long)n > nids)
			return core_fail(err, CORE_E_PARSE, NULL, 0,
					 "evidence id %.8s is not in the pack "
					 "(L1..L%u)", s, nids);
	}
	return 0;
}

int triage_answer_parse(const char *text, size_t len, unsigned nids,
			struct triage_answer *a, struct core_error *err)
{
	struct core_str obj;
	cJSON *root;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!text || !llm_json_extract(text, len, &obj))
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "the answer holds no JSON object");
	rc = llm_schema_validate(triage_answer_schema, obj.p, obj.len, err);
	if (rc)
		return rc;
	root = cJSON_ParseWithLength(obj.p, obj.len);
	if (!root)
		return CORE_E_NOMEM;
	rc = check_ids(cJSON_GetObjectItemCaseSensitive(root, "evidence"),
		       nids, err);
	if (rc == 0) {
		a->verdict = (enum triage_verdict)triage_verdict_lookup(
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				root, "verdict")));
		a->confidence = cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(root, "confidence"));
		a->score = (int)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(root, "score"));
		a->explanation = strdup(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(root,
							 "explanation")));
		a->evidence = cJSON_PrintUnformatted(
			cJSON_GetObjectItemCaseSensitive(root, "evidence"));
		a->actions = cJSON_PrintUnformatted(
			cJSON_GetObjectItemCaseSensitive(root, "actions"));
		if (!a->explanation || !a->evidence || !a->actions)
			rc = CORE_E_NOMEM;
	}
	cJSON_Delete(root);
	if (rc)
		triage_answer_free(a);
	return rc;
}

/* ------------------------------------------------------------- map back */

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static const char *const token_kinds[] = { "IP", "USER", "HOST", "EMAIL",
					   "DOMAIN" };

static size_t lit_at(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0 ? l : 0;
}

/*
 * The length of the pseudonym token at s ("IP-PUB-3",
 * "IP-PRIV[10.0.0.0/24]-2", "USER-1"), 0 when none starts there.  The
 * grammar is the one llm_pseudo makes its tokens by.
 */
static size_t token_at(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	for (size_t k = 0; k < CORE_ARRAY_LEN(token_kinds) && !i; k++)
		i = lit_at(s, n, token_kinds[k]);
	if (!i)
		return 0;
	if (i == 2 && (d = lit_at(s + i, n - i, "-PRIV")) == 0)
		d = lit_at(s + i, n - i, "-PUB");
	i += i == 2 ? d : 0;
	if (i < n && s[i] == '[') {
		const char *e = memchr(s + i, ']', CORE_MIN(n - i, 64));

		if (!e)
			return 0;
		i = (size_t)(e - s) + 1;
	}
	if (i + 1 >= n || s[i] != '-' || s[i + 1] < '0' || s[i + 1] > '9')
		return 0;
	for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i < n && alnum(s[i]) ? 0 : i;
}

/* Whether tok stands in hay as a whole token (not inside a longer one). */
static bool holds_token(struct core_str hay, const char *tok, size_t n)
{
	struct core_str rest = hay;
	long at;

	while (rest.len >= n &&
	       (at = core_str_find(rest, core_str_make(tok, n))) >= 0) {
		const char *p = rest.p + at;
		bool before = p == hay.p || !alnum(p[-1]);
		bool after = p + n == hay.p + hay.len || !alnum(p[n]);

		if (before && after)
			return true;
		rest = core_str_make(p + 1, (size_t)(hay.p + hay.len - p - 1));
	}
	return false;
}

int triage_reveal(const struct llm_pseudo *p, const char *text, size_t len,
		  struct core_str sent, struct core_buf *out,
		  struct core_buf *foreign, unsigned *nforeign)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && rc == 0) {
		size_t n = i == 0 || !alnum(text[i - 1]) ?
			   token_at(text + i, len - i) : 0;
		struct core_str orig;

		if (n == 0) {
			rc = core_buf_addc(out, text[i++]);
			continue;
		}
		if (holds_token(sent, text + i, n) && p &&
		    llm_pseudo_lookup(p, text + i, n, &orig))
			rc = core_buf_add(out, orig.p, orig.len);
		else
			rc = core_buf_add(out, text + i, n);
		if (rc == 0 && !holds_token(sent, text + i, n) &&
		    !holds_token(core_str_make(foreign->p ? foreign->p : "",
					       foreign->len), text + i, n)) {
			rc = core_buf_printf(foreign, "%s%.*s", foreign->len ?
					     ", " : "", (int)n, text + i);
			(*nforeign)++;
		}
		i += n;
	}
	return rc;
}
