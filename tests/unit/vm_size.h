/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vm_size.h: for the unit tests that put memory growth under RLIMIT_AS
 * (engine_runtime_test.c, engine_template_test.c): whether the build runs
 * under AddressSanitizer, whose terabytes of shadow memory cannot live
 * under a small RLIMIT_AS (UNDER_ASAN), and otherwise vm_size(), the
 * process's virtual size, to set a limit just above it. Include after
 * <check.h>, <stdio.h> and <stdlib.h>.
 */
#ifndef WASMD_TESTS_VM_SIZE_H
#define WASMD_TESTS_VM_SIZE_H

#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef UNDER_ASAN
/* The process's current virtual size in bytes, from /proc/self/statm. */
static inline uint64_t
vm_size(void)
{
	char line[128] = "";
	FILE *f = fopen("/proc/self/statm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	uint64_t pages = strtoull(line, NULL, 10);
	ck_assert_uint_gt(pages, 0);
	return pages * 4096;
}
#endif

#endif /* WASMD_TESTS_VM_SIZE_H */
