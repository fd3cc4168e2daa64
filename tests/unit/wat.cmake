# SPDX-License-Identifier: Apache-2.0
# wat: libwasmd-wat, the text format to binary (wat/), run through the
# engine: the abbreviations, numbers, errors with their positions.
wasmd_unit_test(wat_test SOURCES wat_test.c
    LIBS wasmd-wat wasmd-engine-static)
