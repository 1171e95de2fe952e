# Builds the fuzzer's seed corpus: the conformance certificates converted to
# DER (with the openssl CLI) and as PEM, and the decoder's own test cases.
#   cmake -DCORPUS=<certs dir> -DCASES=<tests/cert/cases> -DOUT=<dir>
#         -DOPENSSL=<openssl> -P make_seeds.cmake
file(MAKE_DIRECTORY "${OUT}")
file(GLOB pems "${CORPUS}/*.pem")
if(NOT pems)
  message(FATAL_ERROR "fuzz seeds: no certificates in ${CORPUS} (the conformance corpus is expected at ../shared/conformance/certs)")
endif()
foreach(pem IN LISTS pems)
  get_filename_component(name "${pem}" NAME_WE)
  execute_process(COMMAND "${OPENSSL}" x509 -in "${pem}" -outform DER -out "${OUT}/${name}.der"
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(WARNING "fuzz seeds: openssl could not convert ${pem}")
  endif()
  configure_file("${pem}" "${OUT}/pem-${name}" COPYONLY)
endforeach()
file(GLOB ders "${CASES}/*.der")
foreach(der IN LISTS ders)
  get_filename_component(name "${der}" NAME)
  configure_file("${der}" "${OUT}/case-${name}" COPYONLY)
endforeach()
