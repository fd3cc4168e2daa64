;; grow.wat: grows its memory one page at a time until memory.grow fails
;; (returns -1), then returns the number of pages it reached.
(module
  (memory 1)
  (func (export "grow") (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (memory.size)))
