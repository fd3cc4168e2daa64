;; forbidden.wat: calls the worker's test hook (WASMD_TEST_HOOKS builds
;; only) that makes a system call outside the seccomp allowlist.
(module
  (import "wasmd_test" "forbidden_syscall" (func $forbidden))
  (func (export "run") (call $forbidden)))
