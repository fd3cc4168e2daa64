;; SPDX-License-Identifier: Apache-2.0
;; hostcall.wat: the guest passes a string in its memory to a host function.
(module
  (import "env" "log" (func $log (param i32 i32) (result i32)))
  (memory (export "mem") 1)
  (data (i32.const 100) "hello, host")
  (func (export "run") (result i32)
    (call $log (i32.const 100) (i32.const 11))))
