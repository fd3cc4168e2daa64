# SPDX-License-Identifier: Apache-2.0
# embed: the README's embedding example against the shared libwasmd-engine.
wasmd_unit_test(embed_test SOURCES embed_test.c LIBS wasmd-engine)
target_compile_definitions(embed_test PRIVATE
    FIB_WASM="${PROJECT_BINARY_DIR}/examples/fib.wasm")
add_dependencies(embed_test examples)
