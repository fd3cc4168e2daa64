;; hostcall.wat: calls the host import env.h that the invoking client
;; serves, and returns what the host answered.
(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (func (export "hostcall") (param i32) (result i32)
    (call $h (local.get 0))))
