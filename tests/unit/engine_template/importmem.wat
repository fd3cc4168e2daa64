;; SPDX-License-Identifier: Apache-2.0
;; importmem.wat: data written into an imported memory.
(module
  (memory (import "env" "mem") 1)
  (data (i32.const 8) "imported"))
