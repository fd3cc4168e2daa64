;; SPDX-License-Identifier: Apache-2.0
;; importglobal.wat: a data segment whose offset is an imported global.
(module
  (global $base (import "env" "base") i32)
  (memory (export "mem") 1)
  (data (global.get $base) "moved")
  (data (i32.const 0) "fixed"))
