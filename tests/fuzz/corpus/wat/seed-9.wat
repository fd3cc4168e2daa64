;; hostfn_mem.wat: host functions that work on guest memory.
;;   greet: env.greet(name_ptr, name_len, out_ptr, out_cap) -> written;
;;          returns written * 65536 + the sum of the bytes written.
;;   peek:  env.peek(addr) lets the host read and write memory by round
;;          trips; returns the sum of the 5 bytes at 512 afterwards.
;;   bad_arg: calls env.greet with a name out of bounds (the guest traps).
(module
  (import "env" "greet" (func $greet (param i32 i32 i32 i32) (result i32)))
  (import "env" "peek" (func $peek (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "wasmd")
  (func $sum (param $p i32) (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "greet") (result i32)
    (local $n i32)
    (local.set $n (call $greet (i32.const 16) (i32.const 5) (i32.const 256) (i32.const 64)))
    (i32.add (i32.mul (local.get $n) (i32.const 65536))
      (call $sum (i32.const 256) (local.get $n))))
  (func (export "peek") (result i32)
    (drop (call $peek (i32.const 16)))
    (call $sum (i32.const 512) (i32.const 5)))
  (func (export "bad_arg") (result i32)
    (call $greet (i32.const 65530) (i32.const 100) (i32.const 256) (i32.const 64))))
