# SPDX-License-Identifier: Apache-2.0
# tests/integration/fault.cmake: fault-injection scenarios for the daemon
# (fault_*.sh): the supervisor killed with SIGKILL in the middle of uploads,
# a client that opens connections without end, a client that sends half a
# frame and stalls, a client that never reads its replies, a full disk
# during uploads, workers that cannot be started, workers that flood their
# socket, and the daemon's descriptor count after all that. They
# use lib.sh and the fixtures of daemon.cmake (included before this file),
# plus wasmd-it-faultclient and the LD_PRELOAD shim
# libwasmd-it-faultinject.so (faultinject.c) built here. Label:
# integration (and fault).
set(FAULT_OUT "${CMAKE_CURRENT_BINARY_DIR}")
add_executable(wasmd-it-faultclient fault_client.c)
target_link_libraries(wasmd-it-faultclient PRIVATE wasmd-proto)
set_target_properties(wasmd-it-faultclient PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${FAULT_OUT}")
add_library(wasmd-it-faultinject MODULE faultinject.c)
target_link_libraries(wasmd-it-faultinject PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(wasmd-it-faultinject PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${FAULT_OUT}")

if(NOT DEFINED IT_HOOKS)
  set(IT_HOOKS OFF)
endif()
# hostile_*.sh: a hostile tenant, one finding of the red-team pass (issue
# 21) per file, each asserting its bound (supervisor memory under its
# budget, another tenant still served, nothing lost). Label: integration
# (and hostile).
file(GLOB FAULT_SCRIPTS CONFIGURE_DEPENDS
    "${CMAKE_CURRENT_SOURCE_DIR}/fault_*.sh"
    "${CMAKE_CURRENT_SOURCE_DIR}/hostile_*.sh")
foreach(script ${FAULT_SCRIPTS})
  get_filename_component(stem "${script}" NAME_WE)
  string(REGEX REPLACE "_.*" "" kind "${stem}")
  add_test(NAME integration.${stem} COMMAND bash "${script}")
  set_tests_properties(integration.${stem} PROPERTIES
      LABELS "integration;${kind}" TIMEOUT 180 SKIP_RETURN_CODE 77
      ENVIRONMENT "WASMD_BIN=${PROJECT_BINARY_DIR}/bin;IT_BIN=${FAULT_OUT};IT_FIXTURES=${FAULT_OUT}/fixtures;IT_LIB=${CMAKE_CURRENT_SOURCE_DIR}/lib.sh;WASMD_TEST_HOOKS=${IT_HOOKS}")
  # These load the machine on purpose (100 MiB through the daemon; 24
  # spinning workers) and time calls meanwhile: alone, so they neither slow
  # the others' timing (systemd's, fault_half_frame's) nor are slowed.
  if(stem MATCHES "^hostile_(big_push|big_invoke|big_snapshot|big_instance|big_init|big_reply|cpu_share|worker_share)$")
    set_tests_properties(integration.${stem} PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
