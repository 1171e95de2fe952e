# Build profiles. OTLS_PROFILE=full (the default) builds everything found;
# OTLS_PROFILE=minimal presets the options for a small device (docs/embedded.md):
# the mbedTLS backend only, linked in, no dlopen, no fd transport (sockets),
# no file loading, no certificate decoder, and only the library (tools, tests
# and docs need what the profile leaves out). The profile sets defaults: any
# option below can still be given with -D. Pick the profile in a fresh build
# directory (cached options keep their first value).
set(OTLS_PROFILE "full" CACHE STRING "Build profile: full or minimal (embedded)")
set_property(CACHE OTLS_PROFILE PROPERTY STRINGS full minimal)

if(OTLS_PROFILE STREQUAL "minimal")
  set(OTLS_WITH_OPENSSL OFF CACHE STRING "Build the OpenSSL 3 backend (AUTO, ON, OFF)")
  set(OTLS_WITH_WOLFSSL OFF CACHE STRING "Build the wolfSSL backend (AUTO, ON, OFF)")
  set(OTLS_WITH_MBEDTLS ON CACHE STRING "Build the mbedTLS backend (AUTO, ON, OFF)")
  set(OTLS_ENABLE_PLUGINS OFF CACHE BOOL "Let the library load backend plugins (needs dlopen)")
  set(OTLS_BUILD_TOOLS OFF CACHE BOOL "Build the omnitls command-line tool")
  set(OTLS_BUILD_TESTS OFF CACHE BOOL "Build the test suite (needs Criterion)")
  set(OTLS_BUILD_DOCS OFF CACHE BOOL "Generate the support matrix and man page links")
  set(OTLS_BUILD_BENCH OFF CACHE BOOL "Build the benchmarks in bench/ (bench/run.sh runs them)")
  set(_otls_unit_default OFF)
  set(_otls_decoder_default OFF)
elseif(OTLS_PROFILE STREQUAL "full")
  set(_otls_unit_default ON)
  set(_otls_decoder_default FULL)
else()
  message(FATAL_ERROR "omnitls: OTLS_PROFILE=${OTLS_PROFILE}: expected full or minimal")
endif()

# The optional units of the core. Each one left out keeps its public
# functions, which then answer OTLS_ERR_UNSUPPORTED naming the option.
option(OTLS_WITH_FD_TRANSPORT "otls_conn_set_fd (core/transport_fd.c, socket headers)" ${_otls_unit_default})
option(OTLS_WITH_FILES "otls_ctx_load_*_file/_dir (core/file.c, stdio and dirent)" ${_otls_unit_default})
set(OTLS_DECODER ${_otls_decoder_default} CACHE STRING
  "Certificate decoder (otls_cert_*, otls_peer_cert*): FULL (OpenSSL's 1103 object names), COMPACT (common attribute names; others print dotted) or OFF")
set_property(CACHE OTLS_DECODER PROPERTY STRINGS FULL COMPACT OFF)
if(NOT OTLS_DECODER MATCHES "^(FULL|COMPACT|OFF)$")
  message(FATAL_ERROR "omnitls: OTLS_DECODER=${OTLS_DECODER}: expected FULL, COMPACT or OFF")
endif()
message(STATUS "omnitls: profile ${OTLS_PROFILE}: fd transport ${OTLS_WITH_FD_TRANSPORT}, files ${OTLS_WITH_FILES}, decoder ${OTLS_DECODER}")
