# SPDX-License-Identifier: Apache-2.0
# tests/fuzz: libFuzzer targets, one input format each.
#
# With WASMD_FUZZ (the fuzz preset, clang) each is a libFuzzer binary and
# the fuzz-smoke tests run it for WASMD_FUZZ_SECONDS from its seed corpus
# (new inputs go to the build tree, never into the repository).
# Otherwise each is a plain program (replay.c) that feeds it every file of
# its seed corpus, so the default and asan builds replay the corpus under
# the same label.
set(WASMD_FUZZ_SECONDS 20 CACHE STRING "How long each fuzz-smoke test fuzzes")

set(FUZZ_LIBS_module wasmd-engine-static)
set(FUZZ_LIBS_instantiate wasmd-engine-static)
set(FUZZ_LIBS_frame wasmd-proto)
# reply: the client library's reply side, through its internal header
# (client/internal.h, for wc_connect_fd()) and the static archive.
set(FUZZ_LIBS_reply wasmd-client-static wasmd-proto)
# wat: libwasmd-wat reading text, its output decoded by the engine.
set(FUZZ_LIBS_wat wasmd-wat wasmd-engine-static)

foreach(t module instantiate frame reply wat)
  set(corpus "${CMAKE_CURRENT_SOURCE_DIR}/corpus/${t}")
  if(WASMD_FUZZ)
    add_executable(fuzz_${t} fuzz_${t}.c)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    set(found "${CMAKE_CURRENT_BINARY_DIR}/found/${t}")
    file(MAKE_DIRECTORY "${found}")
    add_test(NAME fuzz-smoke.${t}
        COMMAND fuzz_${t} -max_total_time=${WASMD_FUZZ_SECONDS} -timeout=10
            -rss_limit_mb=2048 -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/crash-${t}-
            "${found}" "${corpus}")
  else()
    add_executable(fuzz_${t} fuzz_${t}.c replay.c)
    add_test(NAME fuzz-smoke.${t} COMMAND fuzz_${t} "${corpus}")
  endif()
  target_link_libraries(fuzz_${t} PRIVATE ${FUZZ_LIBS_${t}})
  target_include_directories(fuzz_${t} PRIVATE "${PROJECT_SOURCE_DIR}/include")
  if(t STREQUAL "reply")
    target_include_directories(fuzz_${t} PRIVATE "${PROJECT_SOURCE_DIR}/client")
  endif()
  set_tests_properties(fuzz-smoke.${t} PROPERTIES LABELS fuzz-smoke TIMEOUT 600)
endforeach()

# The generator of corpus/reply/, run by hand (see seeds/reply_seeds.c).
if(NOT WASMD_FUZZ)
  add_executable(fuzz_reply_seeds EXCLUDE_FROM_ALL seeds/reply_seeds.c)
  target_link_libraries(fuzz_reply_seeds PRIVATE wasmd-proto)
endif()
