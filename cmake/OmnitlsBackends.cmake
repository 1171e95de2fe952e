# Backend selection. Each backend has an option OTLS_WITH_<NAME> = AUTO|ON|OFF:
# AUTO builds it when its TLS library is found, ON fails when it is not.
# OTLS_DEFAULT_BACKEND picks the backend otls_ctx_new(NULL, ...) uses; empty
# means the first backend built.

set(OTLS_DEFAULT_BACKEND "" CACHE STRING "Backend used when none is named")
set(OTLS_BACKENDS "" CACHE INTERNAL "")

macro(otls_backend name description)
  string(TOUPPER "${name}" _upper)
  set(OTLS_WITH_${_upper} AUTO CACHE STRING "Build the ${description} backend (AUTO, ON, OFF)")
  set_property(CACHE OTLS_WITH_${_upper} PROPERTY STRINGS AUTO ON OFF)
  if(NOT OTLS_WITH_${_upper} STREQUAL "OFF")
    # The backend's CMakeLists sets OTLS_BACKEND_FOUND when its library is there.
    set(OTLS_BACKEND_FOUND FALSE)
    add_subdirectory("${CMAKE_CURRENT_SOURCE_DIR}/backends/${name}")
    if(OTLS_BACKEND_FOUND)
      list(APPEND _otls_backends ${name})
      message(STATUS "omnitls: backend ${name}: enabled")
    elseif(OTLS_WITH_${_upper} STREQUAL "ON")
      message(FATAL_ERROR "omnitls: OTLS_WITH_${_upper}=ON but ${description} was not found")
    else()
      message(STATUS "omnitls: backend ${name}: not found, skipped")
    endif()
  endif()
endmacro()

function(otls_finish_backends)
  if(NOT _otls_backends)
    message(FATAL_ERROR "omnitls: no TLS backend enabled or found")
  endif()
  set(default "${OTLS_DEFAULT_BACKEND}")
  if(default STREQUAL "")
    list(GET _otls_backends 0 default)
  elseif(NOT default IN_LIST _otls_backends)
    message(FATAL_ERROR "omnitls: OTLS_DEFAULT_BACKEND=${default} is not among the built backends (${_otls_backends})")
  endif()
  set(OTLS_BACKENDS "${_otls_backends}" CACHE INTERNAL "")
  set(OTLS_DEFAULT "${default}" CACHE INTERNAL "")
  message(STATUS "omnitls: default backend ${default}")
endfunction()
