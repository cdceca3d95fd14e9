/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/slab.h"

#include <stdalign.h>
#include <stdint.h>

#include <glib.h>

/* Bytes of records in a chunk, about: big enough that chunks are few,
 * small enough that a run with few records wastes little. */
#define SLAB_CHUNK_BYTES 16384

struct slab_chunk {
	struct slab_chunk *next;
	alignas(max_align_t) unsigned char recs[];
};

void
slab_init(struct slab *s, size_t size)
{
	const size_t align = alignof(max_align_t);

	g_assert(size > 0);
	/* Room for the free list's link, and every record aligned for anything. */
	size = MAX(size, sizeof(void *));
	s->size = (size + align - 1) / align * align;
	s->per_chunk = MAX(SLAB_CHUNK_BYTES / s->size, 1);
	s->chunks = NULL;
	s->cut = s->per_chunk; /* no chunk to cut from yet */
	s->free = NULL;
	s->taken = 0;
}

void *
slab_take(struct slab *s)
{
	void *rec;

	if (s->free) {
		rec = s->free;
		s->free = *(void **)rec;
	} else {
		if (s->cut == s->per_chunk) {
			struct slab_chunk *c = g_malloc(sizeof *c + s->per_chunk * s->size);

			c->next = s->chunks;
			s->chunks = c;
			s->cut = 0;
		}
		rec = s->chunks->recs + s->cut++ * s->size;
	}
	s->taken++;
	return rec;
}

void
slab_give(struct slab *s, void *rec)
{
	g_assert(s->taken > 0);
	*(void **)rec = s->free;
	s->free = rec;
	s->taken--;
}

void
slab_clear(struct slab *s)
{
	while (s->chunks) {
		struct slab_chunk *c = s->chunks;

		s->chunks = c->next;
		g_free(c);
	}
	slab_init(s, s->size);
}
