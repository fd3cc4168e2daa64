;; bigmem.wat: a memory whose minimum is above a small store limit.
(module (memory 8))
