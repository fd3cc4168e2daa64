# SPDX-License-Identifier: Apache-2.0
# wasmd_wat2wasm(TARGET name OUTDIR dir [ALL] WATS file...) converts each
# .wat file to OUTDIR/<stem>.wasm at build time with the project's own
# converter, wasmd-wat (wat/wasmd_wat.c: libwasmd-wat, then the engine
# checks the module decodes and validates), all under one custom target
# (built by default with ALL).
function(wasmd_wat2wasm)
  cmake_parse_arguments(W "ALL" "TARGET;OUTDIR" "WATS" ${ARGN})
  set(outs "")
  foreach(wat ${W_WATS})
    get_filename_component(stem "${wat}" NAME_WE)
    set(out "${W_OUTDIR}/${stem}.wasm")
    add_custom_command(OUTPUT "${out}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${W_OUTDIR}"
        COMMAND wasmd-wat-tool "${wat}" -o "${out}"
        DEPENDS "${wat}" wasmd-wat-tool COMMENT "wasmd-wat ${stem}.wat")
    list(APPEND outs "${out}")
  endforeach()
  if(W_ALL)
    add_custom_target(${W_TARGET} ALL DEPENDS ${outs})
  else()
    add_custom_target(${W_TARGET} DEPENDS ${outs})
  endif()
endfunction()
