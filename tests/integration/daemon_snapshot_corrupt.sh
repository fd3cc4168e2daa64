# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_corrupt: a stored snapshot damaged on disk is never
# trusted: a changed byte is refused by the worker (checksum), a cut file
# by the supervisor (size), each with an error saying how to recover; the
# daemon keeps serving (--no-snapshot, other modules), and pushing the
# module again with its initializer makes a good snapshot.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 0
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
snap=$(ls "$STATE"/tenants/uid:"$(id -u)"/snapshots/*)

# One byte flipped, the size unchanged.
size=$(stat -c %s "$snap")
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$snap" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
	dd of="$snap" bs=1 seek=$((size / 2)) conv=notrunc status=none
run ctl run --invoke get si
expect_status 1
expect_err_match "stored snapshot of module .* is refused.*--no-snapshot"
run ctl run --no-snapshot --invoke get si
expect_status 0
expect_out 1
run ctl run --invoke add add 2 3
expect_status 0
expect_out 5

# Cut short.
truncate -s 100 "$snap"
run ctl run --invoke get si
expect_status 1
expect_err_match "is refused: its file is 100 bytes"
run ctl run --invoke add add 4 4
expect_status 0
expect_out 8

run ctl push --init wizer.initialize "$IT_FIXTURES/snapinit.wasm"
expect_status 0
run ctl run --invoke get si
expect_status 0
expect_out 1042
stop_daemon
