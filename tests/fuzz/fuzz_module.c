/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_module.c: decode and validate arbitrary bytes as a module, then look
 * at everything introspection offers. Any crash, leak or sanitizer report
 * is a bug; rejecting the input is the expected outcome for most inputs.
 */
#include <stdint.h>
#include <string.h>

#include <wasmd/engine.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_introspection(const we_module *m)
{
	we_importdesc imp;
	we_exportdesc exp;
	const uint8_t *sec;
	size_t len;

	for (uint32_t i = 0; i < we_module_import_count(m); i++)
		we_module_import(m, i, &imp);
	for (uint32_t i = 0; i < we_module_export_count(m); i++) {
		we_module_export(m, i, &exp);
		we_module_find_export(m, exp.name, &exp);
		if (exp.type.kind == WE_EXTERN_FUNC)
			(void)we_module_func_name(m, exp.index);
	}
	(void)we_module_custom_section(m, "name", &sec, &len);
	(void)we_module_name(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	we_error err, err2;
	we_err code = we_validate(data, size, &err);
	we_module *m = we_module_new(data, size, &err2);

	/* Both ways of checking must agree. */
	if ((code == WE_OK) != (m != NULL))
		__builtin_trap();
	if (m != NULL) {
		touch_introspection(m);
		we_module_free(m);
	} else if (err2.message[0] == '\0') {
		__builtin_trap(); /* every rejection says why */
	}
	return 0;
}
