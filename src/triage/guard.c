/*
 * guard.c: screening attacker-controlled text for instructions aimed at
 * a language model (prompt injection).
 *
 * The first defence is structural (the pack is quoted JSON inside a
 * delimiter with a random nonce, and the system prompt says it is data);
 * this is the second: text that reads like an instruction never reaches
 * the model at all, so a model that would obey it cannot.  The floor is
 * the third (triage_floor).
 *
 * A text is normalised before matching, so that encodings do not hide
 * it: zero-width and soft-hyphen characters dropped, Cyrillic and Greek
 * homoglyphs and full-width forms folded to ASCII, ASCII lower-cased,
 * separators (_ . - + / and runs of blanks) made one space, then URL
 * percent-encoding undone (twice, for double encoding).  Runs of 16 or
 * more base64 characters are decoded and screened as well.  The phrases
 * (English, German, French, Spanish, Russian, Chinese, Japanese) are
 * listed in docs/prompt-injection.md with the test cases that need them.
 */
#include "triage/triage_int.h"

#include <stdlib.h>
#include <string.h>

#define NORM_MAX 4096

static const char *const phrases[] = {
	/* English */
	"ignore previous", "ignore all previous", "ignore the previous",
	"ignore prior", "ignore above", "ignore the above", "ignore all",
	"ignore your", "ignore any", "disregard", "forget previous",
	"forget your", "forget all", "new instructions", "system prompt",
	"you are now", "as an ai", "language model", "mark this",
	"mark it as", "classify this", "classify it", "classify as",
	"is benign", "as benign", "be benign", "false positive",
	"set verdict", "verdict", "call the tool", "call tool",
	"use the tool", "function call", "tool call", "tool_call",
	"assistant:", "system:", "[inst]", "<|im_start|>", "<|system|>",
	"begin instructions", "end of data", "do not report",
	"don't report", "dont report", "do not flag", "do not alert",
	"respond with", "reply with", "output only", "jailbreak",
	"instructions", "lower the score", "score to 0", "not malicious",
	/* German */
	"ignoriere", "ignorier ", "anweisung", "als harmlos",
	"als gutartig", "fehlalarm", "nicht melden", "kein angriff",
	/* French */
	"ignorez", "instructions pr", "faux positif", "comme b\xc3\xa9nin",
	"comme benin", "b\xc3\xa9nin",
	/* Spanish */
	"ignora las", "instrucciones", "falso positivo", "como benigno",
	/* Russian */
	"\xd0\xb8\xd0\xb3\xd0\xbd\xd0\xbe\xd1\x80\xd0\xb8\xd1\x80\xd1\x83",
	"\xd0\xb8\xd0\xbd\xd1\x81\xd1\x82\xd1\x80\xd1\x83\xd0\xba\xd1\x86",
	"\xd0\xbb\xd0\xbe\xd0\xb6\xd0\xbd",
	/* Chinese: ignore, instruction, benign, false alarm, harmless */
	"\xe5\xbf\xbd\xe7\x95\xa5", "\xe6\x8c\x87\xe4\xbb\xa4",
	"\xe8\x89\xaf\xe6\x80\xa7", "\xe8\xaf\xaf\xe6\x8a\xa5",
	"\xe6\x97\xa0\xe5\xae\xb3", "\xe7\xb3\xbb\xe7\xbb\x9f\xe6\x8f\x90",
	/* Japanese: ignore, instruction, false detection */
	"\xe7\x84\xa1\xe8\xa6\x96", "\xe6\x8c\x87\xe7\xa4\xba",
	"\xe8\xaa\xa4\xe6\xa4\x9c\xe7\x9f\xa5",
	NULL,
};

/* Decodes one UTF-8 code point; returns its length (1 on bad bytes). */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80 || n < 2) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		*cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if ((p[0] & 0xf0) == 0xe0 && n >= 3) {
		*cp = (uint32_t)(p[0] & 0x0f) << 12 |
		      (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	if ((p[0] & 0xf8) == 0xf0 && n >= 4) {
		*cp = (uint32_t)(p[0] & 0x07) << 18 |
		      (uint32_t)(p[1] & 0x3f) << 12 |
		      (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		return 4;
	}
	*cp = p[0];
	return 1;
}

static bool invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 &&
						  cp <= 0x2064) ||
	       cp == 0xfeff || cp == 0x00ad || cp == 0x180e ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0xfe00 &&
						  cp <= 0xfe0f);
}

/* Latin look-alikes: Cyrillic and Greek letters, full-width forms. */
static uint32_t fold(uint32_t cp)
{
	static const struct { uint32_t from; char to; } map[] = {
		{ 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043e, 'o' },
		{ 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' },
		{ 0x0445, 'x' }, { 0x0456, 'i' }, { 0x0455, 's' },
		{ 0x0458, 'j' }, { 0x0410, 'a' }, { 0x0412, 'b' },
		{ 0x0415, 'e' }, { 0x041a, 'k' }, { 0x041c, 'm' },
		{ 0x041d, 'h' }, { 0x041e, 'o' }, { 0x0420, 'p' },
		{ 0x0421, 'c' }, { 0x0422, 't' }, { 0x0425, 'x' },
		{ 0x03bf, 'o' }, { 0x03b1, 'a' }, { 0x03b9, 'i' },
		{ 0x03b5, 'e' }, { 0x03bd, 'v' }, { 0x03c1, 'p' },
		{ 0x039f, 'o' }, { 0x0391, 'a' }, { 0x0395, 'e' },
		{ 0x0399, 'i' }, { 0x039a, 'k' }, { 0x039c, 'm' },
		{ 0x039d, 'n' }, { 0x03a1, 'p' }, { 0x03a4, 't' },
		{ 0x0131, 'i' }, { 0x217c, 'l' }, { 0x2170, 'i' },
	};

	if (cp >= 0xff01 && cp <= 0xff5e)
		return cp - 0xfee0;
	for (size_t i = 0; i < CORE_ARRAY_LEN(map); i++)
		if (map[i].from == cp)
			return (uint32_t)map[i].to;
	return cp;
}

/* Undoes %XX in place; returns the new length. */
static size_t url_decode(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && core_hex_digit(s[i + 1]) >= 0 &&
		    core_hex_digit(s[i + 2]) >= 0) {
			s[o++] = (char)(core_hex_digit(s[i + 1]) * 16 +
					core_hex_digit(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

static void put_utf8(char *out, size_t *o, size_t max, uint32_t cp)
{
	if (cp < 0x80) {
		if (*o < max)
			out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		if (*o + 2 > max)
			return;
		out[(*o)++] = (char)(0xc0 | cp >> 6);
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		if (*o + 3 > max)
			return;
		out[(*o)++] = (char)(0xe0 | cp >> 12);
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (*o + 4 <= max) {
		out[(*o)++] = (char)(0xf0 | cp >> 18);
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static bool separator(uint32_t cp)
{
	return cp == ' ' || cp == '_' || cp == '.' || cp == '-' ||
	       cp == '+' || cp == '/' || cp == '\t' || cp == '\n' ||
	       cp == '\r' || cp == 0x3000 || cp == 0xa0 || cp == '=' ||
	       cp == '"' || cp == '\'' || cp == ',' || cp == '(' ||
	       cp == ')' || cp == '*' || cp == '~';
}

/* The normal form described at the top of the file, into out. */
static size_t normalise(const char *in, size_t n, char *out, size_t max,
			bool homoglyphs)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;
	bool space = true;

	while (i < n && o + 4 < max) {
		uint32_t cp;

		i += utf8_next(p + i, n - i, &cp);
		if (invisible(cp))
			continue;
		if (homoglyphs)
			cp = fold(cp);
		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		if (separator(cp)) {
			if (!space)
				out[o++] = ' ';
			space = true;
			continue;
		}
		space = false;
		put_utf8(out, &o, max, cp);
	}
	return o;
}

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
	       c == '-' || c == '_';
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static size_t b64_decode(const char *s, size_t n, char *out, size_t max)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n && o < max; i++) {
		int v = b64_val(s[i]);

		if (v < 0)
			break;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

static bool match(const char *s, size_t n)
{
	struct core_str hay = core_str_make(s, n);

	for (const char *const *ph = phrases; *ph; ph++)
		if (core_str_find(hay, core_str_make(*ph, strlen(*ph))) >= 0)
			return true;
	return false;
}

static bool screen(const char *p, size_t len, int depth);

/* Decodes each long base64 run and screens what it says. */
static bool screen_b64(const char *p, size_t len, int depth)
{
	char dec[NORM_MAX];

	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && b64_char(p[j]))
			j++;
		if (j - i >= 16) {
			size_t n = b64_decode(p + i, j - i, dec, sizeof(dec));

			if (screen(dec, n, depth + 1))
				return true;
		}
		i = j + 1;
	}
	return false;
}

static bool screen(const char *p, size_t len, int depth)
{
	char *norm, *dec;
	size_t n, d;
	bool hit;

	if (depth > 2 || !len)
		return false;
	len = CORE_MIN(len, (size_t)NORM_MAX);
	norm = malloc(NORM_MAX * 2);
	if (!norm)
		return true;	/* cannot screen: withhold */
	dec = norm + NORM_MAX;
	memcpy(dec, p, len);
	d = url_decode(dec, len);
	d = url_decode(dec, d);
	/* Folded for Latin look-alikes, and not, for Cyrillic phrases. */
	n = normalise(dec, d, norm, NORM_MAX, true);
	hit = match(norm, n);
	if (!hit) {
		n = normalise(dec, d, norm, NORM_MAX, false);
		hit = match(norm, n) || screen_b64(dec, d, depth);
	}
	free(norm);
	return hit;
}

bool triage_guard_suspect(const char *p, size_t len)
{
	return screen(p, len, 0);
}

/* ------------------------------------------------------- JSON documents */

/*
 * Keys whose values vigil writes itself from a closed set (verdict
 * names, levels, times, counter names): never attacker text, and some
 * ("false_positive") would read like a request for a verdict.
 */
static bool own_key(const char *k)
{
	static const char *const keys[] = {
		"verdict", "analyst_verdict", "triage_verdict", "producer",
		"status", "level", "severity", "type", "counter", "basis",
		"ts", "ts_first", "ts_last", "first_seen", "last_seen",
		"run_started", "created", "started", "updated", "stored",
		"namespace",
	};

	for (size_t i = 0; k && i < CORE_ARRAY_LEN(keys); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

static unsigned screen_tree(cJSON *node)
{
	unsigned n = 0;
	cJSON *c;

	if (cJSON_IsString(node) && !own_key(node->string) &&
	    node->valuestring && *node->valuestring &&
	    triage_guard_suspect(node->valuestring,
				 strlen(node->valuestring))) {
		/* Out of memory: cut the text in place rather than keep it. */
		if (!cJSON_SetValuestring(node, TRIAGE_WITHHELD))
			node->valuestring[0] = '\0';
		return 1;
	}
	cJSON_ArrayForEach(c, node)
		n += screen_tree(c);
	return n;
}

int triage_guard_json(const char *json, size_t len, struct core_buf *out,
		      unsigned *flagged)
{
	cJSON *doc = cJSON_ParseWithLength(json ? json : "", len);
	char *text;
	int rc;

	*flagged = 0;
	if (!doc) {
		/* Not a document: nothing can be kept apart, so none is. */
		*flagged = 1;
		return core_buf_printf(out, "{\"withheld\":\"%s\"}",
				       TRIAGE_WITHHELD);
	}
	*flagged = screen_tree(doc);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		return CORE_E_NOMEM;
	rc = core_buf_add(out, text, strlen(text));
	free(text);
	return rc;
}
