;; SPDX-License-Identifier: Apache-2.0
;; tables.wat: a growable table for the store's table limit.
(module
  (table (export "t") 2 funcref)
  (func (export "grow") (param i32) (result i32)
    (table.grow 0 (ref.null func) (local.get 0))))
