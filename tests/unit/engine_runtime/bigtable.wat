;; bigtable.wat: a table whose minimum is above a small store limit.
(module (table 100 funcref))
