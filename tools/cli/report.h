/* The REPORT of one connection: everything omnitls can say about it after
 * the handshake, as one JSON object. The field names are an interface: other
 * tools read them. */
#ifndef OTLS_CLI_REPORT_H
#define OTLS_CLI_REPORT_H

#include <omnitls/omnitls.h>

#include "json.h"

/* Appends the REPORT of conn (handshake done) to w as one JSON object. A
 * failing introspection call gives null for its field and an entry in
 * "errors"; it does not stop the report. */
void cli_report_write(struct cli_json *w, otls_conn *conn);

#endif
