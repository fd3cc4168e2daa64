;; SPDX-License-Identifier: Apache-2.0
;; exec.wat: fixture of engine_exec_test.c (the interpreter): arithmetic,
;; control flow, multi-value, traps with backtraces, recursion, loops for
;; fuel and interrupts, and calls to host functions that may suspend.
(module
  (import "env" "ask" (func $ask (param i32) (result i32)))
  (import "env" "poke" (func $poke))
  (memory 1)

  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)

  (func $fac (export "fac") (param i64) (result i64)
    local.get 0
    i64.eqz
    if (result i64)
      i64.const 1
    else
      local.get 0
      local.get 0
      i64.const 1
      i64.sub
      call $fac
      i64.mul
    end)

  ;; 1 + 2 + ... + n with a loop and br_if.
  (func (export "sum") (param i32) (result i32) (local i32)
    block
      loop
        local.get 0
        i32.eqz
        br_if 1
        local.get 1
        local.get 0
        i32.add
        local.set 1
        local.get 0
        i32.const 1
        i32.sub
        local.set 0
        br 0
      end
    end
    local.get 1)

  ;; 0 -> 100, 1 -> 101, 2 -> 102, anything else -> 999.
  (func (export "switch") (param i32) (result i32)
    block (result i32)
      block
        block
          block
            block
              local.get 0
              br_table 0 1 2 3
            end
            i32.const 100
            return
          end
          i32.const 101
          return
        end
        i32.const 102
        return
      end
      i32.const 999
    end)

  ;; Multi-value: a block that takes two values and returns them swapped,
  ;; then quotient and remainder.
  (type $pair (func (param i32 i32) (result i32 i32)))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    local.get 1
    local.get 0
    block (type $pair)
      local.set 0
      local.set 1
      local.get 0
      local.get 1
    end
    drop
    drop
    local.get 0
    local.get 1
    i32.div_u
    local.get 0
    local.get 1
    i32.rem_u)

  ;; A branch out of a block carrying two values over extra operands.
  (func (export "brpair") (param i32) (result i32 i32)
    block (result i32 i32)
      i32.const 7
      i32.const 8
      i32.const 9
      local.get 0
      br_if 0
      drop
      drop
      drop
      i32.const 1
      i32.const 2
    end)

  (func $inner (param i32) (result i32)
    i32.const 1
    local.get 0
    i32.div_s)
  (func $outer (export "outer") (param i32) (result i32)
    local.get 0
    call $inner)

  (func $deep (export "deep") (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add
    call $deep)

  (func (export "spin")
    loop
      br 0
    end)

  (func (export "poke_then_spin")
    call $poke
    loop
      br 0
    end)

  (func (export "use_host") (param i32) (result i32)
    local.get 0
    call $ask
    i32.const 1
    i32.add)

  (func (export "load") (param i32) (result i32)
    local.get 0
    i32.load)

  (func (export "store_load") (param i32 i64) (result i64)
    local.get 0
    local.get 1
    i64.store offset=3
    local.get 0
    i64.load offset=3)

  (func (export "fmin") (param f64 f64) (result f64)
    local.get 0
    local.get 1
    f64.min)

  (func (export "trunc") (param f64) (result i32)
    local.get 0
    i32.trunc_f64_s)

  ;; Address arithmetic wraps at 32 bits before the offset is added.
  (func (export "load_sum") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    i32.load offset=4)
  (func (export "store_sum") (param i32 i32 i32)
    local.get 0
    local.get 1
    i32.add
    local.get 2
    i32.store offset=4)
  (func (export "load_k") (param i32) (result i32)
    local.get 0
    i32.const 8
    i32.add
    i32.load offset=4)
  (func (export "store_k") (param i32 i32)
    local.get 0
    i32.const 8
    i32.add
    local.get 1
    i32.store offset=4)
)
