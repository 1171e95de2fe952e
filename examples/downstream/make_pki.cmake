# The echo test's PKI, made with the openssl command at test time:
#   cmake -DOPENSSL=/usr/bin/openssl -DDIR=pki -P make_pki.cmake
# DIR/ca.pem (the trust anchor), DIR/server.pem and DIR/server.key
# (CN and SAN localhost, signed by the CA). EC P-256, valid two days.
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
file(WRITE "${DIR}/server.ext" "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
  "subjectAltName=DNS:localhost\n")
function(ossl)
  execute_process(COMMAND "${OPENSSL}" ${ARGN} WORKING_DIRECTORY "${DIR}"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "openssl ${ARGN}: ${err}")
  endif()
endfunction()
ossl(req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2
  -keyout ca.key -out ca.pem -subj "/CN=downstream test CA"
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign)
ossl(req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key
  -out server.csr -subj "/CN=localhost")
ossl(x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2
  -extfile server.ext -out server.pem)
file(REMOVE "${DIR}/ca.key" "${DIR}/server.csr" "${DIR}/server.ext")
