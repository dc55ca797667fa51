/*
 * test_evtx_crc.c: the CRC32 the EVTX reader checks chunks with (ISA-L's
 * crc32_gzip_refl) against zlib's crc32 as the oracle: every length from
 * 0 to 300 at every alignment of a word, long buffers, and a CRC carried
 * over two pieces, as a chunk header's is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <isa-l/crc.h>
#include <zlib.h>
#include <cmocka.h>

#define BUF (80 * 1024)

static unsigned char *filled(void)
{
	unsigned char *b = malloc(BUF);
	uint32_t x = 2463534242u;

	assert_non_null(b);
	for (size_t i = 0; i < BUF; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	return b;
}

static void test_lengths_and_alignments(void **state)
{
	unsigned char *b = filled();

	(void)state;
	for (size_t off = 0; off < 16; off++) {
		for (size_t n = 0; n <= 300; n++)
			assert_int_equal(crc32_gzip_refl(0, b + off, n),
					 (uint32_t)crc32(0, b + off, (uInt)n));
	}
	free(b);
}

static void test_long(void **state)
{
	unsigned char *b = filled();
	static const size_t lens[] = { 511, 512, 4096, 65024, 65536 - 512,
				       BUF - 7, BUF };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t off = BUF - lens[i];

		assert_int_equal(crc32_gzip_refl(0, b + off, lens[i]),
				 (uint32_t)crc32(0, b + off, (uInt)lens[i]));
	}
	free(b);
}

/* A chunk header's CRC covers [0, 120) and then [128, 512). */
static void test_carried(void **state)
{
	unsigned char *b = filled();

	(void)state;
	for (size_t cut = 0; cut < 600; cut += 7) {
		uint32_t a = crc32_gzip_refl(0, b, cut);
		uLong z = crc32(0, b, (uInt)cut);

		a = crc32_gzip_refl(a, b + cut + 8, 1000);
		z = crc32(z, b + cut + 8, 1000);
		assert_int_equal(a, (uint32_t)z);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths_and_alignments),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_carried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
