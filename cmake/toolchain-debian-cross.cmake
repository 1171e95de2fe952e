# Shared part of the Debian cross toolchain files: the cross compiler, the
# unpacked sysroot of -dev packages (OTLS_CROSS_SYSROOT) and qemu-user as the
# emulator CTest runs test binaries with.
set(CMAKE_C_COMPILER ${OTLS_CROSS_TRIPLE}-gcc)
set(OTLS_CROSS_SYSROOT "" CACHE PATH "Folder with the target's packages unpacked (dpkg -x)")
# Toolchain files run again for try_compile projects: pass the sysroot on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES OTLS_CROSS_SYSROOT OTLS_CROSS_EXEC_SHIM)

# The compiler's own libc stays (/usr/<triple>); libraries and headers come
# from the unpacked packages, found through CMAKE_FIND_ROOT_PATH.
set(CMAKE_FIND_ROOT_PATH "${OTLS_CROSS_SYSROOT}" /usr/${OTLS_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_LIBRARY_ARCHITECTURE ${OTLS_CROSS_TRIPLE})
if(OTLS_CROSS_SYSROOT)
  set(_lib "${OTLS_CROSS_SYSROOT}/usr/lib/${OTLS_CROSS_TRIPLE}")
  # Multiarch headers (openssl/opensslconf.h), after the compiler's own.
  set(CMAKE_C_FLAGS_INIT "-idirafter ${OTLS_CROSS_SYSROOT}/usr/include/${OTLS_CROSS_TRIPLE}")
  # Shared libraries that link other shared libraries (libcriterion ->
  # libgit2 ...) need their dependencies found at link time too.
  # Some packages (zlib1g, libcom-err2) ship in /lib, not /usr/lib.
  set(_rlib "${OTLS_CROSS_SYSROOT}/lib/${OTLS_CROSS_TRIPLE}")
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_lib} -Wl,-rpath-link,${_rlib}")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_lib} -Wl,-rpath-link,${_rlib}")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "${OTLS_CROSS_SYSROOT}")
  set(ENV{PKG_CONFIG_LIBDIR} "${_lib}/pkgconfig:${OTLS_CROSS_SYSROOT}/usr/share/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
endif()

find_program(OTLS_CROSS_QEMU NAMES qemu-${CMAKE_SYSTEM_PROCESSOR} qemu-${CMAKE_SYSTEM_PROCESSOR}-static)
if(OTLS_CROSS_QEMU)
  # -L: the target's loader and libc; the unpacked libraries through
  # QEMU_SET_ENV (qemu passes it to the guest), so nothing is installed.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${OTLS_CROSS_QEMU} -L /usr/${OTLS_CROSS_TRIPLE}
    -E "LD_LIBRARY_PATH=${OTLS_CROSS_SYSROOT}/usr/lib/${OTLS_CROSS_TRIPLE}:${OTLS_CROSS_SYSROOT}/lib/${OTLS_CROSS_TRIPLE}")
  # Programs that re-execute themselves (Criterion's test children) need
  # cmake/cross/qemu_exec_shim.c, built for the target, preloaded.
  set(OTLS_CROSS_EXEC_SHIM "" CACHE FILEPATH "qemu_exec_shim.c built for the target (optional)")
  if(OTLS_CROSS_EXEC_SHIM)
    list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -E "LD_PRELOAD=${OTLS_CROSS_EXEC_SHIM}"
      -E "OTLS_QEMU=${OTLS_CROSS_QEMU}" -E "OTLS_QEMU_LD_PREFIX=/usr/${OTLS_CROSS_TRIPLE}")
  endif()
endif()
