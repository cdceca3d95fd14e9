/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/rng.h"

#include <glib.h>

static uint64_t
mix(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t
rng_stream_key(uint64_t master, uint64_t replication, const char *kind,
	       uint64_t index)
{
	return mix(mix(mix(mix(master) ^ replication) ^ fnv1a(kind)) ^ index);
}

void
rng_stream_init(struct rng_stream *s, uint64_t master, uint64_t replication,
		const char *kind, uint64_t index)
{
	static const unsigned long minimum[3] = { 2, 8, 16 };
	uint64_t key = rng_stream_key(master, replication, kind, index);

	/*
	 * taus2 keeps its state as three unsigned longs of which the low 32
	 * bits are used; check that the installed GSL still agrees.
	 */
	g_assert(gsl_rng_taus2->size == sizeof s->state);
	s->r.type = gsl_rng_taus2;
	s->r.state = s->state;
	for (int i = 0; i < 3; i++) {
		s->state[i] = (unsigned long)(mix(key + (uint64_t)i) & 0xffffffffu);
		if (s->state[i] < minimum[i])
			s->state[i] += minimum[i];
	}
	for (int i = 0; i < 6; i++)
		gsl_rng_get(&s->r);
}

fc_time_t
rng_time_from_ns(double ns)
{
	/* 2^64 is exact in a double; every double below it fits. */
	if (!(ns > 0))
		return 0;
	if (ns >= 18446744073709551616.0)
		return FC_TIME_NEVER;
	return (fc_time_t)ns;
}
