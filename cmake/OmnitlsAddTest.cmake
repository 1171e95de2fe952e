# omnitls_add_test(): one CTest test per omnitls backend, for projects that
# use omnitls and want every test run against every TLS stack. Installed
# with the CMake package and included by omnitlsConfig.cmake, so
# find_package(omnitls) is all a project needs (a project that adds the
# omnitls source tree with add_subdirectory() or FetchContent gets it too):
#
#   enable_testing()
#   find_package(omnitls 0.1 CONFIG REQUIRED)
#   omnitls_add_test(NAME handshake COMMAND my_test --quick
#                    [BACKENDS openssl mbedtls]   # default: every backend
#                    [SKIP_MISSING]               # see below
#                    [WORKING_DIRECTORY dir]
#                    [LABELS l ...] [ENVIRONMENT VAR=value ...]
#                    [PROPERTIES prop value ...]  # any other test property
#                    [TESTS_VAR var])             # receives the test names
#
# registers handshake[openssl], handshake[mbedtls], ...; each runs COMMAND
# with OMNITLS_BACKEND=<backend> (what otls_ctx_new(NULL, ...) selects) and
# OMNITLS_PLUGIN_PATH=<the package's plugin directory>, and carries the
# label <backend>, so `ctest -L mbedtls` runs one column.
#
# A backend named in BACKENDS that this omnitls does not have, or a plugin
# backend whose module is missing from the install, stops the configure
# step (FATAL_ERROR): a test that can never pass is a configuration error,
# and CTest would otherwise report it as a failure of the code under test.
# With SKIP_MISSING such a backend is left out with a WARNING instead (for
# projects that test "whatever this machine has" from a longer list).

function(omnitls_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 _ota "SKIP_MISSING" "NAME;WORKING_DIRECTORY;TESTS_VAR"
    "COMMAND;BACKENDS;LABELS;ENVIRONMENT;PROPERTIES")
  if(_ota_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "omnitls_add_test: unknown arguments: ${_ota_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT _ota_NAME)
    message(FATAL_ERROR "omnitls_add_test: NAME is required")
  endif()
  if(NOT _ota_COMMAND)
    message(FATAL_ERROR "omnitls_add_test(${_ota_NAME}): COMMAND is required")
  endif()
  if(NOT DEFINED omnitls_BACKENDS)
    message(FATAL_ERROR "omnitls_add_test(${_ota_NAME}): call find_package(omnitls) (or add "
      "the omnitls tree with add_subdirectory/FetchContent) first")
  endif()
  if(omnitls_DIR)
    set(_where "${omnitls_DIR}")
  else()
    set(_where "source tree ${omnitls_SOURCE_DIR}")
  endif()
  list(LENGTH _ota_PROPERTIES _n)
  math(EXPR _odd "${_n} % 2")
  if(_odd)
    message(FATAL_ERROR "omnitls_add_test(${_ota_NAME}): PROPERTIES takes name/value pairs")
  endif()

  set(_wanted "${_ota_BACKENDS}")
  if(NOT _wanted)
    set(_wanted "${omnitls_BACKENDS}")
  endif()
  list(REMOVE_DUPLICATES _wanted)
  list(JOIN omnitls_BACKENDS ", " _have)

  set(_names "")
  foreach(b IN LISTS _wanted)
    set(_why "")
    if(NOT b IN_LIST omnitls_BACKENDS)
      set(_why "this omnitls (${_where}) was built without the ${b} backend; it has: ${_have}")
    elseif(b IN_LIST omnitls_PLUGIN_BACKENDS AND NOT omnitls_PLUGINS_BUILT_HERE
           AND NOT EXISTS "${omnitls_PLUGIN_DIR}/omnitls-${b}.so")
      set(_why "the ${b} plugin is not installed: ${omnitls_PLUGIN_DIR}/omnitls-${b}.so is missing")
    endif()
    if(_why)
      if(_ota_SKIP_MISSING)
        message(WARNING "omnitls_add_test(${_ota_NAME}): ${_why}; ${_ota_NAME}[${b}] not added")
        continue()
      endif()
      message(FATAL_ERROR "omnitls_add_test(${_ota_NAME}): ${_why}")
    endif()

    set(_test "${_ota_NAME}[${b}]")
    if(_ota_WORKING_DIRECTORY)
      add_test(NAME "${_test}" COMMAND ${_ota_COMMAND} WORKING_DIRECTORY "${_ota_WORKING_DIRECTORY}")
    else()
      add_test(NAME "${_test}" COMMAND ${_ota_COMMAND})
    endif()
    # PROPERTIES first, so that an ENVIRONMENT or LABELS among them adds to
    # the backend's instead of replacing it.
    if(_ota_PROPERTIES)
      set_tests_properties("${_test}" PROPERTIES ${_ota_PROPERTIES})
    endif()
    set_property(TEST "${_test}" APPEND PROPERTY ENVIRONMENT
      "OMNITLS_BACKEND=${b}" "OMNITLS_PLUGIN_PATH=${omnitls_PLUGIN_DIR}" ${_ota_ENVIRONMENT})
    set_property(TEST "${_test}" APPEND PROPERTY LABELS "${b}" ${_ota_LABELS})
    list(APPEND _names "${_test}")
  endforeach()
  if(_ota_TESTS_VAR)
    set(${_ota_TESTS_VAR} "${_names}" PARENT_SCOPE)
  endif()
endfunction()
