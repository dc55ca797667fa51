/*
 * fuzz_anomaly_state.c: feeds arbitrary bytes to the anomaly state
 * reader.  A blob it accepts must save again, reload, and score an
 * event without trouble.
 */
#include <stdint.h>
#include <string.h>

#include "anomaly/anomaly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(const struct detect_alert *a, void *ud)
{
	(void)a;
	(void)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anomaly_model *m = NULL, *again = NULL;
	static struct core_event ev;
	struct core_buf b;

	if (anomaly_state_load(data, size, NULL, &m, NULL) != 0)
		return 0;
	core_buf_init(&b, 64u << 20);
	if (anomaly_state_save(m, &b) == 0 &&
	    anomaly_state_load(b.p, b.len, NULL, &again, NULL) != 0)
		__builtin_trap();
	core_event_reset(&ev, NULL);
	ev.raw = core_str_make("session opened for user x", 25);
	anomaly_model_score(m, &ev, ignore, NULL);
	anomaly_model_free(again);
	anomaly_model_free(m);
	core_buf_free(&b);
	return 0;
}
