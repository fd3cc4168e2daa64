# SPDX-License-Identifier: Apache-2.0
# make_tree.sh: sourced by run_wasi.sh and daemon_wasi.sh.
# make_tree DIR: the directory files.c reads, and things outside it.
make_tree() {
	mkdir -p "$1/root/sub/deeper" "$1/outside-dir"
	printf 'hello from the preopen\n' >"$1/root/hello.txt"
	printf 'inner file\n' >"$1/root/sub/inner.txt"
	printf 'x\n' >"$1/root/sub/deeper/x.txt"
	printf 'SECRET outside\n' >"$1/outside.txt"
	printf 'SECRET x\n' >"$1/outside-dir/x.txt"
	ln -s ../outside.txt "$1/root/link-out"
	ln -s ../outside-dir "$1/root/link-out-dir"
	mkdir "$1/root/many"
	local i
	for i in $(seq 1 400); do
		: >"$1/root/many/file-with-a-rather-long-name-to-fill-buffers-$i"
	done
}
