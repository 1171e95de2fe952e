# The certificate decoder's sources (core/cert/). The library lists them in
# core/CMakeLists.txt (OTLS_CORE_SOURCES); the decoder-only builds of the
# tests and the fuzzer include this file to compile them without any TLS
# backend. cert_conn.c needs the connection and is library-only.
set(OTI_CERT_DECODER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/cert_arena.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_asn1.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_ext.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_json.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_key.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_name.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_oid.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_san.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_serial.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_string.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_time.c
  ${CMAKE_CURRENT_LIST_DIR}/sha256.c
)
# Core files the decoder uses (allocator, errors, PEM).
set(OTI_CERT_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/../alloc.c
  ${CMAKE_CURRENT_LIST_DIR}/../fmt.c
  ${CMAKE_CURRENT_LIST_DIR}/../pem.c
  ${CMAKE_CURRENT_LIST_DIR}/../status.c
)
