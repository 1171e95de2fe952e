/* Certificate decoder internals (core/cert/). Nothing here is public.
 *
 * The decoder answers exactly what CPython's _ssl._decode_certificate()
 * answers when CPython is linked with OpenSSL 3.0, without linking OpenSSL.
 * Two things must therefore match: which certificates OpenSSL's d2i_X509()
 * accepts (and which extensions X509_get_ext_d2i() can decode: an
 * undecodable extension is silently left out by CPython), and the text
 * CPython and OpenSSL print. The ASN.1 reader below mirrors OpenSSL's
 * template decoder for the types a certificate uses; the other files say
 * which OpenSSL function each rule comes from. */
#ifndef OTLS_CORE_CERT_INTERNAL_H
#define OTLS_CORE_CERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omnitls/cert.h"

/* The paths that only make decoding faster (constants for common OIDs,
 * element reads inlined into oti_asn1_take, plain dates read straight,
 * JSON strings checked eight octets at a time) are left out where size
 * matters more than speed: OTLS_DECODER=COMPACT (issue 9: its Cortex-M4
 * footprint must not grow). The general paths give the same answers;
 * building the tests with -DOTI_DECODER_SMALL=1 checks that. */
#ifndef OTI_DECODER_SMALL
#if OTI_DECODER_COMPACT
#define OTI_DECODER_SMALL 1
#else
#define OTI_DECODER_SMALL 0
#endif
#endif

/* ------------------------------------------------------------------------ */
/* cert_arena.c: all memory of one otls_cert, freed at once                */

struct oti_arena_block;
struct oti_arena {
    struct oti_arena_block *head;
    struct oti_arena_block *first; /* in the caller's memory: not freed */
};

/* Starts an arena whose first block is the caller's size bytes at mem
 * (aligned as malloc aligns), so that a certificate and its memory are one
 * allocation; the caller frees mem after oti_arena_free. */
void oti_arena_init(struct oti_arena *a, void *mem, size_t size);

/* Returns n bytes aligned for any type, or NULL when out of memory. */
void *oti_arena_alloc(struct oti_arena *a, size_t n);
/* Same, zeroed; count * size must not overflow (checked). */
void *oti_arena_calloc(struct oti_arena *a, size_t count, size_t size);
/* Copies s[0..n) and appends a NUL. */
char *oti_arena_strndup(struct oti_arena *a, const void *s, size_t n);
void oti_arena_free(struct oti_arena *a);

/* A growable byte buffer (the core never reallocates: grow copies). A
 * failed allocation sets failed; later writes are ignored. */
struct oti_buf {
    char *data;
    size_t len, cap;
    bool failed;
};

/* Room for len more bytes and a NUL: false (and failed set) when out of
 * memory. Writers may then fill data[len..] directly. */
bool oti_buf_reserve(struct oti_buf *b, size_t len);
void oti_buf_put(struct oti_buf *b, const void *data, size_t len);
void oti_buf_putc(struct oti_buf *b, char c);
void oti_buf_puts(struct oti_buf *b, const char *s);
void oti_buf_free(struct oti_buf *b);

/* ------------------------------------------------------------------------ */
/* Decoding state and errors                                                */

/* Results of the decoding steps. Negative values are otls_status errors that
 * end the decode (the certificate is refused). */
enum {
    OTI_OK = 0,
    OTI_ABSENT = 1, /* an OPTIONAL element is not there */
    /* OpenSSL's decoder rejects the bytes: the certificate, or (inside an
     * extension) the extension, which CPython then leaves out. */
    OTI_BAD = 2
};

/* The walk needs no recursion guard: X.509's grammar nests a fixed number
 * of levels (a Name inside a GeneralName inside an extension holds no
 * further GeneralNames), and nothing here recurses. */
struct oti_dec {
    struct oti_arena *arena;
    const uint8_t *der; /* the certificate, for messages with offsets */
    size_t der_len;
    char msg[256];        /* first failure's reason */
    char render_msg[256]; /* first render failure's reason, until raised */
};

/* p's offset in the certificate, for messages; -1 for bytes re-read from
 * a collected BER string (which live in the arena). */
long oti_dec_offset(const struct oti_dec *d, const uint8_t *p);

/* Records the reason (first one wins) and returns code. */
int oti_dec_fail(struct oti_dec *d, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A value CPython cannot render (it would raise): records the reason (in
 * render_msg, apart from structural failures, which take precedence) and
 * sets *render_error to OTLS_ERR_PARSE, first one wins, and lets decoding
 * go on, since the value only matters if the structure around it decodes.
 * render_error may be NULL where nothing is rendered (the other names of
 * an AIA or CRL extension). Returns OTI_OK. */
int oti_render_fail(struct oti_dec *d, int *render_error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The structure decoded, so CPython would render and fail: makes the
 * recorded render reason the decode's reason and returns render_error. */
int oti_render_raise(struct oti_dec *d, int render_error);

/* Forgets a failure that is not one (an extension OpenSSL cannot decode is
 * left out): both reasons are cleared. */
void oti_dec_forget(struct oti_dec *d);

/* ------------------------------------------------------------------------ */
/* cert_asn1.c: TLV reading as OpenSSL's ASN1_get_object does it            */

#define OTI_CLASS_UNIVERSAL 0x00
#define OTI_CLASS_APPLICATION 0x40
#define OTI_CLASS_CONTEXT 0x80
#define OTI_CLASS_PRIVATE 0xc0

/* Universal tag numbers used here. */
enum {
    OTI_TAG_BOOLEAN = 1,
    OTI_TAG_INTEGER = 2,
    OTI_TAG_BIT_STRING = 3,
    OTI_TAG_OCTET_STRING = 4,
    OTI_TAG_NULL = 5,
    OTI_TAG_OID = 6,
    OTI_TAG_ENUMERATED = 10,
    OTI_TAG_UTF8STRING = 12,
    OTI_TAG_SEQUENCE = 16,
    OTI_TAG_SET = 17,
    OTI_TAG_NUMERICSTRING = 18,
    OTI_TAG_PRINTABLESTRING = 19,
    OTI_TAG_T61STRING = 20,
    OTI_TAG_IA5STRING = 22,
    OTI_TAG_UTCTIME = 23,
    OTI_TAG_GENERALIZEDTIME = 24,
    OTI_TAG_UNIVERSALSTRING = 28,
    OTI_TAG_BMPSTRING = 30
};

/* One element. */
struct oti_elem {
    uint8_t cls;                        /* OTI_CLASS_* */
    bool constructed;                   /* the identifier's constructed bit */
    uint32_t tag;                       /* tag number (high-tag-number form decoded) */
    const uint8_t *start, *value, *end; /* TLV start, content, past the TLV */
    size_t len;                         /* content length */
    const uint8_t *limit;               /* the contents' cursor limit */
};

/* A cursor over the contents of one element. */
struct oti_cur {
    const uint8_t *p, *end;
    /* What OpenSSL takes as the end of the input for the header checks:
     * past end inside an indefinite-length element (whose contents it reads
     * against the enclosing bound). NULL: end. */
    const uint8_t *limit;
};

static inline bool oti_cur_empty(const struct oti_cur *c)
{
    return c->p >= c->end;
}

static inline struct oti_cur oti_cur_of(const struct oti_elem *t)
{
    struct oti_cur c = {t->value, t->value + t->len, t->limit};
    return c;
}

/* Reads the element at c->p without consuming it: OTI_OK or OTI_BAD (a
 * header OpenSSL refuses, one running past the end, an indefinite length
 * without its end-of-contents). For an indefinite length, len and end are
 * found by scanning for the matching end-of-contents octets. */
int oti_asn1_peek(struct oti_dec *d, const struct oti_cur *c, struct oti_elem *out);

/* Reads the next element, which must have the class and tag given. cons:
 * 1 the type is constructed (SEQUENCE, EXPLICIT tags: a primitive encoding
 * is refused, as OpenSSL does), 0 it is primitive (INTEGER, OID, BOOLEAN:
 * a constructed one is refused), 2 it is a string (the constructed BER form
 * is collected: out then points at the data, see oti_asn1_collect), -1 do
 * not look (OpenSSL does not check SEQUENCE OF / SET OF). When optional, a
 * missing element or another tag gives OTI_ABSENT. */
int oti_asn1_take(struct oti_dec *d, struct oti_cur *c, uint8_t cls, uint32_t tag, int cons,
                  bool optional, struct oti_elem *out);

/* Content checks OpenSSL makes when it turns content octets into a value
 * (asn1_ex_c2i). Each returns OTI_OK or OTI_BAD. */
int oti_asn1_check_integer(struct oti_dec *d, const struct oti_elem *t);
int oti_asn1_check_bit_string(struct oti_dec *d, const struct oti_elem *t);
int oti_asn1_check_oid(struct oti_dec *d, const struct oti_elem *t);
/* A string given in the constructed (BER) form: collects the chunks'
 * data into the arena and points t->value/len at it (start and end are
 * kept), as OpenSSL's asn1_collect does.
 * Does nothing for a primitive element. OTI_OK, OTI_BAD or
 * OTLS_ERR_NO_MEMORY. */
int oti_asn1_collect(struct oti_dec *d, struct oti_elem *t);

/* An ASN.1 ANY (X509_ALGOR parameters, otherName values): checks it as
 * OpenSSL's decoder does for its universal type. */
int oti_asn1_check_any(struct oti_dec *d, struct oti_elem *t);

/* Reads an INTEGER's content as int64 (ASN1_INTEGER_get_int64): false when
 * it does not fit. */
bool oti_asn1_int64(const struct oti_elem *t, int64_t *out);

/* ------------------------------------------------------------------------ */
/* cert_oid.c: names and dotted text of OIDs                                */

/* OpenSSL 3.0's long name for the encoded OID (OBJ_obj2nid + OBJ_nid2ln), or
 * NULL when OpenSSL has no object for it. */
const char *oti_oid_long_name(const uint8_t *oid, size_t len);

/* Appends the dotted form (OBJ_obj2txt with no_name=1). The OID must have
 * passed oti_asn1_check_oid. */
void oti_oid_dotted(struct oti_buf *b, const uint8_t *oid, size_t len);

/* OBJ_obj2txt(no_name=0): long name or dotted text, in the arena. Returns
 * NULL with *status OTLS_ERR_PARSE where OpenSSL fails (OIDs over 586
 * octets, which make CPython raise; no reason is recorded: the caller
 * decides whether it matters) or OTLS_ERR_NO_MEMORY. */
const char *oti_oid_text(struct oti_dec *d, const uint8_t *oid, size_t len, int *status);

/* OpenSSL 3.0.9+ refuses to print OIDs longer than this (RFC 2578's 128
 * sub-identifiers of 32 bits); CPython then raises. */
#define OTI_OID_TEXT_MAX_OCTETS 586

/* Fills an otls_cert_oid (dotted + name) in the arena; out->name is then
 * what oti_oid_text gives for an OID it can print. */
int oti_oid_fill(struct oti_dec *d, const uint8_t *oid, size_t len, otls_cert_oid *out);

/* Encoded OIDs the decoder looks for. */
#define OTI_OID(name) oti_oid_##name, sizeof oti_oid_##name
extern const uint8_t oti_oid_san[3], oti_oid_aia[8], oti_oid_crldp[3], oti_oid_basic[3],
    oti_oid_key_usage[3], oti_oid_eku[3], oti_oid_ad_ocsp[8], oti_oid_ad_ca_issuers[8];

static inline bool oti_oid_eq(const struct oti_elem *t, const uint8_t *oid, size_t len)
{
    return t->len == len && (len == 0 || memcmp(t->value, oid, len) == 0);
}

/* ------------------------------------------------------------------------ */
/* cert_string.c: string values as OpenSSL converts them                     */

/* True when s[0..n) is valid UTF-8 by CPython's strict decoder (which is also
 * what OpenSSL's UTF8_getc + is_unicode_valid accept). */
bool oti_utf8_valid(const uint8_t *s, size_t n);

/* ASN1_STRING_to_UTF8() for a universal string type: converts the content to
 * UTF-8 in the arena (*out, *out_len; NUL-terminated). Returns OTI_OK,
 * OTI_BAD when OpenSSL's conversion fails (bad UTF-8, odd BMPString length,
 * surrogates ...), or OTLS_ERR_NO_MEMORY. Types OpenSSL cannot convert give
 * OTI_ABSENT. */
int oti_string_to_utf8(struct oti_dec *d, uint32_t tag, const uint8_t *s, size_t n,
                       const char **out, size_t *out_len);

/* The check alone, without converting: OTI_OK, OTI_BAD or OTI_ABSENT. */
int oti_string_check(struct oti_dec *d, uint32_t tag, const uint8_t *s, size_t n);

/* ------------------------------------------------------------------------ */
/* cert_name.c                                                              */

/* Decodes a Name (x509_name_ex_d2i) at the cursor, which must be positioned
 * on it. OTI_OK, OTI_BAD (OpenSSL refuses the name), or an error. Values
 * CPython cannot render (a SEQUENCE-valued attribute, say) are reported
 * through *render_error (OTLS_ERR_PARSE with the reason in d->msg) so that
 * the caller decides: a Name inside an extension OpenSSL cannot decode is
 * never rendered. */
int oti_name_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_name *out, int *render_error);

/* Checks one AttributeTypeAndValue as OpenSSL's X509_NAME_ENTRY decoder
 * does, without the canonicalisation a whole Name gets (CRL distribution
 * points' nameRelativeToCRLIssuer). */
int oti_name_entry_check(struct oti_dec *d, struct oti_cur *c);

/* ------------------------------------------------------------------------ */
/* cert_time.c, cert_serial.c                                               */

/* Decodes a Time (UTCTime or GeneralizedTime) element into out.
 * OTI_OK, OTI_BAD or an error. */
int oti_time_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_time *out);

/* The serial: magnitude bytes, sign, and i2a_ASN1_INTEGER's first line. */
int oti_serial_decode(struct oti_dec *d, const struct oti_elem *t, otls_cert *out);

/* ------------------------------------------------------------------------ */
/* cert_san.c, cert_ext.c, cert_key.c                                       */

/* GeneralNames (a SEQUENCE OF GeneralName) at the cursor: the entries as
 * CPython renders them. OTI_OK, OTI_BAD (OpenSSL cannot decode the list) or
 * an error; *render_error as for names. */
int oti_general_names(struct oti_dec *d, struct oti_cur *c, const otls_cert_san **out,
                      size_t *count, int *render_error);

/* One GeneralName seen only for its URI (AIA, CRL DP): checks it as
 * OpenSSL's decoder would. When it is a URI, uri->value/len are its
 * octets (only those two fields are set). */
int oti_general_name_uri(struct oti_dec *d, struct oti_cur *c, struct oti_elem *uri, bool *is_uri);

/* The extensions CPython reports and the ones omnitls adds. ext is the
 * [3] EXPLICIT element's content (the SEQUENCE OF Extension). */
int oti_extensions_decode(struct oti_dec *d, const struct oti_elem *exts, otls_cert *out);

/* Checks an AlgorithmIdentifier (X509_ALGOR) and fills alg; params gets
 * the parameters element when present (else params->start is NULL). */
int oti_algor_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_oid *alg, struct oti_elem *oid,
                     struct oti_elem *params);

/* Public key size from SubjectPublicKeyInfo parts (algorithm OID, its
 * parameters, the key BIT STRING content): EVP_PKEY_get_bits()'s answer for
 * the common key types, 0 when unknown. curve is set for EC keys. */
unsigned oti_key_bits(struct oti_dec *d, const struct oti_elem *alg_oid,
                      const struct oti_elem *params, const uint8_t *key, size_t key_len,
                      otls_cert_oid *curve);

/* ------------------------------------------------------------------------ */
/* sha256.c                                                                 */

void oti_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
