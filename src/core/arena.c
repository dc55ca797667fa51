/*
 * arena.c: a bump allocator for data that lives as long as one event or
 * one batch.
 *
 * Allocations are 16-byte aligned.  A request larger than the chunk size
 * gets a chunk of its own.  Reset keeps the first chunk (the common case:
 * one event fits) and frees the rest, so memory stays flat on a stream.
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct core_arena {
	struct arena_chunk *head;	/* current chunk */
	struct arena_chunk *first;	/* kept across resets */
	size_t chunk;
	size_t used;
};

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c = malloc(sizeof(*c) + size);

	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct core_arena *core_arena_new(size_t chunk)
{
	struct core_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->chunk = chunk ? chunk : 16384;
	a->first = chunk_new(a->chunk);
	if (!a->first) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	return a;
}

void core_arena_free(struct core_arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void core_arena_reset(struct core_arena *a)
{
	struct arena_chunk *c = a->head, *next;

	/* Chunks are linked newest first; the first chunk is the tail. */
	while (c != a->first) {
		next = c->next;
		free(c);
		c = next;
	}
	a->first->used = 0;
	a->head = a->first;
	a->used = 0;
}

void *core_arena_alloc(struct core_arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (need < n)
		return NULL;
	if (c->size - c->used < need) {
		c = chunk_new(need > a->chunk ? need : a->chunk);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	a->used += need;
	return p;
}

struct core_str core_arena_strdup(struct core_arena *a, const char *p,
				  size_t len)
{
	char *q = core_arena_alloc(a, len + 1);

	if (!q)
		return CORE_STR_NULL;
	if (len)
		memcpy(q, p, len);
	q[len] = '\0';
	return core_str_make(q, len);
}

size_t core_arena_used(const struct core_arena *a)
{
	return a->used;
}
