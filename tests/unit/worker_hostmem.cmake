# SPDX-License-Identifier: Apache-2.0
# tests/unit/worker_hostmem.cmake: worker/hostmem.c, guest memory for host
# functions served by the client (label unit): bounds checks of reads,
# writes, (ptr, len) arguments and reply writes; the exported memory.
wasmd_unit_test(worker_hostmem_test
    SOURCES worker_hostmem_test.c
    LIBS wasmd-worker-job)
