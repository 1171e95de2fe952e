/* Server session tickets: mbedTLS's ticket module, plus the client's chain
 * for TLS 1.3. mbedTLS 3.6 writes no peer certificate into a TLS 1.3
 * ticket (nor copies one from a parsed ticket into the resumed session), so
 * a server resumed from one would report no client certificate where
 * OpenSSL (and mbedTLS on TLS 1.2) report it. When a TLS 1.3 ticket is
 * issued for a session with a client chain, the chain is kept in the
 * context under the ticket's SHA-256 (a small ring: an evicted entry only
 * means a resumed server reports no client certificate); the connection
 * that parses that ticket keeps a copy as its resumed peer chain. The
 * callbacks get the connection (it has its own copy of the configuration). */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

#if OTI_MBEDTLS_TICKET_CHAINS
/* The ring is guarded through mbedTLS's own threading layer (pthread on
 * Debian, an RTOS mutex with MBEDTLS_THREADING_ALT), so the backend itself
 * links no thread library; a build without MBEDTLS_THREADING_C is single
 * threaded and needs no lock. */
void oti_mbedtls_tlock_init(struct oti_mbedtls_ctx *x)
{
#if defined(MBEDTLS_THREADING_C)
    mbedtls_mutex_init(&x->tlock);
#else
    (void)x;
#endif
}

void oti_mbedtls_tlock_free(struct oti_mbedtls_ctx *x)
{
#if defined(MBEDTLS_THREADING_C)
    mbedtls_mutex_free(&x->tlock);
#else
    (void)x;
#endif
}

static void tlock(struct oti_mbedtls_ctx *x)
{
#if defined(MBEDTLS_THREADING_C)
    (void)mbedtls_mutex_lock(&x->tlock);
#else
    (void)x;
#endif
}

static void tunlock(struct oti_mbedtls_ctx *x)
{
#if defined(MBEDTLS_THREADING_C)
    (void)mbedtls_mutex_unlock(&x->tlock);
#else
    (void)x;
#endif
}

static int is_tls13(const mbedtls_ssl_session *s)
{
    return s->OTI_MBEDTLS_F(tls_version) == MBEDTLS_SSL_VERSION_TLS1_3;
}

static void keep(struct oti_mbedtls_ctx *x, const unsigned char key[32],
                 const mbedtls_x509_crt *chain)
{
    mbedtls_x509_crt *copy = oti_mbedtls_calloc(1, sizeof *copy);
    if (copy == NULL)
        return;
    mbedtls_x509_crt_init(copy);
    if (oti_mbedtls_crt_copy(copy, chain) != 0) {
        mbedtls_x509_crt_free(copy);
        oti_mbedtls_free(copy);
        return;
    }
    tlock(x);
    struct oti_mbedtls_ticket_chain *t = &x->tchains[x->tnext];
    x->tnext = (x->tnext + 1) % OTI_MBEDTLS_TICKET_CHAINS;
    if (t->chain != NULL) {
        mbedtls_x509_crt_free(t->chain);
        oti_mbedtls_free(t->chain);
    }
    memcpy(t->key, key, sizeof t->key);
    t->chain = copy;
    tunlock(x);
}

/* Copies the chain kept under key into the connection's resumed chain. */
static void restore(struct oti_mbedtls_conn *c, const unsigned char key[32])
{
    struct oti_mbedtls_ctx *x = c->ctx;
    if (oti_mbedtls_resume_chain_reset(c) != 0)
        return; /* out of memory: the chain stays unknown, as when a copy fails */
    tlock(x);
    for (size_t i = 0; i < OTI_MBEDTLS_TICKET_CHAINS; i++) {
        const struct oti_mbedtls_ticket_chain *t = &x->tchains[i];
        if (t->chain != NULL && memcmp(t->key, key, sizeof t->key) == 0) {
            if (oti_mbedtls_crt_copy(c->resume_chain, t->chain) != 0) {
                mbedtls_x509_crt_free(c->resume_chain);
                mbedtls_x509_crt_init(c->resume_chain);
            }
            break;
        }
    }
    tunlock(x);
}

static int ticket_write(void *p, const mbedtls_ssl_session *s, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
    struct oti_mbedtls_conn *c = p;
    struct oti_mbedtls_ctx *x = c->ctx;
    int ret = mbedtls_ssl_ticket_write(&x->ticket, s, start, end, tlen, lifetime);
    unsigned char key[32];
    if (ret == 0 && is_tls13(s) && s->OTI_MBEDTLS_F(peer_cert) != NULL &&
        oti_mbedtls_sha256(start, *tlen, key, 0) == 0)
        keep(x, key, s->OTI_MBEDTLS_F(peer_cert));
    return ret;
}

static int ticket_parse(void *p, mbedtls_ssl_session *s, unsigned char *buf, size_t len)
{
    struct oti_mbedtls_conn *c = p;
    /* Hashed first: parsing decrypts the ticket in place. */
    unsigned char key[32];
    int hashed = oti_mbedtls_sha256(buf, len, key, 0) == 0;
    int ret = mbedtls_ssl_ticket_parse(&c->ctx->ticket, s, buf, len);
    if (ret == 0 && hashed && is_tls13(s))
        restore(c, key);
    return ret;
}

/* The ticket callbacks get no ssl context, only the configuration's
 * pointer, and restore() needs the connection: each server connection
 * with tickets sets them on a private copy of the configuration (3.6
 * only; the memory target is 2.28's). */
void oti_mbedtls_tickets_conf(struct oti_mbedtls_ctx *x, mbedtls_ssl_config *conf)
{
    (void)x;
    (void)conf;
}

int oti_mbedtls_tickets_private(const struct oti_mbedtls_ctx *x)
{
    (void)x;
    return 1;
}

void oti_mbedtls_tickets_conn(struct oti_mbedtls_conn *c, mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_session_tickets_cb(conf, ticket_write, ticket_parse, c);
}

void oti_mbedtls_tickets_free(struct oti_mbedtls_ctx *x)
{
    for (size_t i = 0; i < OTI_MBEDTLS_TICKET_CHAINS; i++) {
        if (x->tchains[i].chain != NULL) {
            mbedtls_x509_crt_free(x->tchains[i].chain);
            oti_mbedtls_free(x->tchains[i].chain);
            x->tchains[i].chain = NULL;
        }
    }
}
#else
/* No TLS 1.3 (2.28): TLS 1.2 tickets carry the peer's chain. */
void oti_mbedtls_tickets_conf(struct oti_mbedtls_ctx *x, mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_session_tickets_cb(conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &x->ticket);
}

int oti_mbedtls_tickets_private(const struct oti_mbedtls_ctx *x)
{
    (void)x;
    return 0;
}

void oti_mbedtls_tickets_conn(struct oti_mbedtls_conn *c, mbedtls_ssl_config *conf)
{
    (void)c;
    (void)conf;
}

void oti_mbedtls_tickets_free(struct oti_mbedtls_ctx *x)
{
    (void)x;
}
#endif
