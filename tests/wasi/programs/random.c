/* SPDX-License-Identifier: Apache-2.0 */
/*
 * random.c: 16 random bytes as hex (two runs must differ), then what a
 * Rust HashMap does with random_get: a hash table whose hash function is
 * keyed by random seeds, filled and looked up; its summary line is the
 * same whatever the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NBUCKETS 64
#define NKEYS 2000

typedef struct entry {
	uint64_t key, value;
	struct entry *next;
} entry;

static uint64_t seed0, seed1;

/* A keyed mix (a SipHash-like round without the rigor). */
static uint64_t
hash(uint64_t k)
{
	uint64_t h = k ^ seed0;

	h = (h ^ (h >> 31)) * 0x9e3779b97f4a7c15ULL;
	h ^= seed1;
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

static int
hash_map_check(void)
{
	entry *buckets[NBUCKETS] = {0}, *e;
	uint64_t sum = 0;
	int found = 0;

	for (uint64_t k = 0; k < NKEYS; k++) {
		e = malloc(sizeof *e);
		if (e == NULL)
			return 1;
		e->key = k * 7919;
		e->value = k * k;
		e->next = buckets[hash(e->key) % NBUCKETS];
		buckets[hash(e->key) % NBUCKETS] = e;
	}
	for (uint64_t k = 0; k < NKEYS; k++)
		for (e = buckets[hash(k * 7919) % NBUCKETS]; e; e = e->next)
			if (e->key == k * 7919) {
				found++;
				sum += e->value;
				break;
			}
	printf("hashmap: %d of %d found, sum %llu\n", found, NKEYS,
	    (unsigned long long)sum);
	for (int b = 0; b < NBUCKETS; b++)
		while ((e = buckets[b]) != NULL) {
			buckets[b] = e->next;
			free(e);
		}
	return 0;
}

int
main(void)
{
	unsigned char bytes[16];
	uint64_t seeds[2];

	if (getentropy(bytes, sizeof bytes) != 0 ||
	    getentropy(seeds, sizeof seeds) != 0) {
		perror("getentropy");
		return 1;
	}
	seed0 = seeds[0];
	seed1 = seeds[1];
	for (size_t i = 0; i < sizeof bytes; i++)
		printf("%02x", bytes[i]);
	printf("\n");
	return hash_map_check();
}
