/*
 * test_event.c: the event field table: known ids, named fields, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static void test_event_fields(void **state)
{
	struct core_event ev;
	const struct core_str *v;

	(void)state;
	core_event_reset(&ev, NULL);
	core_event_set_lit(&ev, CORE_F_USER_NAME, "root");
	core_event_set_lit(&ev, CORE_F_USER_NAME, "alice");
	v = core_event_get(&ev, CORE_F_USER_NAME);
	assert_non_null(v);
	assert_true(core_str_eq_lit(*v, "alice"));
	assert_int_equal(ev.nfields, 1);

	core_event_set_named(&ev, "source.ip", 9, "192.0.2.1", 9);
	assert_non_null(core_event_get(&ev, CORE_F_SOURCE_IP));
	core_event_set_named(&ev, "alert.signature", 15, "ET SCAN", 7);
	v = core_event_get_named(&ev, "alert.signature", 15);
	assert_non_null(v);
	assert_true(core_str_eq_lit(*v, "ET SCAN"));
	assert_null(core_event_get_named(&ev, "nope", 4));
	assert_int_equal(core_field_lookup("user.name", 9), CORE_F_USER_NAME);
	assert_string_equal(core_field_name(CORE_F_SOURCE_IP), "source.ip");
}

static void test_event_table_full(void **state)
{
	struct core_event ev;
	char names[CORE_EVENT_MAX_FIELDS + 10][8];

	(void)state;
	core_event_reset(&ev, NULL);
	for (int i = 0; i < CORE_EVENT_MAX_FIELDS + 10; i++) {
		int n = snprintf(names[i], sizeof(names[i]), "f%d", i);

		core_event_set_named(&ev, names[i], (size_t)n, "v", 1);
	}
	assert_int_equal(ev.nfields, CORE_EVENT_MAX_FIELDS);
	assert_int_equal(ev.truncated, 10);
}

/*
 * A JSON line of 1 MiB can carry 100,000 names: the count of dropped
 * fields stops at its top and never wraps to 0, which would hide the
 * loss from the warning.
 */
static void test_event_drops_saturate(void **state)
{
	static char names[CORE_EVENT_MAX_FIELDS][8];
	struct core_event ev;
	char name[8];

	(void)state;
	core_event_reset(&ev, NULL);
	for (long i = 0; i < CORE_EVENT_MAX_FIELDS + 65536L; i++) {
		char *n = i < CORE_EVENT_MAX_FIELDS ? names[i] : name;
		int len = snprintf(n, 8, "f%ld", i);

		core_event_set_named(&ev, n, (size_t)len, "v", 1);
	}
	assert_int_equal(ev.truncated, UINT16_MAX);
	core_event_set(&ev, CORE_F_USER_NAME, "u", 1);
	assert_int_equal(ev.truncated, UINT16_MAX);
}

/* The field a linear scan finds: the oracle for the hashed index. */
static const struct core_str *scan_named(const struct core_event *ev,
					 const char *name)
{
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id == CORE_F_NAMED && core_str_eq(f->name,
		    core_str_make(name, strlen(name))))
			return &f->value;
	}
	return NULL;
}

/*
 * A full table renamed in a scrambled order: every probe run is broken
 * and mended, and each name, old or new, is found exactly where a linear
 * scan finds it.
 */
static void test_event_rename(void **state)
{
	static char names[CORE_EVENT_MAX_FIELDS][12];
	static char renamed[CORE_EVENT_MAX_FIELDS][12];
	static char values[CORE_EVENT_MAX_FIELDS][12];
	struct core_event ev;
	uint32_t x = 12345;

	(void)state;
	core_event_reset(&ev, NULL);
	for (int i = 0; i < CORE_EVENT_MAX_FIELDS; i++) {
		int n = snprintf(names[i], sizeof(names[i]), "n%d", i);
		int m = snprintf(values[i], sizeof(values[i]), "v%d", i);

		core_event_set_named(&ev, names[i], (size_t)n, values[i],
				     (size_t)m);
		snprintf(renamed[i], sizeof(renamed[i]), "r%d", i);
	}
	assert_int_equal(ev.nfields, CORE_EVENT_MAX_FIELDS);
	for (int k = 0; k < CORE_EVENT_MAX_FIELDS; k++) {
		unsigned i;

		x = x * 1103515245u + 12345u;
		i = (x >> 8) % CORE_EVENT_MAX_FIELDS;
		if (ev.fields[i].name.p == renamed[i])
			continue;
		core_event_rename_named(&ev, i, renamed[i], strlen(renamed[i]));
		for (int j = 0; j < CORE_EVENT_MAX_FIELDS; j++) {
			const char *want[] = { names[j], renamed[j] };

			for (int w = 0; w < 2; w++)
				assert_ptr_equal(core_event_get_named(&ev,
						 want[w], strlen(want[w])),
						 scan_named(&ev, want[w]));
		}
	}
	core_event_set_named(&ev, renamed[7], strlen(renamed[7]), "new", 3);
	if (ev.fields[7].name.p == renamed[7])
		assert_true(core_str_eq_lit(ev.fields[7].value, "new"));
	assert_int_equal(ev.nfields, CORE_EVENT_MAX_FIELDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_event_table_full),
		cmocka_unit_test(test_event_drops_saturate),
		cmocka_unit_test(test_event_rename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
