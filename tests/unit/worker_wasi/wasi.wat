;; SPDX-License-Identifier: Apache-2.0
;; wasi.wat: a WASI guest for worker_wasi_test. The exports are run as
;; WASI commands (Invoke.command) by the test:
;;   _start  writes "line one\n" to stdout, "partial" to stderr, echoes
;;           its stdin (up to 256 bytes) to stdout, then proc_exit(7)
;;   ret     writes "x\n" and returns (exit code 0)
;;   argc    proc_exit(argc + 10 * environ count)
;;   spew    writes "0123456789" to stdout without end
;;   ttys    proc_exit(bit n set when fd n is a character device, n < 3)
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get"
    (func $fd_fdstat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "line one\n")
  (data (i32.const 32) "partial")
  (data (i32.const 48) "x\n")
  (data (i32.const 64) "0123456789")

  ;; write(fd, ptr, len) through an iovec at 0; the count goes to 8.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1)
      (i32.const 8))))

  (func (export "_start")
    (call $write (i32.const 1) (i32.const 16) (i32.const 9))
    (call $write (i32.const 2) (i32.const 32) (i32.const 7))
    ;; read stdin into 1024..1280; the count goes to 8
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 256))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 8)))
    (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 8)))
    (call $proc_exit (i32.const 7)))

  (func (export "ret")
    (call $write (i32.const 1) (i32.const 48) (i32.const 2)))

  (func (export "argc")
    (drop (call $args_sizes_get (i32.const 100) (i32.const 104)))
    (drop (call $environ_sizes_get (i32.const 108) (i32.const 112)))
    (call $proc_exit (i32.add (i32.load (i32.const 100))
      (i32.mul (i32.const 10) (i32.load (i32.const 108))))))

  ;; 1 << fd when fd_fdstat_get says fd is a character device (a tty).
  (func $tty_bit (param $fd i32) (result i32)
    (drop (call $fd_fdstat_get (local.get $fd) (i32.const 200)))
    (i32.shl (i32.eq (i32.load8_u (i32.const 200)) (i32.const 2))
      (local.get $fd)))

  (func (export "ttys")
    (call $proc_exit (i32.or (call $tty_bit (i32.const 0))
      (i32.or (call $tty_bit (i32.const 1)) (call $tty_bit (i32.const 2))))))

  (func (export "spew")
    (loop $l
      (call $write (i32.const 1) (i32.const 64) (i32.const 10))
      (br $l))))
