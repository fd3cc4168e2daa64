# SPDX-License-Identifier: Apache-2.0
# client: libwasmd-client and wasmctl without the daemon: value text, the
# blocking calls, the event-loop interface and the CLI against a fake
# daemon thread (client_fake.c).
find_package(Threads REQUIRED)
wasmd_unit_test(client_test SOURCES client_test.c client_fake.c
    LIBS wasmd-client wasmd-proto Threads::Threads)
wasmd_unit_test(client_async_test SOURCES client_async_test.c client_fake.c
    LIBS wasmd-client wasmd-proto Threads::Threads PkgConfig::LIBEVENT)
wasmd_unit_test(wasmctl_test SOURCES wasmctl_test.c client_fake.c
    LIBS wasmd-proto Threads::Threads PkgConfig::JANSSON)
target_compile_definitions(wasmctl_test PRIVATE
    WASMCTL_PATH="$<TARGET_FILE:wasmctl>")
add_dependencies(wasmctl_test wasmctl)
