/* omnitls: X.509 certificate decoding.
 *
 * Certificates are decoded once, in the core, from DER, so every backend
 * gives the same answer. Two views of a certificate:
 *
 *  - otls_cert, a typed C view: what Python's ssl.SSLSocket.getpeercert()
 *    reports (subject, issuer, version, serial, validity, subjectAltName,
 *    OCSP, caIssuers, crlDistributionPoints), plus facts Python does not
 *    give (key algorithm and size, signature algorithm, basicConstraints,
 *    key usage, extended key usage); the SHA-256 fingerprint on request
 *    (otls_cert_sha256).
 *  - JSON, byte for byte what json.dumps(getpeercert()) prints in CPython
 *    linked with OpenSSL 3.0 (see otls_cert_to_json).
 *
 * The decoder follows CPython: a certificate CPython refuses (OpenSSL's
 * d2i_X509 rejects it, or CPython cannot render a value: invalid UTF-8 in a
 * dNSName, a SEQUENCE-valued name attribute ...) gives OTLS_ERR_PARSE with a
 * one-line reason, never a partial answer. An extension OpenSSL cannot
 * decode is left out, as CPython leaves it out. Like OpenSSL, the decoder
 * also reads the BER forms DER forbids (indefinite lengths, constructed
 * strings, non-minimal lengths and tags).
 *
 * Everything an otls_cert points to is owned by it and freed by
 * otls_cert_free(). Strings are UTF-8 and NUL-terminated; values that may
 * hold NUL characters come with a length as well.
 */
#ifndef OMNITLS_CERT_H
#define OMNITLS_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An OID and its name. */
typedef struct otls_cert_oid {
    const char *oid;  /* dotted form, "2.5.4.3" */
    const char *name; /* OpenSSL 3.0's long name ("commonName"), else the
                       * dotted form (as OBJ_obj2txt prints it) */
} otls_cert_oid;

/* A counted UTF-8 string (NUL-terminated as well; may contain NUL). */
typedef struct otls_cert_text {
    const char *data;
    size_t len;
} otls_cert_text;

/* One attribute of a distinguished name: (long name, value) in Python. */
typedef struct otls_cert_attr {
    const char *oid;   /* dotted OID */
    const char *name;  /* Python's key: long name or dotted OID */
    const char *value; /* UTF-8, converted as OpenSSL's ASN1_STRING_to_UTF8
                        * does (BMPString, UniversalString, T61String and
                        * IA5String read as UCS-2, UCS-4 and Latin-1);
                        * NUL-terminated, may hold NUL: use value_len */
    size_t value_len;
    /* 1: value is raw bytes (a BIT STRING such as x500UniqueIdentifier,
     * which Python returns as bytes; unused bits cleared). A BIT STRING of
     * no octets has value NULL: Python's None, JSON null. */
    int is_bytes;
    int asn1_tag; /* universal tag of the encoded value (12 UTF8String,
                   * 19 PrintableString, 3 BIT STRING ...) */
} otls_cert_attr;

/* A relative distinguished name: one or more attributes. */
typedef struct otls_cert_rdn {
    const otls_cert_attr *attrs;
    size_t count;
} otls_cert_rdn;

/* A distinguished name: RDNs in encoded order (Python's tuple of tuples). */
typedef struct otls_cert_name {
    const otls_cert_rdn *rdns;
    size_t count;
} otls_cert_name;

/* GeneralName choices (the values are the ASN.1 context tags). */
typedef enum otls_san_type {
    OTLS_SAN_OTHER_NAME = 0,
    OTLS_SAN_EMAIL = 1,
    OTLS_SAN_DNS = 2,
    OTLS_SAN_X400 = 3,
    OTLS_SAN_DIRNAME = 4,
    OTLS_SAN_EDI_PARTY = 5,
    OTLS_SAN_URI = 6,
    OTLS_SAN_IP = 7,
    OTLS_SAN_REGISTERED_ID = 8
} otls_san_type;

/* One subjectAltName entry: (label, value) in Python. */
typedef struct otls_cert_san {
    otls_san_type type;
    const char *label; /* "DNS", "email", "URI", "IP Address", "DirName",
                        * "Registered ID", "othername", "X400Name",
                        * "EdiPartyName" */
    const char *value; /* Python's text: the raw DNS/email/URI value; dotted
                        * IPv4 or eight uppercase hex groups for IPv6
                        * ("0:0:0:0:0:0:0:1"), "<invalid>" for other
                        * lengths; long name or dotted OID for Registered
                        * ID; "UPN:...", "SmtpUTF8Mailbox:...", "XmppAddr:...",
                        * "SRVName:...", "NAIRealm:..." or "<unsupported>"
                        * for othername; "<unsupported>" for X400Name and
                        * EdiPartyName. NULL for DirName. May hold NUL. */
    size_t value_len;
    otls_cert_name dirname; /* DirName only */
    const uint8_t *raw;     /* the encoded content: the address octets (IP),
                             * the IA5String bytes (DNS, email, URI), the
                             * encoded OID (Registered ID), the whole
                             * element otherwise */
    size_t raw_len;
    otls_cert_oid other_name_type; /* othername: its type-id; else NULLs */
} otls_cert_san;

/* A validity date. */
typedef struct otls_cert_time {
    const char *text; /* Python's text: "Mon DD HH:MM:SS YYYY GMT" (day
                       * space-padded, fractional seconds kept), or
                       * "Bad time value" where OpenSSL says so */
    int valid;        /* 0 when text is "Bad time value" */
    int64_t epoch;    /* seconds since 1970-01-01 00:00:00 UTC (fraction
                       * dropped; negative before 1970); 0 when !valid */
} otls_cert_time;

/* Key usage bits (RFC 5280 4.2.1.3): bit n of the KeyUsage BIT STRING. */
#define OTLS_KU_DIGITAL_SIGNATURE (1u << 0)
#define OTLS_KU_NON_REPUDIATION (1u << 1)
#define OTLS_KU_KEY_ENCIPHERMENT (1u << 2)
#define OTLS_KU_DATA_ENCIPHERMENT (1u << 3)
#define OTLS_KU_KEY_AGREEMENT (1u << 4)
#define OTLS_KU_KEY_CERT_SIGN (1u << 5)
#define OTLS_KU_CRL_SIGN (1u << 6)
#define OTLS_KU_ENCIPHER_ONLY (1u << 7)
#define OTLS_KU_DECIPHER_ONLY (1u << 8)

/* A decoded certificate. Read-only: made by the library, freed with
 * otls_cert_free(). Fields are only ever added at the end. */
typedef struct otls_cert {
    /* --- What Python's getpeercert() reports ------------------------- */
    otls_cert_name subject;
    otls_cert_name issuer;
    /* Python's "version": the encoded version field plus one (3 for v3);
     * 0 when the field does not fit a C long (OpenSSL answers -1). */
    long long version;
    const uint8_t *serial; /* magnitude, big-endian, no leading zero ("00"
                            * for zero) */
    size_t serial_len;
    int serial_negative;
    const char *serial_text; /* Python's "serialNumber": uppercase hex, two
                              * digits a byte, "-" first when negative;
                              * past 35 bytes OpenSSL wraps the line and
                              * Python keeps the first line ("...\\\n") */
    otls_cert_time not_before, not_after;
    /* subjectAltName: has_san is 1 when Python reports the key (the
     * extension is present exactly once and OpenSSL can decode it); the
     * list may then be empty. */
    int has_san;
    const otls_cert_san *san;
    size_t san_count;
    /* AIA and CRL distribution point URIs; Python reports each key only
     * when its list is not empty. */
    const otls_cert_text *ocsp;
    size_t ocsp_count;
    const otls_cert_text *ca_issuers;
    size_t ca_issuers_count;
    const otls_cert_text *crl_distribution_points;
    size_t crl_distribution_points_count;

    /* --- Beyond Python ----------------------------------------------- */
    const uint8_t *der; /* the certificate's own encoding (a copy) */
    size_t der_len;
    /* The outer signatureAlgorithm, the SubjectPublicKeyInfo algorithm, and
     * the EC named curve (NULLs for other keys). */
    otls_cert_oid signature_algorithm;
    otls_cert_oid key_algorithm;
    otls_cert_oid key_curve;
    /* As OpenSSL's EVP_PKEY_get_bits(): RSA/DSA modulus bits, EC curve
     * size, 253 for Ed25519, 456 for Ed448; 0 when unknown. */
    unsigned key_bits;
    /* Extensions: has_* is 1 when the extension is present exactly once and
     * decodes (OpenSSL's X509_get_ext_d2i rule), else 0 with the values at
     * their defaults (0; path_len -1). */
    int has_basic_constraints;
    int is_ca;
    long path_len; /* pathLenConstraint; -1 when absent or not a C long */
    int has_key_usage;
    unsigned key_usage; /* OTLS_KU_* bits */
    int has_ext_key_usage;
    const otls_cert_oid *ext_key_usage; /* "TLS Web Server Authentication" ... */
    size_t ext_key_usage_count;
} otls_cert;

/* Decodes one DER certificate. Bytes after the certificate's own encoding
 * are ignored, as OpenSSL's d2i_X509 ignores them (der/der_len and the
 * fingerprint cover the certificate alone).
 * Returns OTLS_OK with *out to free with otls_cert_free();
 * OTLS_ERR_PARSE where CPython would refuse the certificate or the input is
 * not a certificate (reason in err->message); OTLS_ERR_NO_MEMORY;
 * OTLS_ERR_INVALID_ARGUMENT for NULL der (with len > 0) or out. On failure
 * *out is NULL. err may be NULL. */
OTLS_API otls_status otls_cert_decode(const uint8_t *der, size_t len, otls_cert **out,
                                      otls_error *err);

/* Decodes the first certificate of PEM text (a "CERTIFICATE" block; other
 * blocks before it are skipped), or DER when data holds no PEM header (as
 * `omnitls decode` reads a file). Returns as otls_cert_decode, and
 * OTLS_ERR_PARSE when the PEM holds no certificate. */
OTLS_API otls_status otls_cert_decode_pem(const void *data, size_t len, otls_cert **out,
                                          otls_error *err);

/* Frees a certificate and everything it points to. NULL is a no-op. */
OTLS_API void otls_cert_free(otls_cert *cert);

/* The SHA-256 fingerprint of the certificate (of der/der_len, the
 * certificate alone), written to out. Computed on each call: hashing was
 * most of a decode's time, and most callers never ask. Returns OTLS_OK;
 * OTLS_ERR_INVALID_ARGUMENT for NULL cert or out (out is then untouched);
 * OTLS_ERR_UNSUPPORTED in a build without the decoder. */
OTLS_API otls_status otls_cert_sha256(const otls_cert *cert, uint8_t out[32]);

/* JSON flags. */
#define OTLS_JSON_SORT_KEYS (1u << 0) /* json.dumps(..., sort_keys=True) */

/* Renders cert as json.dumps(getpeercert()) does: keys in CPython's order
 * (subject, issuer, version, serialNumber, notBefore, notAfter, then
 * subjectAltName, OCSP, caIssuers, crlDistributionPoints when present) or
 * sorted with OTLS_JSON_SORT_KEYS; tuples as lists; separators ", " and
 * ": "; ensure_ascii escaping (\uXXXX, surrogate pairs beyond U+FFFF).
 * Python returns a bytes object for a BIT STRING attribute, which json.dumps
 * cannot print; omnitls writes {"__bytes_hex__": "<lowercase hex>"} there,
 * the convention of the conformance corpus.
 * On OTLS_OK *json is a NUL-terminated string of *len bytes (len may be
 * NULL) to free with otls_free_string(). OTLS_ERR_NO_MEMORY,
 * OTLS_ERR_INVALID_ARGUMENT (unknown flags, NULL cert or json). */
OTLS_API otls_status otls_cert_to_json(const otls_cert *cert, unsigned flags, char **json,
                                       size_t *len);

/* Frees a string omnitls returned for the caller to free (JSON). NULL is a
 * no-op. */
OTLS_API void otls_free_string(char *s);

/* The peer's certificate, decoded (the leaf of otls_unverified_chain()).
 * OTLS_OK with *out to free with otls_cert_free(); OTLS_NONE with
 * *out = NULL when the peer sent no certificate;
 * OTLS_ERR_HANDSHAKE_NOT_DONE before the handshake; OTLS_ERR_PARSE when the
 * certificate cannot be decoded (reason in otls_conn_error()). Unlike
 * Python's getpeercert(), this decodes whatever the verify mode. */
OTLS_API otls_status otls_peer_cert(otls_conn *conn, otls_cert **out);

/* json.dumps(getpeercert()) for the connection, with Python's rules: "{}"
 * when the connection's context does not verify the peer
 * (OTLS_VERIFY_NONE), as getpeercert() returns an empty dict for an
 * unvalidated certificate; OTLS_NONE with *json = NULL, *len = 0 when the
 * peer sent no certificate (Python's None). Otherwise as
 * otls_cert_to_json() (flags, freeing with otls_free_string()). Errors as
 * otls_peer_cert(). */
OTLS_API otls_status otls_peer_cert_json(otls_conn *conn, unsigned flags, char **json, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* OMNITLS_CERT_H */
