#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# spec3.sh RUNNER DIR LIST [FLAGS...]: runs spec-runner (with FLAGS, e.g.
# --wast) over the scripts of the 3.0 suite in DIR named in LIST (one a
# line; # starts a comment): those that pass in full, so any failure is a
# regression. Skips (exit 77) when DIR
# is absent.
runner=$1
dir=$2
list=$3
shift 3
if [ ! -d "$dir" ]; then
	echo "SKIP: no WebAssembly 3.0 suite at $dir (../shared/testsuite-3.0)"
	[ "${WASMD_REQUIRE_TESTSUITE:-0}" = 1 ] && exit 1
	exit 77
fi
names=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
# shellcheck disable=SC2086 # one argument per script name
exec "$runner" "$@" "$dir" $names
