# SPDX-License-Identifier: Apache-2.0
# tests/integration/hostile.cmake: a hostile tenant against a real daemon
# (hostile_*.sh), one finding of the red-team pass (issue 21) per file:
# each reproduces its attack and asserts the bound (supervisor memory under
# its budget, another tenant still served, nothing lost). They use lib.sh,
# the fixtures of daemon.cmake and wasmd-it-faultclient of fault.cmake
# (both included before this file). Label: integration (and hostile).
if(NOT DEFINED IT_HOOKS)
  set(IT_HOOKS OFF)
endif()
file(GLOB HOSTILE_SCRIPTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/hostile_*.sh")
foreach(script ${HOSTILE_SCRIPTS})
  get_filename_component(stem "${script}" NAME_WE)
  add_test(NAME integration.${stem} COMMAND bash "${script}")
  set_tests_properties(integration.${stem} PROPERTIES
      LABELS "integration;hostile" TIMEOUT 180 SKIP_RETURN_CODE 77
      ENVIRONMENT "WASMD_BIN=${PROJECT_BINARY_DIR}/bin;IT_BIN=${CMAKE_CURRENT_BINARY_DIR};IT_FIXTURES=${CMAKE_CURRENT_BINARY_DIR}/fixtures;IT_LIB=${CMAKE_CURRENT_SOURCE_DIR}/lib.sh;WASMD_TEST_HOOKS=${IT_HOOKS}")
endforeach()
