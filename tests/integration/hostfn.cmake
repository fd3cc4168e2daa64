# SPDX-License-Identifier: Apache-2.0
# tests/integration/hostfn.cmake: wasmd-it-hostclient, the libwasmd-client
# program the daemon_hostfn_*.sh scenarios drive (host functions served by
# the client, live instances, many invocations in flight via libevent).
add_executable(wasmd-it-hostclient hostfn_client.c)
target_link_libraries(wasmd-it-hostclient PRIVATE wasmd-client
    PkgConfig::LIBEVENT m)
set_target_properties(wasmd-it-hostclient PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
