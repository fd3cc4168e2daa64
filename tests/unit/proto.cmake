# SPDX-License-Identifier: Apache-2.0
# proto: framing of protocol messages (proto/frame.c).
find_package(Threads REQUIRED)
wasmd_unit_test(proto_frame_test SOURCES proto_frame_test.c
    LIBS wasmd-proto Threads::Threads)
