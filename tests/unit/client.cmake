# client: libwasmd-client without the daemon: value text, and the calls
# against a fake server thread (tests/unit/client_test.c).
find_package(Threads REQUIRED)
wasmd_unit_test(client_test SOURCES client_test.c
    LIBS wasmd-client wasmd-proto Threads::Threads)
