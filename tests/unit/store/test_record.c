/*
 * test_record.c: traces, verdicts, feedback, the audit log and state
 * blobs: round trips with hostile strings, validation, the audit log's
 * refusal of UPDATE and DELETE, and feedback that cannot exist without
 * its incident or its audit row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tmpstore.h"

/* Strings an attacker controls; each must come back byte for byte. */
static const struct {
	const char *p;
	size_t len;
	const char *why;
} hostile[] = {
	{ "'); DROP TABLE incidents; --", 28, "SQL in a note" },
	{ "a\0b", 3, "NUL inside" },
	{ "\xff\xfe not UTF-8", 13, "invalid UTF-8" },
	{ "\"}],\"verdict\":\"benign", 21, "JSON breakout" },
	{ "line1\nline2\r\n\t", 14, "control characters" },
	{ "", 0, "empty" },
};

struct got {
	char note[64];
	size_t len;
	int n;
};

static int on_feedback(int64_t id, const struct store_feedback *f, void *ud)
{
	struct got *g = ud;

	(void)id;
	g->n++;
	g->len = f->note.len;
	memcpy(g->note, f->note.p, CORE_MIN(f->note.len, sizeof(g->note)));
	return 0;
}

static int count_audit(int64_t id, const struct store_audit *a, void *ud)
{
	(void)id;
	(void)a;
	(*(int *)ud)++;
	return 0;
}

static void feedback_round_trips_hostile_notes(void **state)
{
	struct tmpstore t;
	struct fixture f;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct store_feedback fb = {
			.incident_id = f.inc[0], .verdict = "benign",
			.analyst = "a", .note = core_str_make(hostile[i].p,
							      hostile[i].len),
		};
		struct got g = { 0 };
		int64_t id;

		assert_int_equal(store_feedback_add(t.st, &fb, &id, NULL), 0);
		assert_int_equal(store_feedback_each(t.st, f.inc[0],
						     on_feedback, &g, NULL), 0);
		assert_int_equal(g.n, (int)i + 1);
		assert_int_equal(g.len, hostile[i].len);
		assert_memory_equal(g.note, hostile[i].p, hostile[i].len);
	}
	tmp_cleanup(&t);
}

static void feedback_is_validated(void **state)
{
	static const struct {
		int64_t incident;	/* 0: the fixture's first */
		const char *verdict;
		const char *analyst;
		int want;
		const char *why;
	} rows[] = {
		{ 0, "evil", "a", CORE_E_INVAL, "unknown verdict" },
		{ 0, NULL, "a", CORE_E_INVAL, "no verdict" },
		{ 0, "benign", "", CORE_E_INVAL, "no analyst" },
		{ 999, "benign", "a", CORE_E_NOTFOUND, "no such incident" },
		{ 0, "false-positive", "a", 0, "accepted" },
	};
	struct tmpstore t;
	struct fixture f;
	int audit = 0;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_feedback fb = {
			.incident_id = rows[i].incident ? rows[i].incident :
				f.inc[0],
			.verdict = rows[i].verdict,
			.analyst = rows[i].analyst,
		};
		struct core_error err = { 0 };

		assert_int_equal(store_feedback_add(t.st, &fb, NULL, &err),
				 rows[i].want);
	}
	/* Only the accepted one left an audit row. */
	assert_int_equal(store_audit_each(t.st, 0, 0, count_audit, &audit,
					  NULL), 0);
	assert_int_equal(audit, 1);
	tmp_cleanup(&t);
}

static void audit_log_refuses_changes(void **state)
{
	static const char *const sql[] = {
		"UPDATE audit_log SET actor = 'mallory'",
		"DELETE FROM audit_log",
		"DELETE FROM audit_log WHERE id = 1",
	};
	struct store_audit a = { .actor = "vigil", .action = "test",
				 .detail = CORE_STR("{\"k\":1}") };
	struct tmpstore t;
	sqlite3 *db;
	int n = 0;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL), 0);
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL), 0);
	a.actor = "";
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL),
			 CORE_E_INVAL);
	assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		char *msg = NULL;

		assert_int_not_equal(sqlite3_exec(db, sql[i], NULL, NULL,
						  &msg), SQLITE_OK);
		assert_non_null(msg);
		assert_non_null(strstr(msg, "append-only"));
		sqlite3_free(msg);
	}
	sqlite3_close(db);
	assert_int_equal(store_audit_each(t.st, 0, 0, count_audit, &n, NULL),
			 0);
	assert_int_equal(n, 2);
	tmp_cleanup(&t);
}

/*
 * The chain shows what the triggers cannot stop: the file's owner drops
 * them and edits the table.  Each row: the tampering (after dropping
 * the triggers), whether verify must find it, the row it must name.
 */
static void audit_chain_detects_edits(void **state)
{
	static const struct {
		const char *sql;
		bool intact;
		int64_t bad_id;
		const char *why;
	} rows[] = {
		{ "SELECT 1", true, 0, "untouched" },
		{ "UPDATE audit_log SET detail = '{\"k\":2}' WHERE id = 2",
		  false, 2, "changed" },
		{ "UPDATE audit_log SET ts = ts + 1 WHERE id = 3", false, 3,
		  "changed" },
		{ "DELETE FROM audit_log WHERE id = 2", false, 3, "missing" },
		{ "DELETE FROM audit_log WHERE id = 4", false, 4, "cut" },
		{ "DELETE FROM audit_log WHERE id = 1", false, 2, "missing" },
		/* A row given another row's hash is found all the same. */
		{ "UPDATE audit_log SET actor = 'x', hash = (SELECT hash "
		  "FROM audit_log WHERE id = 1) WHERE id = 2", false, 2,
		  "changed" },
	};
	struct store_audit a = { .actor = "vigil", .action = "test",
				 .detail = CORE_STR("{\"k\":1}") };

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_audit_check c;
		struct tmpstore t;
		sqlite3 *db;

		tmp_path(&t);
		assert_int_equal(tmp_open(&t, 0), 0);
		for (int k = 0; k < 4; k++)
			assert_int_equal(store_audit_append(t.st, &a, NULL,
							    NULL), 0);
		store_close(t.st);
		assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "DROP TRIGGER "
			"audit_log_no_update; DROP TRIGGER "
			"audit_log_no_delete", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, rows[i].sql, NULL, NULL,
					      NULL), SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(tmp_open(&t, 0), 0);
		assert_int_equal(store_audit_verify(t.st, NULL, &c, NULL), 0);
		assert_int_equal(c.intact, rows[i].intact);
		assert_int_equal(c.bad_id, rows[i].bad_id);
		if (!rows[i].intact)
			assert_non_null(strstr(c.reason, rows[i].why));
		tmp_cleanup(&t);
	}
}

/* A head recorded earlier must stay in the chain. */
static void audit_chain_keeps_recorded_head(void **state)
{
	struct store_audit a = { .actor = "vigil", .action = "test" };
	struct store_audit_check c;
	char head[STORE_AUDIT_HASH_HEX + 1];
	struct tmpstore t;
	sqlite3 *db;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL), 0);
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL), 0);
	assert_int_equal(store_audit_verify(t.st, NULL, &c, NULL), 0);
	assert_true(c.intact);
	assert_int_equal(c.rows, 2);
	assert_int_equal(strlen(c.head), STORE_AUDIT_HASH_HEX);
	memcpy(head, c.head, sizeof(head));
	assert_int_equal(store_audit_append(t.st, &a, NULL, NULL), 0);
	assert_int_equal(store_audit_verify(t.st, head, &c, NULL), 0);
	assert_true(c.intact);
	assert_string_not_equal(c.head, head);
	assert_int_equal(store_audit_verify(t.st, "abc", &c, NULL),
			 CORE_E_INVAL);
	store_close(t.st);
	/* Cut the last two rows and fix the sequence: only the head shows. */
	assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_log_no_delete;"
		"DELETE FROM audit_log WHERE id >= 2; UPDATE sqlite_sequence "
		"SET seq = 1 WHERE name = 'audit_log'", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_audit_verify(t.st, NULL, &c, NULL), 0);
	assert_true(c.intact);
	assert_int_equal(store_audit_verify(t.st, head, &c, NULL), 0);
	assert_false(c.intact);
	assert_non_null(strstr(c.reason, "recorded head"));
	tmp_cleanup(&t);
}

static int on_trace(int64_t id, const struct store_trace *t, void *ud)
{
	(void)id;
	assert_string_equal(t->producer, "llm");
	assert_int_equal(t->prompt_tokens, 1234);
	assert_int_equal(t->prompt.len, 3);
	assert_memory_equal(t->prompt.p, "a\0b", 3);
	(*(int *)ud)++;
	return 0;
}

static int on_verdict(int64_t id, const struct store_verdict *v, void *ud)
{
	(void)id;
	assert_string_equal(v->verdict, "malicious");
	assert_true(v->confidence > 0.89 && v->confidence < 0.91);
	(*(int *)ud)++;
	return 0;
}

static void traces_and_verdicts_round_trip(void **state)
{
	static const struct {
		const char *producer;
		double confidence;
		int want;
	} rows[] = {
		{ "llm", 0.9, 0 },
		{ "oracle", 0.9, CORE_E_INVAL },
		{ "llm", 1.5, CORE_E_INVAL },
		{ "llm", -0.1, CORE_E_INVAL },
	};
	struct tmpstore t;
	struct fixture f;
	struct store_trace tr = { .producer = "llm", .model = "m",
				  .prompt_tokens = 1234,
				  .prompt = { "a\0b", 3 },
				  .tool_calls = CORE_STR("[{\"n\":1}]") };
	int64_t tid;
	int n = 0;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	tr.incident_id = f.inc[0];
	assert_int_equal(store_trace_add(t.st, &tr, &tid, NULL), 0);
	tr.incident_id = 999;
	assert_int_not_equal(store_trace_add(t.st, &tr, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_verdict v = { .incident_id = f.inc[0],
					   .trace_id = tid,
					   .producer = rows[i].producer,
					   .verdict = "malicious",
					   .confidence = rows[i].confidence };

		assert_int_equal(store_verdict_add(t.st, &v, NULL, NULL),
				 rows[i].want);
	}
	assert_int_equal(store_trace_each(t.st, f.inc[0], on_trace, &n, NULL),
			 0);
	assert_int_equal(store_verdict_each(t.st, 0, on_verdict, &n, NULL), 0);
	assert_int_equal(n, 2);
	tmp_cleanup(&t);
}

static void state_put_get_replace_delete(void **state)
{
	struct tmpstore t;
	struct core_buf b;
	int64_t when = 0;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	core_buf_init(&b, 1024);
	assert_int_equal(store_state_get(t.st, "triage.model", "w", &b, NULL,
					 NULL), CORE_E_NOTFOUND);
	assert_int_equal(store_state_put(t.st, "triage.model", "w", "\0\1\2",
					 3, NULL), 0);
	assert_int_equal(store_state_put(t.st, "triage.model", "w", "\3\4",
					 2, NULL), 0);
	assert_int_equal(store_state_get(t.st, "triage.model", "w", &b, &when,
					 NULL), 0);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.p, "\3\4", 2);
	assert_true(when > 0);
	assert_int_equal(store_state_put(t.st, "", "w", "x", 1, NULL),
			 CORE_E_INVAL);
	assert_int_equal(store_state_put(t.st, "n", "w", "x",
					 STORE_STATE_MAX + 1, NULL),
			 CORE_E_TOOBIG);
	assert_int_equal(store_state_delete(t.st, "triage.model", "w", NULL),
			 0);
	core_buf_reset(&b);
	assert_int_equal(store_state_get(t.st, "triage.model", "w", &b, NULL,
					 NULL), CORE_E_NOTFOUND);
	core_buf_free(&b);
	tmp_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(feedback_round_trips_hostile_notes),
		cmocka_unit_test(feedback_is_validated),
		cmocka_unit_test(audit_log_refuses_changes),
		cmocka_unit_test(audit_chain_detects_edits),
		cmocka_unit_test(audit_chain_keeps_recorded_head),
		cmocka_unit_test(traces_and_verdicts_round_trip),
		cmocka_unit_test(state_put_get_replace_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
