# SPDX-License-Identifier: Apache-2.0
# engine_snapshot.cmake: unit tests of snapshots (engine/snapshot.c); the
# modules are text, converted in the test by libwasmd-wat.
wasmd_unit_test(engine_snapshot_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_snapshot_test.c"
    LIBS wasmd-wat wasmd-engine-static)
