;; bigmem.wat: a module whose memory starts at 100 pages (6.25 MiB), to be
;; invoked with a memory limit below that minimum.
(module
  (memory 100)
  (func (export "f") (result i32) (i32.const 1)))
