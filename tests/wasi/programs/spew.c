/* SPDX-License-Identifier: Apache-2.0 */
/* spew.c: writes to stdout without end (for the output limit). */
#include <stdio.h>

int
main(void)
{
	for (;;)
		fputs(
		    "y y y y y y y y y y y y y y y y y y y y y y y y y y y y\n",
		    stdout);
}
