# Cross build for 32-bit ARM Linux (armhf) with Debian's
# crossbuild-essential-armhf; as toolchain-aarch64-linux-gnu.cmake, run
# through qemu-arm.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(OTLS_CROSS_TRIPLE arm-linux-gnueabihf)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
