# FindMbedTLS
# -----------
# Finds mbedTLS (2.28 or 3.x). Debian ships neither a pkg-config file nor a
# CMake package for it, so this looks for the header and the three libraries.
#
# Result variables:
#   MbedTLS_FOUND, MbedTLS_VERSION, MbedTLS_INCLUDE_DIRS, MbedTLS_LIBRARIES
# Cache variables:
#   MbedTLS_INCLUDE_DIR, MbedTLS_LIBRARY, MbedX509_LIBRARY, MbedCrypto_LIBRARY
# Imported targets (GLOBAL, so that a target in another directory may link
# them; each links the next):
#   MbedTLS::mbedtls -> MbedTLS::mbedx509 -> MbedTLS::mbedcrypto
#
# Hints: MbedTLS_ROOT (CMake's <Package>_ROOT) or CMAKE_PREFIX_PATH.

find_path(MbedTLS_INCLUDE_DIR NAMES mbedtls/ssl.h)
find_library(MbedTLS_LIBRARY NAMES mbedtls)
find_library(MbedX509_LIBRARY NAMES mbedx509)
find_library(MbedCrypto_LIBRARY NAMES mbedcrypto)

# The version is in mbedtls/version.h in 2.x and in mbedtls/build_info.h in
# 3.x (version.h only includes it there); the config header is not read
# (config.h in 2.x, mbedtls_config.h in 3.x).
unset(MbedTLS_VERSION)
foreach(_mbedtls_header version.h build_info.h)
  if(NOT MbedTLS_VERSION AND MbedTLS_INCLUDE_DIR
     AND EXISTS "${MbedTLS_INCLUDE_DIR}/mbedtls/${_mbedtls_header}")
    file(STRINGS "${MbedTLS_INCLUDE_DIR}/mbedtls/${_mbedtls_header}" _mbedtls_version_line
         REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
    if(_mbedtls_version_line MATCHES "\"([0-9.]+)\"")
      set(MbedTLS_VERSION "${CMAKE_MATCH_1}")
    endif()
    unset(_mbedtls_version_line)
  endif()
endforeach()
unset(_mbedtls_header)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedTLS
  REQUIRED_VARS MbedTLS_LIBRARY MbedX509_LIBRARY MbedCrypto_LIBRARY MbedTLS_INCLUDE_DIR
  VERSION_VAR MbedTLS_VERSION)

if(MbedTLS_FOUND)
  set(MbedTLS_INCLUDE_DIRS "${MbedTLS_INCLUDE_DIR}")
  set(MbedTLS_LIBRARIES "${MbedTLS_LIBRARY}" "${MbedX509_LIBRARY}" "${MbedCrypto_LIBRARY}")
  # Global: the core links a backend's INTERFACE_LINK_LIBRARIES from its own
  # directory, where directory-scoped imported targets would be unknown.
  if(NOT TARGET MbedTLS::mbedcrypto)
    add_library(MbedTLS::mbedcrypto UNKNOWN IMPORTED GLOBAL)
    set_target_properties(MbedTLS::mbedcrypto PROPERTIES
      IMPORTED_LOCATION "${MbedCrypto_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
  endif()
  if(NOT TARGET MbedTLS::mbedx509)
    add_library(MbedTLS::mbedx509 UNKNOWN IMPORTED GLOBAL)
    set_target_properties(MbedTLS::mbedx509 PROPERTIES
      IMPORTED_LOCATION "${MbedX509_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
  endif()
  if(NOT TARGET MbedTLS::mbedtls)
    add_library(MbedTLS::mbedtls UNKNOWN IMPORTED GLOBAL)
    set_target_properties(MbedTLS::mbedtls PROPERTIES
      IMPORTED_LOCATION "${MbedTLS_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
  endif()
endif()

mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_LIBRARY MbedX509_LIBRARY MbedCrypto_LIBRARY)
