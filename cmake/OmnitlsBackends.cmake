# Backend selection. Each backend has an option OTLS_WITH_<NAME> = AUTO|ON|OFF:
# AUTO builds it when its TLS library is found, ON fails when it is not.
#
# A built backend is either linked into libomnitls ("built in") or built as a
# plugin module, omnitls-<name>.so, that the library loads with
# dlopen(RTLD_LOCAL) at run time. OTLS_PLUGINS lists the plugin backends;
# AUTO makes wolfSSL a plugin when OpenSSL is built too, because the two
# cannot share one link: libwolfssl exports unprefixed SSL_* symbols that
# silently take the place of libssl's.
#
# OTLS_DEFAULT_BACKEND picks the backend otls_ctx_new(NULL, ...) uses; empty
# means the first built-in backend.

set(OTLS_DEFAULT_BACKEND "" CACHE STRING "Backend used when none is named")
set(OTLS_PLUGINS "AUTO" CACHE STRING "Backends to build as run-time plugins (list, or AUTO)")
option(OTLS_ENABLE_PLUGINS "Let the library load backend plugins (needs dlopen)" ON)

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

  set(plugins "${OTLS_PLUGINS}")
  if(plugins STREQUAL "AUTO")
    set(plugins "")
    if("openssl" IN_LIST _otls_backends AND "wolfssl" IN_LIST _otls_backends)
      set(plugins wolfssl)
    endif()
  endif()
  set(builtin "")
  set(plugin "")
  foreach(b IN LISTS _otls_backends)
    if(b IN_LIST plugins)
      list(APPEND plugin ${b})
    else()
      list(APPEND builtin ${b})
    endif()
  endforeach()
  if("openssl" IN_LIST builtin AND "wolfssl" IN_LIST builtin)
    message(FATAL_ERROR "omnitls: OpenSSL and wolfSSL cannot be linked into one library: "
      "libwolfssl's unprefixed SSL_* symbols would silently replace libssl's. Build one "
      "of them as a plugin, e.g. -DOTLS_PLUGINS=wolfssl (the default, AUTO, does that).")
  endif()
  if(plugin AND NOT OTLS_ENABLE_PLUGINS)
    message(FATAL_ERROR "omnitls: OTLS_PLUGINS=${plugin} but OTLS_ENABLE_PLUGINS is OFF")
  endif()
  if(NOT builtin)
    message(FATAL_ERROR "omnitls: at least one backend must be built in (plugins: ${plugin})")
  endif()

  set(default "${OTLS_DEFAULT_BACKEND}")
  if(default STREQUAL "")
    list(GET builtin 0 default)
  elseif(NOT default IN_LIST _otls_backends)
    message(FATAL_ERROR "omnitls: OTLS_DEFAULT_BACKEND=${default} is not among the built backends (${_otls_backends})")
  endif()
  set(OTLS_BACKENDS "${_otls_backends}" CACHE INTERNAL "every backend built")
  set(OTLS_BUILTIN_BACKENDS "${builtin}" CACHE INTERNAL "backends linked into the library")
  set(OTLS_PLUGIN_BACKENDS "${plugin}" CACHE INTERNAL "backends built as plugins")
  set(OTLS_DEFAULT "${default}" CACHE INTERNAL "")
  message(STATUS "omnitls: built-in backends: ${builtin}; plugins: ${plugin}; default: ${default}")
endfunction()

# Plugin modules: the backend's objects plus an entry point, in one directory
# of the build tree that the library also searches (tests run uninstalled).
set(OTLS_PLUGIN_BUILD_DIR "${CMAKE_BINARY_DIR}/plugins")
set(OTLS_PLUGIN_INSTALL_DIR "${CMAKE_INSTALL_FULL_LIBDIR}/omnitls/plugins")
set(OTLS_PLUGIN_INSTALL_LIBDIR "${CMAKE_INSTALL_LIBDIR}/omnitls/plugins")

function(otls_add_plugin name)
  set(entry "${CMAKE_CURRENT_BINARY_DIR}/plugin_entry_${name}.c")
  set(OTI_PLUGIN_NAME ${name})
  configure_file("${PROJECT_SOURCE_DIR}/core/plugin_entry.c.in" "${entry}" @ONLY)
  # Core rules a backend calls (its OTI_CORE_SOURCES, e.g. name_check.c):
  # linked in, it reaches the library's; as a plugin it may not, so the
  # module gets its own copy.
  get_target_property(core_sources otls_backend_${name} OTI_CORE_SOURCES)
  if(NOT core_sources)
    set(core_sources "")
  endif()
  list(TRANSFORM core_sources PREPEND "${PROJECT_SOURCE_DIR}/core/")
  add_library(omnitls-${name} MODULE "${entry}" $<TARGET_OBJECTS:otls_backend_${name}>
    ${core_sources})
  target_include_directories(omnitls-${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(omnitls-${name} PRIVATE ${OTLS_WARNINGS} -fvisibility=hidden)
  target_link_libraries(omnitls-${name} PRIVATE
    $<TARGET_PROPERTY:otls_backend_${name},INTERFACE_LINK_LIBRARIES>)
  # A plugin must not leave undefined symbols for the host to fill (but the
  # sanitizer run time, which clang links into executables only).
  if(NOT OTLS_SANITIZE)
    target_link_options(omnitls-${name} PRIVATE -Wl,--no-undefined)
  endif()
  set_target_properties(omnitls-${name} PROPERTIES PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY "${OTLS_PLUGIN_BUILD_DIR}")
  # Relative, so that `cmake --install --prefix` and DESTDIR move it too.
  install(TARGETS omnitls-${name} LIBRARY DESTINATION "${OTLS_PLUGIN_INSTALL_LIBDIR}")
endfunction()
