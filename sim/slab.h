/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Records of one size, taken and given back many times over a run (a
 * message on its way, say), without a malloc and a free for each: they are
 * cut from chunks and a record given back goes on a free list, to be the
 * next one taken (the most recently touched memory).  Everything is freed
 * at once with slab_clear(), records still taken included, so the owner
 * needs no table of them for the end.  Which address a record gets never
 * depends on anything but the order of the calls.
 */
#ifndef FLASHCOOP_SIM_SLAB_H
#define FLASHCOOP_SIM_SLAB_H

#include <stddef.h>

struct slab_chunk;

struct slab {
	size_t size;               /* of a record, rounded up for alignment */
	size_t per_chunk;          /* records in a chunk */
	struct slab_chunk *chunks; /* newest first */
	size_t cut;                /* records of the newest chunk handed out */
	void *free;                /* records given back, each holding the next */
	size_t taken;              /* records out */
};

/* An empty slab of records of size bytes (> 0). */
void slab_init(struct slab *s, size_t size);
/* A record, uninitialised. */
void *slab_take(struct slab *s);
/* Gives back a record from slab_take(). */
void slab_give(struct slab *s, void *rec);
/* Frees every chunk; the slab is empty again, ready for use. */
void slab_clear(struct slab *s);

#endif
