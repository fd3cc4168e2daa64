;; add.wat: the integration tests' plain module: add(a, b) -> a + b.
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
