;; spin.wat: an export that never returns (for deadlines and kills), and
;; one that does, to check the daemon still serves afterwards.
(module
  (func (export "spin") (loop $l (br $l)))
  (func (export "one") (result i32) (i32.const 1)))
