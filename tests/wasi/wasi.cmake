# SPDX-License-Identifier: Apache-2.0
# wasi.cmake: the WASI test programs and their ctest entries.
#
# Each programs/NAME.c becomes NAME.wasm (clang --target=wasm32-wasi with
# wasi-libc's sysroot, Debian packages wasi-libc and
# libclang-rt-14-dev-wasm32, see scripts/setup-deps) and a native NAME
# (the same source, this build's compiler). run_wasi.sh CASE runs one
# scenario with `wasmd-worker run` (what `wasmd run` execs).
find_program(WASI_CC NAMES clang clang-14)
set(WASI_SYSROOT "/usr" CACHE PATH
    "Where wasi-libc is: include/wasm32-wasi and lib/wasm32-wasi beneath it")
set(WASI_PROGRAMS printf argv_env stdin_echo exit_code clocks random files
    spew stream bundle_demo tailcall)
# Extra wasm flags of a program: tailcall's musttail calls need the
# tail-call feature (return_call, return_call_indirect).
set(WASI_FLAGS_tailcall -mtail-call)

# Can clang build for wasm32-wasi here? Checked once, at configure time.
set(WASI_PROBE "${CMAKE_CURRENT_BINARY_DIR}/probe.c")
file(WRITE "${WASI_PROBE}" "#include <stdio.h>\nint main(void){puts(\"ok\");return 0;}\n")
set(WASI_OK FALSE)
if(WASI_CC)
  execute_process(COMMAND "${WASI_CC}" --target=wasm32-wasi
      --sysroot=${WASI_SYSROOT} -O2 "${WASI_PROBE}"
      -o "${CMAKE_CURRENT_BINARY_DIR}/probe.wasm"
      RESULT_VARIABLE WASI_PROBE_RC OUTPUT_QUIET ERROR_QUIET)
  if(WASI_PROBE_RC EQUAL 0)
    set(WASI_OK TRUE)
  endif()
endif()
if(NOT WASI_OK)
  message(WARNING "tests/wasi: clang cannot build for wasm32-wasi (install "
      "wasi-libc and libclang-rt-14-dev-wasm32: scripts/setup-deps); "
      "the wasi tests are left out")
  return()
endif()

set(WASI_WASMS)
foreach(p ${WASI_PROGRAMS})
  set(src "${CMAKE_CURRENT_SOURCE_DIR}/programs/${p}.c")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${p}.wasm")
  # Sanitizer and coverage flags of the host build do not apply to wasm.
  add_custom_command(OUTPUT "${out}"
      COMMAND "${WASI_CC}" --target=wasm32-wasi --sysroot=${WASI_SYSROOT}
          -O2 -Wall -Wextra -Werror ${WASI_FLAGS_${p}} -o "${out}" "${src}"
      DEPENDS "${src}"
      COMMENT "wasm32-wasi ${p}.wasm" VERBATIM)
  list(APPEND WASI_WASMS "${out}")
  add_executable(wasi_native_${p} "${src}")
  set_target_properties(wasi_native_${p} PROPERTIES
      OUTPUT_NAME "${p}" RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
endforeach()
add_custom_target(wasi-programs ALL DEPENDS ${WASI_WASMS})

# One ctest entry per scenario of run_wasi.sh.
set(WASI_CASES printf argv_env stdin_echo exit_code clocks random files
    escape output_limit link timeout wasmd_run tailcall)
foreach(c ${WASI_CASES})
  add_test(NAME wasi_${c}
      COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/run_wasi.sh" ${c}
          "$<TARGET_FILE:wasmd-worker>" "${CMAKE_CURRENT_BINARY_DIR}"
          "$<TARGET_FILE:wasmd>")
  set_tests_properties(wasi_${c} PROPERTIES LABELS wasi TIMEOUT 120)
endforeach()

# The library's API with callbacks (as the daemon will use it), over the
# same programs; label unit.
wasmd_unit_test(wasi_test SOURCES wasi_test.c LIBS wasmd-wasi)
target_compile_definitions(wasi_test PRIVATE
    WASI_BIN_DIR="${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(wasi_test wasi-programs)
