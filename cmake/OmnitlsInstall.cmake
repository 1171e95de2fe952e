# The install tree beyond the targets' own rules: the CMake package
# (omnitlsConfig.cmake, its version file, the exported targets), omnitls.pc
# and omnitls-static.pc, the man pages and the CLI's run path. Included by
# the top-level CMakeLists.txt once every target exists.
#
# A static link of libomnitls.a needs the TLS libraries of the backends
# built into it. Each backend says which in its object library's
# INTERFACE_LINK_LIBRARIES; this file turns those into
#   - find_package() calls in omnitlsConfig.cmake (known packages: OpenSSL,
#     and mbedTLS through the FindMbedTLS.cmake installed next to it), or
#     pkg_check_modules() for PkgConfig:: targets (wolfSSL),
#   - Requires.private (modules with a .pc file) and Libs.private in
#     omnitls.pc,
# and anything it does not know is written as the library files found here.
# Plugins link their own TLS library and need nothing from the consumer.

include(CMakePackageConfigHelpers)

set(OTLS_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/omnitls"
    CACHE STRING "Where to install omnitlsConfig.cmake (relative to the prefix)")
set(OTLS_PKGCONFIG_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where to install omnitls.pc (relative to the prefix)")
option(OTLS_INSTALL_RPATH "Give the installed omnitls tool a run path relative to itself" ON)

# Library files behind an imported target, recursively (for the fallback).
function(_otls_flatten_target tgt out)
  set(files "")
  get_target_property(type ${tgt} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(loc ${tgt} IMPORTED_LOCATION)
    if(NOT loc)
      get_target_property(configs ${tgt} IMPORTED_CONFIGURATIONS)
      foreach(c IN LISTS configs)
        get_target_property(loc ${tgt} IMPORTED_LOCATION_${c})
        if(loc)
          break()
        endif()
      endforeach()
    endif()
    if(loc)
      list(APPEND files "${loc}")
    endif()
  endif()
  get_target_property(deps ${tgt} INTERFACE_LINK_LIBRARIES)
  foreach(d IN LISTS deps)
    if(TARGET ${d})
      _otls_flatten_target(${d} sub)
      list(APPEND files ${sub})
    elseif(d AND NOT d MATCHES "^\\$<")
      list(APPEND files "${d}")
    endif()
  endforeach()
  set(${out} "${files}" PARENT_SCOPE)
endfunction()

# A library file or name as a linker flag: /usr/lib/libfoo.so -> -lfoo.
function(_otls_lib_flag item out)
  if(item MATCHES "^-")
    set(flag "${item}")
  elseif(IS_ABSOLUTE "${item}")
    get_filename_component(dir "${item}" DIRECTORY)
    get_filename_component(name "${item}" NAME_WE)
    string(REGEX REPLACE "^lib" "" name "${name}")
    set(flag "-l${name}")
    if(NOT dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
      set(flag "-L${dir} ${flag}")
    endif()
  else()
    set(flag "-l${item}")
  endif()
  set(${out} "${flag}" PARENT_SCOPE)
endfunction()

set(_cfg_find "")        # CMake code for omnitlsConfig.cmake
set(_static_link "")     # INSTALL_INTERFACE link items of omnitls_static
set(_pc_requires "")     # Requires.private
set(_pc_libs "")         # Libs.private
set(_known_openssl FALSE)
set(_known_mbedtls FALSE)
set(_known_pkgconfig "")

foreach(b IN LISTS OTLS_BUILTIN_BACKENDS)
  get_target_property(_items otls_backend_${b} INTERFACE_LINK_LIBRARIES)
  if(NOT _items)
    continue()
  endif()
  foreach(item IN LISTS _items)
    if(item MATCHES "^OpenSSL::(SSL|Crypto)$")
      if(NOT _known_openssl)
        set(_known_openssl TRUE)
        string(APPEND _cfg_find "_omnitls_static_dep(OpenSSL \"OpenSSL 3 (libssl-dev)\" 3)\n")
      endif()
      list(APPEND _static_link "${item}")
      if(item STREQUAL "OpenSSL::SSL")
        list(APPEND _pc_requires libssl)
      else()
        list(APPEND _pc_requires libcrypto)
      endif()
    elseif(item MATCHES "^MbedTLS::")
      if(NOT _known_mbedtls)
        set(_known_mbedtls TRUE)
        string(APPEND _cfg_find
          "_omnitls_static_dep(MbedTLS \"mbedTLS 2.28 (libmbedtls-dev)\" 2.28)\n")
        # Debian's mbedTLS has no .pc file: name its libraries.
        list(APPEND _pc_libs -lmbedtls -lmbedx509 -lmbedcrypto)
      endif()
      list(APPEND _static_link "${item}")
    elseif(item MATCHES "^PkgConfig::(.+)$")
      # A pkg-config module (wolfSSL): found again by pkg-config in the
      # package, and required by omnitls.pc. The module is the one the
      # backend asked pkg_check_modules() for (its cached arguments).
      set(_prefix "${CMAKE_MATCH_1}")
      string(TOLOWER "${_prefix}" _module)
      foreach(arg IN LISTS __pkg_config_arguments_${_prefix})
        if(NOT arg MATCHES "^(REQUIRED|QUIET|IMPORTED_TARGET|GLOBAL|NO_CMAKE_PATH|NO_CMAKE_ENVIRONMENT_PATH)$")
          string(REGEX REPLACE "[<>=].*$" "" _module "${arg}")
        endif()
      endforeach()
      if(NOT _prefix IN_LIST _known_pkgconfig)
        list(APPEND _known_pkgconfig "${_prefix}")
        string(APPEND _cfg_find
          "_omnitls_static_pkgconfig(${_prefix} ${_module} \"${_module} (pkg-config)\")\n")
      endif()
      list(APPEND _static_link "${item}")
      list(APPEND _pc_requires "${_module}")
    elseif(TARGET ${item})
      # Unknown imported target: the files it stands for on this machine.
      _otls_flatten_target(${item} _files)
      foreach(f IN LISTS _files)
        list(APPEND _static_link "${f}")
        _otls_lib_flag("${f}" _flag)
        list(APPEND _pc_libs "${_flag}")
      endforeach()
      message(STATUS "omnitls: static link of backend ${b}: ${item} exported as ${_files}")
    else()
      list(APPEND _static_link "${item}")
      _otls_lib_flag("${item}" _flag)
      list(APPEND _pc_libs "${_flag}")
    endif()
  endforeach()
endforeach()
if(OTLS_ENABLE_PLUGINS AND CMAKE_DL_LIBS)
  list(APPEND _static_link ${CMAKE_DL_LIBS})
  foreach(l IN LISTS CMAKE_DL_LIBS)
    list(APPEND _pc_libs "-l${l}")
  endforeach()
endif()
list(REMOVE_DUPLICATES _pc_requires)
list(REMOVE_DUPLICATES _pc_libs)
list(REMOVE_DUPLICATES _static_link)

# omnitls_static links its TLS libraries privately, through the backends'
# object libraries, which are not installed: the installed target names the
# same libraries directly.
get_target_property(_build_link omnitls_static INTERFACE_LINK_LIBRARIES)
if(NOT _build_link)
  set(_build_link "")
endif()
set(_install_link "")
foreach(item IN LISTS _static_link)
  list(APPEND _install_link "$<LINK_ONLY:${item}>")
endforeach()
set_property(TARGET omnitls_static PROPERTY INTERFACE_LINK_LIBRARIES
  "$<BUILD_INTERFACE:${_build_link}>" "$<INSTALL_INTERFACE:${_install_link}>")

# A project that adds this tree with add_subdirectory() or FetchContent gets
# the installed package's target names, and the generated version.h (the
# tree's own targets have it through the top-level include_directories).
foreach(t omnitls omnitls_static)
  target_include_directories(${t} PUBLIC $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
  add_library(omnitls::${t} ALIAS ${t})
endforeach()
# ... and the package's variables and omnitls_add_test(). Cache entries,
# because the including project may add this tree from inside a function
# (FetchContent_MakeAvailable), where PARENT_SCOPE would not reach it.
if(NOT CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  set(omnitls_VERSION "${PROJECT_VERSION}" CACHE INTERNAL "omnitls version (source tree)")
  set(omnitls_BACKENDS "${OTLS_BACKENDS}" CACHE INTERNAL "every backend built")
  set(omnitls_BUILTIN_BACKENDS "${OTLS_BUILTIN_BACKENDS}" CACHE INTERNAL "backends linked in")
  set(omnitls_PLUGIN_BACKENDS "${OTLS_PLUGIN_BACKENDS}" CACHE INTERNAL "backends built as plugins")
  set(omnitls_DEFAULT_BACKEND "${OTLS_DEFAULT}" CACHE INTERNAL "otls_ctx_new(NULL)'s backend")
  set(omnitls_PLUGIN_DIR "${OTLS_PLUGIN_BUILD_DIR}" CACHE INTERNAL "where the plugins are built")
  # Built by this build, so not there yet when omnitls_add_test() runs.
  set(omnitls_PLUGINS_BUILT_HERE ON CACHE INTERNAL "plugins come from this build")
  include("${CMAKE_CURRENT_LIST_DIR}/OmnitlsAddTest.cmake")
endif()

# The CMake package.
install(EXPORT omnitlsTargets NAMESPACE omnitls:: DESTINATION "${OTLS_CMAKE_INSTALL_DIR}")
install(EXPORT omnitlsStaticTargets NAMESPACE omnitls:: DESTINATION "${OTLS_CMAKE_INSTALL_DIR}")
set(OTLS_CONFIG_FIND_DEPS "${_cfg_find}")
set(OTLS_CONFIG_PLUGIN_DIR "${OTLS_PLUGIN_INSTALL_LIBDIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/omnitlsConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/omnitlsConfig.cmake"
  INSTALL_DESTINATION "${OTLS_CMAKE_INSTALL_DIR}"
  PATH_VARS OTLS_CONFIG_PLUGIN_DIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor release may break the API, so only the same minor matches.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_compat SameMinorVersion)
else()
  set(_compat SameMajorVersion)
endif()
write_basic_package_version_file("${PROJECT_BINARY_DIR}/cmake/omnitlsConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${_compat})
set(_cmake_files
  "${PROJECT_BINARY_DIR}/cmake/omnitlsConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/omnitlsConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/OmnitlsAddTest.cmake")
if(_known_mbedtls)
  list(APPEND _cmake_files "${CMAKE_CURRENT_LIST_DIR}/FindMbedTLS.cmake")
endif()
install(FILES ${_cmake_files} DESTINATION "${OTLS_CMAKE_INSTALL_DIR}")

# omnitls.pc, relocatable: the prefix is found from the file's own place.
if(IS_ABSOLUTE "${OTLS_PKGCONFIG_INSTALL_DIR}")
  set(OTLS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _rel "/root/${OTLS_PKGCONFIG_INSTALL_DIR}" "/root")
  string(REGEX REPLACE "/$" "" _rel "${_rel}")
  set(OTLS_PC_PREFIX "\${pcfiledir}/${_rel}")
endif()
foreach(v LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${v}}")
    set(OTLS_PC_${v} "${CMAKE_INSTALL_${v}}")
  else()
    set(OTLS_PC_${v} "\${prefix}/${CMAKE_INSTALL_${v}}")
  endif()
endforeach()
list(JOIN _pc_requires " " OTLS_PC_REQUIRES_PRIVATE)
list(JOIN _pc_libs " " OTLS_PC_LIBS_PRIVATE)
list(JOIN OTLS_BACKENDS " " OTLS_PC_BACKENDS)
list(JOIN OTLS_BUILTIN_BACKENDS " " OTLS_PC_BUILTIN)
list(JOIN OTLS_PLUGIN_BACKENDS " " OTLS_PC_PLUGINS)
foreach(pc omnitls omnitls-static)
  configure_file("${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in" "${PROJECT_BINARY_DIR}/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc}.pc" DESTINATION "${OTLS_PKGCONFIG_INSTALL_DIR}")
endforeach()

# The omnitls tool finds libomnitls.so next to it (prefix/lib) wherever the
# tree is installed, without ldconfig or LD_LIBRARY_PATH.
if(TARGET omnitls_cli AND OTLS_INSTALL_RPATH AND NOT IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  file(RELATIVE_PATH _bin_to_lib "/root/${CMAKE_INSTALL_BINDIR}" "/root/${CMAKE_INSTALL_LIBDIR}")
  set_target_properties(omnitls_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_bin_to_lib}")
endif()

# Man pages: one page per function family (docs/man/*.3), and for every
# other function a one-line page that sources its family's page, as
# libtls's MLINKS do, so that `man otls_read` works. The links are made
# from the .Nm lines of each page, so they follow the pages.
if(OTLS_INSTALL_MANPAGES)
  file(GLOB _man_pages "${PROJECT_SOURCE_DIR}/docs/man/*.3")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_man_pages})
  set(_man_links_dir "${PROJECT_BINARY_DIR}/docs/man-links")
  file(REMOVE_RECURSE "${_man_links_dir}")
  foreach(page IN LISTS _man_pages)
    get_filename_component(_page_name "${page}" NAME)
    get_filename_component(_page_base "${page}" NAME_WE)
    # The names a page documents: its .Nm lines in the NAME section.
    file(STRINGS "${page}" _lines REGEX "^\\.(Sh|Nm) ")
    set(_in_name FALSE)
    foreach(line IN LISTS _lines)
      if(line MATCHES "^\\.Sh ")
        string(COMPARE EQUAL "${line}" ".Sh NAME" _in_name)
      elseif(_in_name AND line MATCHES "^\\.Nm ([a-z_0-9]+)")
        set(fn "${CMAKE_MATCH_1}")
        if(NOT fn STREQUAL _page_base AND NOT EXISTS "${_man_links_dir}/${fn}.3")
          file(WRITE "${_man_links_dir}/${fn}.3" ".so man3/${_page_name}\n")
        endif()
      endif()
    endforeach()
  endforeach()
  install(FILES ${_man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man3")
  install(DIRECTORY "${_man_links_dir}/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man3"
    FILES_MATCHING PATTERN "*.3")
endif()
