# Cross build for 64-bit ARM Linux with Debian's crossbuild-essential-arm64.
# OTLS_CROSS_SYSROOT: a folder holding the target's -dev packages unpacked
# with dpkg -x (scripts/cross-arm.sh makes it), so no foreign-architecture
# package is installed on the host. Tests run through qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(OTLS_CROSS_TRIPLE aarch64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
