# Sanitizer and fuzzer instrumentation for the whole tree: the library, the
# plugins, the tools, the examples and the tests alike, so a report anywhere
# (also in a test's re-executed Criterion child) fails the run.
#
#   -DOTLS_SANITIZE=address,undefined   ASan + UBSan (+ LeakSanitizer)
#   -DOTLS_SANITIZE=thread              ThreadSanitizer
#
# Reports are fatal (-fno-sanitize-recover=all): a process with a report
# exits non-zero. scripts/ci/sanitizers.sh and scripts/ci/tsan.sh set the
# run-time options and suppression files (tests/sanitizers/). With clang the
# sanitizer run time is linked statically into executables only, so shared
# modules (the plugins) are left with undefined __asan_* references that the
# executable resolves when it loads them.
set(OTLS_SANITIZE "" CACHE STRING
    "Build everything with these sanitizers: address,undefined or thread (empty: none)")

# A fuzz build is an ASan + UBSan build unless told otherwise.
if(OTLS_BUILD_FUZZ AND NOT OTLS_SANITIZE)
  set(OTLS_SANITIZE "address,undefined" CACHE STRING "" FORCE)
endif()

if(OTLS_SANITIZE)
  if(OTLS_SANITIZE MATCHES "thread" AND OTLS_SANITIZE MATCHES "address")
    message(FATAL_ERROR "OTLS_SANITIZE: thread and address cannot be combined")
  endif()
  set(OTLS_SANITIZE_FLAGS -fsanitize=${OTLS_SANITIZE} -fno-omit-frame-pointer
      -fno-sanitize-recover=all)
  add_compile_options(${OTLS_SANITIZE_FLAGS} -g)
  add_link_options(-fsanitize=${OTLS_SANITIZE})
  message(STATUS "omnitls: sanitizers: ${OTLS_SANITIZE}")
endif()

# libFuzzer builds (fuzz/): coverage instrumentation for everything the
# targets link (library, plugins), so the fuzzer is guided by the core's and
# the backends' code too, not only by the target's own file.
if(OTLS_BUILD_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "OTLS_BUILD_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
