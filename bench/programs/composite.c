/* SPDX-License-Identifier: Apache-2.0 */
/*
 * composite.c: one larger program of mixed work, in the spirit of CoreMark.
 * Each of the n iterations runs every kernel below on inputs derived from
 * the iteration number and folds their results into one checksum:
 *
 *   list      a pool-allocated linked list: build, find, reverse, sort
 *   matrix    16-bit integer matrices: add, scale, vector and matrix products
 *   scanner   a state machine that classifies numbers in generated text
 *   crc       table-driven CRC-32 and bitwise CRC-16
 *   strings   itoa/atoi, comparison, search, case folding, word counting
 *   hash      an open-addressing hash table of short strings
 *   sort      heap sort and an iterative quicksort
 *   expr      a recursive-descent parser and evaluator of expressions
 *   lz        a small LZ77 compressor and its decompressor, round-tripped
 *   tree      a binary search tree with insertion, lookup and traversal
 *   base64    encoding and decoding
 *   fir       a fixed-point FIR filter
 *   bits      popcount, bit reversal and Gray codes
 *
 * Memory is a few static arrays; nothing is allocated at run time.
 */
#include "bench.h"

/* ---- Shared helpers ---------------------------------------------------- */

static uint32_t
str_len(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int
str_cmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

static void
str_copy(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

static uint32_t
checksum_bytes(uint32_t h, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* ---- list: a linked list in a pool --------------------------------------- */

#define LIST_NODES 512

typedef struct list_node {
	struct list_node *next;
	int32_t key;
	int32_t data;
} list_node;

static list_node list_pool[LIST_NODES];

static list_node *
list_build(uint32_t count, uint32_t *seed)
{
	list_node *head = NULL;

	if (count > LIST_NODES)
		count = LIST_NODES;
	for (uint32_t i = 0; i < count; i++) {
		list_node *n = &list_pool[i];

		n->key = (int32_t)(bench_rand(seed) % 1000);
		n->data = (int32_t)i;
		n->next = head;
		head = n;
	}
	return head;
}

static list_node *
list_find(list_node *head, int32_t key)
{
	while (head && head->key != key)
		head = head->next;
	return head;
}

static list_node *
list_reverse(list_node *head)
{
	list_node *prev = NULL;

	while (head) {
		list_node *next = head->next;

		head->next = prev;
		prev = head;
		head = next;
	}
	return prev;
}

static int
list_cmp_key(const list_node *a, const list_node *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->data - b->data;
}

static int
list_cmp_data(const list_node *a, const list_node *b)
{
	return a->data - b->data;
}

/* Bottom-up merge sort, stable, no recursion (as in many list libraries). */
static list_node *
list_sort(list_node *head, int (*cmp)(const list_node *, const list_node *))
{
	uint32_t width = 1;

	if (head == NULL)
		return NULL;
	for (;;) {
		list_node *p = head, *tail = NULL;
		uint32_t merges = 0;

		head = NULL;
		while (p) {
			list_node *q = p;
			uint32_t psize = 0, qsize = width;

			merges++;
			while (q && psize < width)
				psize++, q = q->next;
			while (psize > 0 || (qsize > 0 && q)) {
				list_node *e;

				if (psize == 0) {
					e = q, q = q->next, qsize--;
				} else if (qsize == 0 || !q) {
					e = p, p = p->next, psize--;
				} else if (cmp(p, q) <= 0) {
					e = p, p = p->next, psize--;
				} else {
					e = q, q = q->next, qsize--;
				}
				if (tail)
					tail->next = e;
				else
					head = e;
				tail = e;
			}
			p = q;
		}
		tail->next = NULL;
		if (merges <= 1)
			return head;
		width *= 2;
	}
}

static uint32_t
list_kernel(uint32_t seed)
{
	list_node *head = list_build(200 + seed % 64, &seed);
	uint32_t h = BENCH_CHECKSUM_SEED, found = 0;

	for (int32_t k = 0; k < 1000; k += 37) {
		list_node *n = list_find(head, k);

		if (n)
			found += (uint32_t)n->data;
	}
	h = bench_mix(h, found);
	head = list_reverse(head);
	head = list_sort(head, list_cmp_key);
	for (list_node *n = head; n; n = n->next)
		h = bench_mix(h, (uint32_t)n->key);
	head = list_sort(head, list_cmp_data);
	h = bench_mix(h, (uint32_t)head->data);
	return h;
}

/* ---- matrix: 16-bit integer matrices -------------------------------------- */

#define MAT_N 24

static int16_t mat_a[MAT_N][MAT_N];
static int16_t mat_b[MAT_N][MAT_N];
static int32_t mat_c[MAT_N][MAT_N];
static int16_t vec_v[MAT_N];
static int32_t vec_out[MAT_N];

static void
matrix_init(uint32_t seed)
{
	for (int i = 0; i < MAT_N; i++) {
		for (int j = 0; j < MAT_N; j++) {
			mat_a[i][j] = (int16_t)(bench_rand(&seed) % 256 - 128);
			mat_b[i][j] = (int16_t)(bench_rand(&seed) % 256 - 128);
		}
		vec_v[i] = (int16_t)(bench_rand(&seed) % 64);
	}
}

static void
matrix_add_const(int16_t k)
{
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++)
			mat_a[i][j] = (int16_t)(mat_a[i][j] + k);
}

static void
matrix_mul_const(int16_t k)
{
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++)
			mat_c[i][j] = (int32_t)mat_a[i][j] * k;
}

static void
matrix_mul_vec(void)
{
	for (int i = 0; i < MAT_N; i++) {
		int32_t sum = 0;

		for (int j = 0; j < MAT_N; j++)
			sum += (int32_t)mat_a[i][j] * vec_v[j];
		vec_out[i] = sum;
	}
}

static void
matrix_mul_mat(void)
{
	for (int i = 0; i < MAT_N; i++) {
		for (int j = 0; j < MAT_N; j++) {
			int32_t sum = 0;

			for (int k = 0; k < MAT_N; k++)
				sum += (int32_t)mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = sum;
		}
	}
}

/* A product where only some bits of each term count (CoreMark has one). */
static void
matrix_mul_bits(void)
{
	for (int i = 0; i < MAT_N; i++) {
		for (int j = 0; j < MAT_N; j++) {
			int32_t sum = 0;

			for (int k = 0; k < MAT_N; k++) {
				int32_t t = (int32_t)mat_a[i][k] * mat_b[k][j];

				sum += (t >> 2) & 0xf;
				sum += (t >> 5) & 0x7f;
			}
			mat_c[i][j] = sum;
		}
	}
}

static uint32_t
matrix_sum(uint32_t h)
{
	int32_t total = 0;

	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++)
			total += mat_c[i][j] > 1000 ? 1 : mat_c[i][j] & 7;
	return bench_mix(h, (uint32_t)total);
}

static uint32_t
matrix_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	matrix_init(seed);
	matrix_add_const((int16_t)(seed & 15));
	matrix_mul_const((int16_t)(seed % 7 + 1));
	h = matrix_sum(h);
	matrix_mul_vec();
	for (int i = 0; i < MAT_N; i++)
		h = bench_mix(h, (uint32_t)vec_out[i]);
	matrix_mul_mat();
	h = matrix_sum(h);
	matrix_mul_bits();
	return matrix_sum(h);
}

/* ---- scanner: a number-classifying state machine -------------------------- */

enum scan_state {
	SCAN_START,
	SCAN_INT,
	SCAN_SIGN,
	SCAN_DOT,
	SCAN_FRAC,
	SCAN_EXP,
	SCAN_EXP_SIGN,
	SCAN_EXP_DIGITS,
	SCAN_HEX_PREFIX,
	SCAN_HEX,
	SCAN_INVALID,
	SCAN_NSTATES
};

#define SCAN_TEXT 1024

static char scan_text[SCAN_TEXT + 1];

/* Generates words made of digits, signs, dots, e/E, x and letters. */
static void
scan_generate(uint32_t seed)
{
	static const char alphabet[] = "0123456789+-.eExabz0123456789";
	uint32_t i = 0;

	while (i < SCAN_TEXT) {
		uint32_t wlen = bench_rand(&seed) % 8 + 1;

		for (uint32_t k = 0; k < wlen && i < SCAN_TEXT; k++)
			scan_text[i++] =
			    alphabet[bench_rand(&seed) % (sizeof alphabet - 1)];
		if (i < SCAN_TEXT)
			scan_text[i++] = (bench_rand(&seed) & 1) ? ' ' : ',';
	}
	scan_text[SCAN_TEXT] = 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex_digit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static enum scan_state
scan_step(enum scan_state s, char c, uint32_t *transitions)
{
	enum scan_state next = SCAN_INVALID;

	switch (s) {
	case SCAN_START:
		if (c == '0')
			next = SCAN_HEX_PREFIX;
		else if (is_digit(c))
			next = SCAN_INT;
		else if (c == '+' || c == '-')
			next = SCAN_SIGN;
		else if (c == '.')
			next = SCAN_DOT;
		break;
	case SCAN_HEX_PREFIX:
		if (c == 'x')
			next = SCAN_HEX;
		else if (is_digit(c))
			next = SCAN_INT;
		else if (c == '.')
			next = SCAN_FRAC;
		else if (c == 'e' || c == 'E')
			next = SCAN_EXP;
		break;
	case SCAN_HEX:
		if (is_hex_digit(c))
			next = SCAN_HEX;
		break;
	case SCAN_SIGN:
		if (is_digit(c))
			next = SCAN_INT;
		else if (c == '.')
			next = SCAN_DOT;
		break;
	case SCAN_INT:
		if (is_digit(c))
			next = SCAN_INT;
		else if (c == '.')
			next = SCAN_FRAC;
		else if (c == 'e' || c == 'E')
			next = SCAN_EXP;
		break;
	case SCAN_DOT:
		if (is_digit(c))
			next = SCAN_FRAC;
		break;
	case SCAN_FRAC:
		if (is_digit(c))
			next = SCAN_FRAC;
		else if (c == 'e' || c == 'E')
			next = SCAN_EXP;
		break;
	case SCAN_EXP:
		if (c == '+' || c == '-')
			next = SCAN_EXP_SIGN;
		else if (is_digit(c))
			next = SCAN_EXP_DIGITS;
		break;
	case SCAN_EXP_SIGN:
	case SCAN_EXP_DIGITS:
		if (is_digit(c))
			next = SCAN_EXP_DIGITS;
		break;
	default: break;
	}
	if (next != s)
		transitions[s]++;
	return next;
}

static uint32_t
scanner_kernel(uint32_t seed)
{
	uint32_t finals[SCAN_NSTATES] = {0};
	uint32_t transitions[SCAN_NSTATES] = {0};
	uint32_t h = BENCH_CHECKSUM_SEED;
	enum scan_state s = SCAN_START;

	scan_generate(seed);
	for (const char *p = scan_text;; p++) {
		if (*p == ' ' || *p == ',' || *p == 0) {
			finals[s]++;
			s = SCAN_START;
			if (*p == 0)
				break;
			continue;
		}
		s = scan_step(s, *p, transitions);
	}
	for (int i = 0; i < SCAN_NSTATES; i++) {
		h = bench_mix(h, finals[i]);
		h = bench_mix(h, transitions[i]);
	}
	return h;
}

/* ---- crc: CRC-32 (table) and CRC-16 (bitwise) ----------------------------- */

static uint32_t crc32_table[256];
static int crc32_ready;

static void
crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
	crc32_ready = 1;
}

static uint32_t
crc32_update(uint32_t crc, const uint8_t *p, uint32_t len)
{
	if (!crc32_ready)
		crc32_init();
	crc = ~crc;
	for (uint32_t i = 0; i < len; i++)
		crc = crc32_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint16_t
crc16_update(uint16_t crc, uint8_t byte)
{
	crc ^= (uint16_t)byte << 8;
	for (int k = 0; k < 8; k++) {
		if (crc & 0x8000)
			crc = (uint16_t)((crc << 1) ^ 0x1021);
		else
			crc = (uint16_t)(crc << 1);
	}
	return crc;
}

static uint16_t
crc16_u32(uint16_t crc, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		crc = crc16_update(crc, (uint8_t)(v >> (8 * i)));
	return crc;
}

static uint32_t
crc_kernel(uint32_t seed, uint32_t h)
{
	uint16_t c16 = 0xffff;

	for (int i = 0; i < 64; i++)
		c16 = crc16_u32(c16, bench_rand(&seed));
	h = bench_mix(
	    h, crc32_update(0, (const uint8_t *)scan_text, SCAN_TEXT));
	return bench_mix(h, c16);
}

/* ---- strings: conversions, search and case -------------------------------- */

#define STR_BUF 2048

static char str_buf[STR_BUF];
static char str_tmp[64];

static uint32_t
u32_to_text(uint32_t v, char *out)
{
	char rev[12];
	uint32_t n = 0, len = 0;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[len++] = rev[--n];
	out[len] = 0;
	return len;
}

static uint32_t
text_to_u32(const char *s)
{
	uint32_t v = 0;

	while (is_digit(*s))
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static uint32_t
hex_text(uint32_t v, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++)
		out[i] = digits[(v >> (28 - 4 * i)) & 15];
	out[8] = 0;
	return 8;
}

/* Builds "word123 WORD456 ..." text from numbers and fixed words. */
static uint32_t
str_generate(uint32_t seed)
{
	static const char *const words[] = {"alpha", "Bravo", "charlie",
	    "DELTA", "echo", "foxtrot", "Golf", "hotel"};
	uint32_t len = 0;

	while (len + 40 < STR_BUF) {
		const char *w = words[bench_rand(&seed) % 8];
		uint32_t wl = str_len(w);

		str_copy(&str_buf[len], w);
		len += wl;
		if (bench_rand(&seed) & 1)
			len += u32_to_text(
			    bench_rand(&seed) % 100000, &str_buf[len]);
		else
			len += hex_text(bench_rand(&seed), &str_buf[len]);
		str_buf[len++] = ' ';
	}
	str_buf[len] = 0;
	return len;
}

static void
str_upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static uint32_t
str_count_words(const char *s)
{
	uint32_t words = 0;
	int in_word = 0;

	for (; *s; s++) {
		if (*s == ' ') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
	}
	return words;
}

/* Boyer-Moore-Horspool: counts occurrences of needle in hay. */
static uint32_t
str_search_count(const char *hay, uint32_t hlen, const char *needle)
{
	uint32_t skip[256];
	uint32_t nlen = str_len(needle), count = 0, pos = 0;

	if (nlen == 0 || nlen > hlen)
		return 0;
	for (int i = 0; i < 256; i++)
		skip[i] = nlen;
	for (uint32_t i = 0; i + 1 < nlen; i++)
		skip[(unsigned char)needle[i]] = nlen - 1 - i;
	while (pos + nlen <= hlen) {
		uint32_t k = nlen;

		while (k > 0 && hay[pos + k - 1] == needle[k - 1])
			k--;
		if (k == 0)
			count++;
		pos += skip[(unsigned char)hay[pos + nlen - 1]];
	}
	return count;
}

static uint32_t
str_sum_numbers(const char *s)
{
	uint32_t sum = 0;

	while (*s) {
		if (is_digit(*s)) {
			sum += text_to_u32(s);
			while (is_digit(*s))
				s++;
		} else {
			s++;
		}
	}
	return sum;
}

static uint32_t
strings_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED;
	uint32_t len = str_generate(seed);

	h = bench_mix(h, str_count_words(str_buf));
	h = bench_mix(h, str_search_count(str_buf, len, "echo"));
	h = bench_mix(h, str_search_count(str_buf, len, "lta"));
	h = bench_mix(h, str_sum_numbers(str_buf));
	str_upper(str_buf);
	h = bench_mix(h, str_search_count(str_buf, len, "ECHO"));
	u32_to_text(seed, str_tmp);
	h = bench_mix(h, (uint32_t)str_cmp(str_tmp, "2000000000"));
	h = bench_mix(h, text_to_u32(str_tmp));
	return checksum_bytes(h, (const uint8_t *)str_buf, len);
}

/* ---- hash: open addressing over short strings ----------------------------- */

#define HASH_SLOTS 512
#define HASH_KEY 12

typedef struct hash_slot {
	char key[HASH_KEY];
	uint32_t value;
	uint8_t state; /* 0 empty, 1 used, 2 deleted */
} hash_slot;

static hash_slot hash_table[HASH_SLOTS];

static uint32_t
hash_string(const char *s)
{
	uint32_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void
hash_clear(void)
{
	for (int i = 0; i < HASH_SLOTS; i++)
		hash_table[i].state = 0;
}

static hash_slot *
hash_lookup(const char *key, int for_insert)
{
	uint32_t i = hash_string(key) & (HASH_SLOTS - 1);
	hash_slot *tomb = NULL;

	for (uint32_t probes = 0; probes < HASH_SLOTS; probes++) {
		hash_slot *s = &hash_table[i];

		if (s->state == 0)
			return for_insert ? (tomb ? tomb : s) : NULL;
		if (s->state == 2) {
			if (!tomb)
				tomb = s;
		} else if (str_cmp(s->key, key) == 0) {
			return s;
		}
		i = (i + probes + 1) & (HASH_SLOTS - 1);
	}
	return for_insert ? tomb : NULL;
}

static int
hash_put(const char *key, uint32_t value)
{
	hash_slot *s = hash_lookup(key, 1);

	if (s == NULL)
		return 0;
	if (s->state != 1) {
		str_copy(s->key, key);
		s->state = 1;
		s->value = 0;
	}
	s->value += value;
	return 1;
}

static int
hash_remove(const char *key)
{
	hash_slot *s = hash_lookup(key, 0);

	if (s == NULL)
		return 0;
	s->state = 2;
	return 1;
}

static uint32_t
hash_kernel(uint32_t seed)
{
	char key[HASH_KEY];
	uint32_t h = BENCH_CHECKSUM_SEED, hits = 0, removed = 0;

	hash_clear();
	for (int i = 0; i < 600; i++) {
		key[0] = 'k';
		u32_to_text(bench_rand(&seed) % 400, &key[1]);
		hash_put(key, (uint32_t)i);
	}
	for (int i = 0; i < 400; i += 3) {
		key[0] = 'k';
		u32_to_text((uint32_t)i, &key[1]);
		removed += (uint32_t)hash_remove(key);
	}
	for (int i = 0; i < 400; i++) {
		hash_slot *s;

		key[0] = 'k';
		u32_to_text((uint32_t)i, &key[1]);
		s = hash_lookup(key, 0);
		if (s) {
			hits++;
			h = bench_mix(h, s->value);
		}
	}
	h = bench_mix(h, hits);
	return bench_mix(h, removed);
}

/* ---- sort: heap sort and quicksort ---------------------------------------- */

#define SORT_N 1024

static int32_t sort_a[SORT_N];
static int32_t sort_b[SORT_N];

static void
sift_down(int32_t *v, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;
		int32_t t;

		if (child >= n)
			return;
		if (child + 1 < n && v[child] < v[child + 1])
			child++;
		if (v[root] >= v[child])
			return;
		t = v[root], v[root] = v[child], v[child] = t;
		root = child;
	}
}

static void
heap_sort(int32_t *v, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (uint32_t end = n; end-- > 1;) {
		int32_t t = v[0];

		v[0] = v[end], v[end] = t;
		sift_down(v, 0, end);
	}
}

static uint32_t
partition(int32_t *v, uint32_t lo, uint32_t hi)
{
	int32_t pivot = v[lo + (hi - lo) / 2];
	uint32_t i = lo, j = hi;

	for (;;) {
		while (v[i] < pivot)
			i++;
		while (v[j] > pivot)
			j--;
		if (i >= j)
			return j;
		int32_t t = v[i];

		v[i] = v[j], v[j] = t;
		i++, j--;
	}
}

/* Hoare quicksort with an explicit stack; small ranges by insertion. */
static void
quick_sort(int32_t *v, uint32_t n)
{
	uint32_t stack[128];
	uint32_t sp = 0;

	if (n < 2)
		return;
	stack[sp++] = 0, stack[sp++] = n - 1;
	while (sp) {
		uint32_t hi = stack[--sp], lo = stack[--sp];

		if (hi - lo < 12) {
			for (uint32_t i = lo + 1; i <= hi; i++) {
				int32_t x = v[i];
				uint32_t j = i;

				while (j > lo && v[j - 1] > x) {
					v[j] = v[j - 1];
					j--;
				}
				v[j] = x;
			}
			continue;
		}
		uint32_t p = partition(v, lo, hi);

		if (sp + 4 > 128)
			return; /* cannot happen with this input size */
		stack[sp++] = lo, stack[sp++] = p;
		stack[sp++] = p + 1, stack[sp++] = hi;
	}
}

static uint32_t
sort_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED, diffs = 0;

	for (int i = 0; i < SORT_N; i++)
		sort_a[i] = sort_b[i] =
		    (int32_t)(bench_rand(&seed) % 100000) - 50000;
	heap_sort(sort_a, SORT_N);
	quick_sort(sort_b, SORT_N);
	for (int i = 0; i < SORT_N; i++)
		diffs += sort_a[i] != sort_b[i];
	for (int i = 0; i < SORT_N; i += 31)
		h = bench_mix(h, (uint32_t)sort_a[i]);
	return bench_mix(h, diffs);
}

/* ---- expr: recursive-descent expressions ---------------------------------- */

#define EXPR_TEXT 512

static char expr_text[EXPR_TEXT];

typedef struct expr_parser {
	const char *p;
	int32_t vars[4];
	uint32_t errors;
} expr_parser;

static int32_t expr_sum(expr_parser *ps);

static void
expr_skip(expr_parser *ps)
{
	while (*ps->p == ' ')
		ps->p++;
}

static int32_t
expr_atom(expr_parser *ps)
{
	int32_t v = 0;

	expr_skip(ps);
	if (*ps->p == '(') {
		ps->p++;
		v = expr_sum(ps);
		expr_skip(ps);
		if (*ps->p == ')')
			ps->p++;
		else
			ps->errors++;
	} else if (*ps->p == '-') {
		ps->p++;
		v = (int32_t)(0u - (uint32_t)expr_atom(ps));
	} else if (*ps->p >= 'a' && *ps->p <= 'd') {
		v = ps->vars[*ps->p - 'a'];
		ps->p++;
	} else if (is_digit(*ps->p)) {
		while (is_digit(*ps->p))
			v = v * 10 + (*ps->p++ - '0');
	} else {
		ps->errors++;
		if (*ps->p)
			ps->p++;
	}
	return v;
}

static int32_t
expr_product(expr_parser *ps)
{
	int32_t v = expr_atom(ps);

	for (;;) {
		char op;
		int32_t r;

		expr_skip(ps);
		op = *ps->p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		ps->p++;
		r = expr_atom(ps);
		if (op == '*')
			v = (int32_t)((uint32_t)v * (uint32_t)r);
		else if (r == 0 || (v == INT32_MIN && r == -1))
			ps->errors++;
		else if (op == '/')
			v /= r;
		else
			v %= r;
	}
}

static int32_t
expr_sum(expr_parser *ps)
{
	int32_t v = expr_product(ps);

	for (;;) {
		char op;
		int32_t r;

		expr_skip(ps);
		op = *ps->p;
		if (op != '+' && op != '-')
			return v;
		ps->p++;
		r = expr_product(ps);
		if (op == '+')
			v = (int32_t)((uint32_t)v + (uint32_t)r);
		else
			v = (int32_t)((uint32_t)v - (uint32_t)r);
	}
}

/* Writes a random expression of the given depth; returns its length. */
static uint32_t
expr_generate(char *out, uint32_t room, uint32_t depth, uint32_t *seed)
{
	static const char ops[] = "+-*/%+*";
	uint32_t len = 0, r = bench_rand(seed);

	if (room < 24)
		return 0;
	if (depth == 0 || r % 5 == 0) {
		if (r & 8)
			out[len++] = (char)('a' + (r >> 4) % 4);
		else
			len += u32_to_text((r >> 4) % 1000, out);
		return len;
	}
	out[len++] = '(';
	len += expr_generate(out + len, room - len - 8, depth - 1, seed);
	out[len++] = ' ';
	out[len++] = ops[(r >> 8) % 7];
	out[len++] = ' ';
	len += expr_generate(out + len, room - len - 4, depth - 1, seed);
	if (out[len - 1] == ' ')
		out[len++] = '1';
	out[len++] = ')';
	return len;
}

static uint32_t
expr_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	for (int round = 0; round < 6; round++) {
		expr_parser ps;
		uint32_t len =
		    expr_generate(expr_text, EXPR_TEXT - 1, 6, &seed);

		expr_text[len] = 0;
		ps.p = expr_text;
		ps.errors = 0;
		for (int i = 0; i < 4; i++)
			ps.vars[i] = (int32_t)(bench_rand(&seed) % 50) + 1;
		h = bench_mix(h, (uint32_t)expr_sum(&ps));
		h = bench_mix(h, ps.errors);
	}
	return h;
}

/* ---- lz: a small LZ77 round trip ------------------------------------------ */

#define LZ_INPUT 4096
#define LZ_WINDOW 1024
#define LZ_MIN_MATCH 3
#define LZ_MAX_MATCH 18
#define LZ_HASH 1024

static uint8_t lz_in[LZ_INPUT];
static uint8_t lz_packed[LZ_INPUT * 2];
static uint8_t lz_out[LZ_INPUT];
static int32_t lz_head[LZ_HASH];

static void
lz_generate(uint32_t seed)
{
	/* Repetitive text so there is something to find. */
	uint32_t i = 0;

	while (i < LZ_INPUT) {
		uint32_t r = bench_rand(&seed);

		if ((r & 3) != 0 && i > 64) {
			uint32_t dist = (r >> 2) % 60 + 4, len = (r >> 8) % 20;

			for (uint32_t k = 0; k < len && i < LZ_INPUT; k++, i++)
				lz_in[i] = lz_in[i - dist];
		} else {
			lz_in[i++] = (uint8_t)('a' + (r >> 16) % 26);
		}
	}
}

static uint32_t
lz_hash3(const uint8_t *p)
{
	return ((uint32_t)p[0] << 10 ^ (uint32_t)p[1] << 5 ^ p[2]) &
	    (LZ_HASH - 1);
}

/*
 * Output: a flag byte per 8 items; literal items are one byte, matches are
 * two bytes (10-bit distance, 4-bit length minus LZ_MIN_MATCH).
 */
static uint32_t
lz_compress(const uint8_t *in, uint32_t len, uint8_t *out)
{
	uint32_t ip = 0, op = 0, flag_pos = 0, item = 8;

	for (int i = 0; i < LZ_HASH; i++)
		lz_head[i] = -1;
	while (ip < len) {
		uint32_t best_len = 0, best_dist = 0;

		if (item == 8) {
			flag_pos = op++;
			out[flag_pos] = 0;
			item = 0;
		}
		if (ip + LZ_MIN_MATCH <= len) {
			uint32_t hsh = lz_hash3(&in[ip]);
			int32_t cand = lz_head[hsh];

			if (cand >= 0 && ip - (uint32_t)cand < LZ_WINDOW) {
				uint32_t l = 0;

				while (l < LZ_MAX_MATCH && ip + l < len &&
				    in[(uint32_t)cand + l] == in[ip + l])
					l++;
				if (l >= LZ_MIN_MATCH)
					best_len = l,
					best_dist = ip - (uint32_t)cand;
			}
			lz_head[hsh] = (int32_t)ip;
		}
		if (best_len) {
			out[flag_pos] |= (uint8_t)(1u << item);
			out[op++] = (uint8_t)(best_dist & 0xff);
			out[op++] = (uint8_t)((best_dist >> 8) << 4 |
			    (best_len - LZ_MIN_MATCH));
			ip += best_len;
		} else {
			out[op++] = in[ip++];
		}
		item++;
	}
	return op;
}

static uint32_t
lz_decompress(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t room)
{
	uint32_t ip = 0, op = 0;

	while (ip < len) {
		uint8_t flags = in[ip++];

		for (int item = 0; item < 8 && ip < len; item++) {
			if (flags & (1u << item)) {
				uint32_t dist, mlen;

				if (ip + 2 > len)
					return op;
				dist =
				    in[ip] | (uint32_t)(in[ip + 1] >> 4) << 8;
				mlen = (in[ip + 1] & 15u) + LZ_MIN_MATCH;
				ip += 2;
				if (dist == 0 || dist > op || op + mlen > room)
					return op;
				for (uint32_t k = 0; k < mlen; k++, op++)
					out[op] = out[op - dist];
			} else {
				if (op >= room)
					return op;
				out[op++] = in[ip++];
			}
		}
	}
	return op;
}

static uint32_t
lz_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED, packed, unpacked, same = 1;

	lz_generate(seed);
	packed = lz_compress(lz_in, LZ_INPUT, lz_packed);
	unpacked = lz_decompress(lz_packed, packed, lz_out, LZ_INPUT);
	for (uint32_t i = 0; i < LZ_INPUT; i++)
		same &= lz_in[i] == lz_out[i];
	h = bench_mix(h, packed);
	h = bench_mix(h, unpacked);
	h = bench_mix(h, same);
	return checksum_bytes(h, lz_packed, packed);
}

/* ---- tree: a binary search tree in a pool --------------------------------- */

#define TREE_NODES 1024

typedef struct tree_node {
	int32_t left, right; /* indices into tree_pool, -1 for none */
	uint32_t key;
	uint32_t count;
} tree_node;

static tree_node tree_pool[TREE_NODES];
static uint32_t tree_used;

static int32_t
tree_insert(int32_t root, uint32_t key)
{
	int32_t *link = &root;

	while (*link >= 0) {
		tree_node *n = &tree_pool[*link];

		if (key == n->key) {
			n->count++;
			return root;
		}
		link = key < n->key ? &n->left : &n->right;
	}
	if (tree_used >= TREE_NODES)
		return root;
	tree_pool[tree_used] = (tree_node){-1, -1, key, 1};
	*link = (int32_t)tree_used++;
	return root;
}

static uint32_t
tree_lookup(int32_t root, uint32_t key)
{
	while (root >= 0) {
		const tree_node *n = &tree_pool[root];

		if (key == n->key)
			return n->count;
		root = key < n->key ? n->left : n->right;
	}
	return 0;
}

/* In-order traversal with an explicit stack; folds keys and depths. */
static uint32_t
tree_walk(int32_t root, uint32_t h)
{
	int32_t stack[TREE_NODES];
	uint32_t sp = 0, prev = 0, ordered = 1;
	int32_t cur = root;

	while (cur >= 0 || sp > 0) {
		while (cur >= 0) {
			stack[sp++] = cur;
			cur = tree_pool[cur].left;
		}
		cur = stack[--sp];
		ordered &= tree_pool[cur].key >= prev;
		prev = tree_pool[cur].key;
		h = bench_mix(h, prev + tree_pool[cur].count);
		cur = tree_pool[cur].right;
	}
	return bench_mix(h, ordered);
}

static uint32_t
tree_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED, found = 0;
	int32_t root = -1;

	tree_used = 0;
	for (int i = 0; i < 900; i++)
		root = tree_insert(root, bench_rand(&seed) % 2048);
	for (uint32_t k = 0; k < 2048; k += 5)
		found += tree_lookup(root, k);
	h = bench_mix(h, found);
	return tree_walk(root, h);
}

/* ---- base64 ---------------------------------------------------------------- */

#define B64_INPUT 768

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static uint8_t b64_raw[B64_INPUT];
static char b64_text[B64_INPUT * 4 / 3 + 4];
static uint8_t b64_back[B64_INPUT];

static uint32_t
b64_encode(const uint8_t *in, uint32_t len, char *out)
{
	uint32_t op = 0, i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[op++] = b64_alphabet[v >> 18];
		out[op++] = b64_alphabet[(v >> 12) & 63];
		out[op++] = b64_alphabet[(v >> 6) & 63];
		out[op++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[op++] = b64_alphabet[v >> 18];
		out[op++] = b64_alphabet[(v >> 12) & 63];
		out[op++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[op++] = '=';
	}
	out[op] = 0;
	return op;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static uint32_t
b64_decode(const char *in, uint32_t len, uint8_t *out)
{
	uint32_t op = 0;

	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]), d = b64_value(in[i + 3]);

		if (a < 0 || b < 0)
			return op;
		out[op++] = (uint8_t)(a << 2 | b >> 4);
		if (c < 0)
			return op;
		out[op++] = (uint8_t)((b & 15) << 4 | c >> 2);
		if (d < 0)
			return op;
		out[op++] = (uint8_t)((c & 3) << 6 | d);
	}
	return op;
}

static uint32_t
base64_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED, len = B64_INPUT - seed % 3;
	uint32_t tlen, blen, same = 1;

	for (uint32_t i = 0; i < len; i++)
		b64_raw[i] = (uint8_t)bench_rand(&seed);
	tlen = b64_encode(b64_raw, len, b64_text);
	blen = b64_decode(b64_text, tlen, b64_back);
	for (uint32_t i = 0; i < len && i < blen; i++)
		same &= b64_raw[i] == b64_back[i];
	h = bench_mix(h, tlen);
	h = bench_mix(h, blen);
	h = bench_mix(h, same);
	return checksum_bytes(h, (const uint8_t *)b64_text, 64);
}

/* ---- fir: a fixed-point filter --------------------------------------------- */

#define FIR_TAPS 16
#define FIR_SAMPLES 1024

static int16_t fir_in[FIR_SAMPLES];
static int16_t fir_out[FIR_SAMPLES];

static uint32_t
fir_kernel(uint32_t seed)
{
	/* Q15 low-pass taps, symmetric. */
	static const int16_t taps[FIR_TAPS] = {-120, -210, 0, 820, 2300, 4100,
	    5600, 6200, 6200, 5600, 4100, 2300, 820, 0, -210, -120};
	uint32_t h = BENCH_CHECKSUM_SEED;
	int32_t phase = 0;

	for (int i = 0; i < FIR_SAMPLES; i++) {
		phase += (int32_t)(seed % 97) + 300;
		/* A triangle wave plus noise. */
		int32_t tri = (phase & 0x7fff) - 0x4000;

		if (phase & 0x8000)
			tri = -tri;
		fir_in[i] = (int16_t)(tri / 2 +
		    (int32_t)(bench_rand(&seed) % 2048) - 1024);
	}
	for (int i = 0; i < FIR_SAMPLES; i++) {
		int32_t acc = 0;

		for (int t = 0; t < FIR_TAPS; t++) {
			int idx = i - t;

			if (idx >= 0)
				acc += (int32_t)taps[t] * fir_in[idx];
		}
		acc >>= 15;
		if (acc > 32767)
			acc = 32767;
		if (acc < -32768)
			acc = -32768;
		fir_out[i] = (int16_t)acc;
	}
	for (int i = 0; i < FIR_SAMPLES; i += 8)
		h = bench_mix(h, (uint32_t)(uint16_t)fir_out[i]);
	return h;
}

/* ---- bits ------------------------------------------------------------------ */

static uint32_t
bit_count(uint32_t v)
{
	uint32_t c = 0;

	while (v) {
		v &= v - 1;
		c++;
	}
	return c;
}

static uint32_t
bit_reverse(uint32_t v)
{
	v = (v >> 1 & 0x55555555u) | (v & 0x55555555u) << 1;
	v = (v >> 2 & 0x33333333u) | (v & 0x33333333u) << 2;
	v = (v >> 4 & 0x0f0f0f0fu) | (v & 0x0f0f0f0fu) << 4;
	v = (v >> 8 & 0x00ff00ffu) | (v & 0x00ff00ffu) << 8;
	return v >> 16 | v << 16;
}

static uint32_t
gray_decode(uint32_t g)
{
	for (uint32_t shift = 1; shift < 32; shift <<= 1)
		g ^= g >> shift;
	return g;
}

static uint32_t
bits_kernel(uint32_t seed)
{
	uint32_t h = BENCH_CHECKSUM_SEED, pop = 0, ok = 1;

	for (int i = 0; i < 512; i++) {
		uint32_t v = bench_rand(&seed);
		uint32_t gray = v ^ (v >> 1);

		pop += bit_count(v);
		ok &= gray_decode(gray) == v;
		ok &= bit_reverse(bit_reverse(v)) == v;
		h = bench_mix(h, bit_reverse(v) ^ gray);
	}
	h = bench_mix(h, pop);
	return bench_mix(h, ok);
}

/* ---- the driver ------------------------------------------------------------ */

typedef uint32_t (*kernel_fn)(uint32_t seed);

static const kernel_fn kernels[] = {list_kernel, matrix_kernel, scanner_kernel,
    strings_kernel, hash_kernel, sort_kernel, expr_kernel, lz_kernel,
    tree_kernel, base64_kernel, fir_kernel, bits_kernel};

#define NKERNELS (sizeof kernels / sizeof kernels[0])

uint32_t
run(int32_t n)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	crc32_ready = 0;
	for (int32_t iter = 0; iter < n; iter++) {
		uint32_t seed = 0x2545f491u ^ ((uint32_t)iter * 0x9e3779b9u);
		uint32_t round = BENCH_CHECKSUM_SEED;

		if (seed == 0)
			seed = 1;
		for (uint32_t k = 0; k < NKERNELS; k++)
			round = bench_mix(round, kernels[k](seed + k));
		/* The scanner's text is still in place for the CRC. */
		round = crc_kernel(seed, round);
		h = bench_mix(h, round);
	}
	return h;
}

BENCH_SIZES(200, 5)
