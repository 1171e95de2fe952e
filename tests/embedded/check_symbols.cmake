# cmake -DNM=nm -DARCHIVE=libomnitls.a -DPROFILE=minimal|full -P check_symbols.cmake
#
# Link-level proof of the embedded profile's promises, over every object of
# the static library (so it covers code no test runs):
# - no object but alloc.c (the default allocator) calls the C allocator:
#   every allocation goes through otls_set_allocator's hook;
# - minimal profile: no stdio, no sockets, no files, no dlopen, no threads.
# The archive must define the API and a backend, so an empty or wrong file
# cannot pass.
cmake_minimum_required(VERSION 3.20)
foreach(v NM ARCHIVE PROFILE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_symbols: ${v} not set")
  endif()
endforeach()

execute_process(COMMAND ${NM} -A ${ARCHIVE} OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_symbols: ${NM} ${ARCHIVE} failed: ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}")

set(alloc malloc calloc realloc free strdup strndup reallocarray aligned_alloc posix_memalign
  memalign valloc pvalloc)
set(forbidden "")
if(PROFILE STREQUAL "minimal")
  set(forbidden
    # stdio (with _FORTIFY_SOURCE the _chk forms)
    printf fprintf sprintf snprintf vprintf vfprintf vsprintf vsnprintf puts fputs putchar
    fopen fdopen fclose fread fwrite fflush fileno perror stdout stderr __printf_chk
    __fprintf_chk __sprintf_chk __snprintf_chk __vsnprintf_chk __vfprintf_chk
    # sockets and files
    socket send recv sendto recvfrom connect accept bind listen setsockopt inet_pton
    inet_ntop getaddrinfo open read write close stat fstat opendir readdir closedir
    # dynamic loading and threads
    dlopen dlsym dladdr dlclose dlerror call_once thrd_create mtx_lock mtx_init cnd_wait)
endif()

set(bad "")
set(defined_api FALSE)
set(defined_backend FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^[^:]*:([^:]+):[ 0-9a-f]* ([A-Za-z]) ([^ ]+)$")
    set(obj "${CMAKE_MATCH_1}")
    set(kind "${CMAKE_MATCH_2}")
    set(sym "${CMAKE_MATCH_3}")
    string(REGEX REPLACE "@.*$" "" sym "${sym}")
    if(kind STREQUAL "T" AND sym STREQUAL "otls_ctx_new")
      set(defined_api TRUE)
    endif()
    if(sym MATCHES "^otls_provider_" AND NOT kind STREQUAL "U")
      set(defined_backend TRUE)
    endif()
    if(NOT kind STREQUAL "U")
      continue()
    endif()
    if(sym IN_LIST alloc AND NOT obj STREQUAL "alloc.c.o" AND NOT obj STREQUAL "alloc.c.obj")
      list(APPEND bad "${obj}: ${sym} (allocation outside the otls_set_allocator hook)")
    elseif(sym IN_LIST forbidden OR sym MATCHES "^pthread_")
      list(APPEND bad "${obj}: ${sym} (not allowed in the ${PROFILE} profile)")
    endif()
  endif()
endforeach()

if(NOT defined_api OR NOT defined_backend)
  message(FATAL_ERROR "check_symbols: ${ARCHIVE} does not define otls_ctx_new and a provider")
endif()
if(bad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "check_symbols: ${ARCHIVE}:\n  ${text}")
endif()
message(STATUS "check_symbols: ${ARCHIVE}: clean for the ${PROFILE} profile")
