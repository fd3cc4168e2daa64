;; SPDX-License-Identifier: Apache-2.0
;; bigtable.wat: a table whose minimum is above a small store limit.
(module (table 100 funcref))
