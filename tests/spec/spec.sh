#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# spec.sh RUNNER DIR [FLAGS...] [SCRIPT...]: runs the spec runner (with
# FLAGS, e.g. --wast) over the converted suite in DIR (only the SCRIPTs
# named, if any),
# or skips (exit 77, which ctest reports as skipped) with a line saying how
# to get the suite when DIR is absent, as on a fresh clone without
# ../shared. Set WASMD_REQUIRE_TESTSUITE=1 to make its absence a failure.
runner=$1
dir=$2
shift 2
if [ ! -d "$dir" ]; then
	echo "SKIP: no spec suite at $dir: run scripts/get-testsuite (needs network," \
		"git and wast2json), or clone github.com/WebAssembly/testsuite (the" \
		"--wast runs read its .wast files as they are), then configure with" \
		"-DWASMD_TESTSUITE_DIR=PATH if it is elsewhere than ../shared/testsuite"
	[ "${WASMD_REQUIRE_TESTSUITE:-0}" = 1 ] && exit 1
	exit 77
fi
flags=
scripts=
for a in "$@"; do
	case $a in
	-*) flags="$flags $a" ;;
	*) scripts="$scripts $a" ;;
	esac
done
# shellcheck disable=SC2086 # flags and script names have no spaces
exec "$runner" $flags "$dir" $scripts
