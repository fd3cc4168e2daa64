# SPDX-License-Identifier: Apache-2.0
# daemon_memory: the memory limit holds: a guest growing its memory stops
# at the limit (memory.grow returns -1), and a module whose minimum memory
# exceeds the limit fails with an error that says so. The daemon's
# maximum is enforced too.
. "$IT_LIB"
start_daemon --pool 1 --default-memory 16M --max-memory 32M
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_status 0
run ctl push "$IT_FIXTURES/bigmem.wasm" --name big
expect_status 0

# 1 MiB = 16 pages of 64 KiB.
run ctl run -W max-memory-size=1M --invoke grow grow
expect_status 0
expect_out 16
# Above --max-memory: refused, naming the flag.
run ctl run -W max-memory-size=64M --invoke grow grow
expect_status 1
expect_err_match "max-memory"

run ctl run -W max-memory-size=1M --invoke f big
expect_status 1
expect_err_match "memory"
expect_log_match "export=f outcome=ERR_OUT_OF_MEMORY"

# The default (16 MiB) holds: 256 pages.
run ctl run --invoke grow grow
expect_status 0
expect_out 256

run ctl run -W max-memory-size=8M --invoke f big
expect_status 0
expect_out 1
stop_daemon
