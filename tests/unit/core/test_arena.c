/*
 * test_arena.c: the bump allocator: growth, big blocks, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static void test_arena(void **state)
{
	struct core_arena *a = core_arena_new(256);
	struct core_str s;
	void *big;

	(void)state;
	assert_non_null(a);
	s = core_arena_strdup(a, "hello", 5);
	assert_string_equal(s.p, "hello");
	big = core_arena_alloc(a, 10000);
	assert_non_null(big);
	memset(big, 0xab, 10000);
	assert_true(core_arena_used(a) >= 10000);
	core_arena_reset(a);
	assert_int_equal(core_arena_used(a), 0);
	for (int i = 0; i < 1000; i++)
		assert_non_null(core_arena_alloc(a, 100));
	core_arena_free(a);
	core_arena_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
