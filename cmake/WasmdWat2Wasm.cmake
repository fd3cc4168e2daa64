# SPDX-License-Identifier: Apache-2.0
# wasmd_wat2wasm(TARGET name OUTDIR dir [ALL] [FLAGS flag...] WATS file...)
# converts each .wat file to OUTDIR/<stem>.wasm at build time with Debian's
# wat2wasm (wabt), all under one custom target (built by default with ALL).
find_program(WAT2WASM wat2wasm REQUIRED)

function(wasmd_wat2wasm)
  cmake_parse_arguments(W "ALL" "TARGET;OUTDIR" "FLAGS;WATS" ${ARGN})
  set(outs "")
  foreach(wat ${W_WATS})
    get_filename_component(stem "${wat}" NAME_WE)
    set(out "${W_OUTDIR}/${stem}.wasm")
    add_custom_command(OUTPUT "${out}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${W_OUTDIR}"
        COMMAND ${WAT2WASM} ${W_FLAGS} "${wat}" -o "${out}"
        DEPENDS "${wat}" COMMENT "wat2wasm ${stem}.wat")
    list(APPEND outs "${out}")
  endforeach()
  if(W_ALL)
    add_custom_target(${W_TARGET} ALL DEPENDS ${outs})
  else()
    add_custom_target(${W_TARGET} DEPENDS ${outs})
  endif()
endfunction()
