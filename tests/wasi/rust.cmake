# SPDX-License-Identifier: Apache-2.0
# rust.cmake: a Rust program (programs/hashmap.rs) built for wasm32-wasi
# with Debian's rustc and its wasm32 standard library (packages rustc and
# libstd-rust-dev-wasm32) and natively; run_wasi.sh rust_hashmap compares
# them. Debian's rustc is looked up in /usr/bin only: a rustup toolchain
# earlier on PATH usually lacks the wasm32-wasi target.
find_program(DEBIAN_RUSTC rustc PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DEBIAN_RUSTC OR NOT EXISTS /usr/lib/rustlib/wasm32-wasi)
  message(WARNING "tests/wasi: no rustc with the wasm32-wasi std (install "
      "rustc and libstd-rust-dev-wasm32: scripts/setup-deps); the Rust "
      "test is left out")
  return()
endif()
set(RS_SRC "${CMAKE_CURRENT_SOURCE_DIR}/programs/hashmap.rs")
set(RS_WASM "${CMAKE_CURRENT_BINARY_DIR}/hashmap.wasm")
set(RS_NATIVE "${CMAKE_CURRENT_BINARY_DIR}/hashmap")
add_custom_command(OUTPUT "${RS_WASM}" "${RS_NATIVE}"
    COMMAND "${DEBIAN_RUSTC}" --target wasm32-wasi -O "${RS_SRC}" -o "${RS_WASM}"
    COMMAND "${DEBIAN_RUSTC}" -O "${RS_SRC}" -o "${RS_NATIVE}"
    DEPENDS "${RS_SRC}" COMMENT "rustc hashmap.rs (wasm32-wasi and native)")
add_custom_target(wasi-rust ALL DEPENDS "${RS_WASM}" "${RS_NATIVE}")
add_test(NAME wasi_rust_hashmap
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/run_wasi.sh" rust_hashmap
        "$<TARGET_FILE:wasmd-worker>" "${CMAKE_CURRENT_BINARY_DIR}"
        "$<TARGET_FILE:wasmd>")
set_tests_properties(wasi_rust_hashmap PROPERTIES LABELS wasi TIMEOUT 120)
