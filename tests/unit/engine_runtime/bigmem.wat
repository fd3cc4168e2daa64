;; SPDX-License-Identifier: Apache-2.0
;; bigmem.wat: a memory whose minimum is above a small store limit.
(module (memory 8))
