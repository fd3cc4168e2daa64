;; SPDX-License-Identifier: Apache-2.0
;; datatrap.wat: the second data segment is out of bounds and traps.
(module
  (memory (export "mem") 1)
  (data (i32.const 0) "first")
  (data (i32.const 65534) "past the end"))
