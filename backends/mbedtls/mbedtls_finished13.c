/* TLS 1.3 Finished messages on mbedTLS 3.6, for tls-unique with
 * OTLS_FLAG_TLS13_UNIQUE (Python's value). 3.6 keeps them only in its
 * private handshake state, freed when the handshake ends, and has no API for
 * them. They are read back from the connection's own traffic instead: the
 * transport callbacks keep the bytes of each direction until the handshake
 * is over, the key-export callback gives the two handshake traffic secrets
 * (RFC 8446 7.1), and after the handshake each direction's handshake-epoch
 * records are decrypted (RFC 8446 5.2, 7.3) until its Finished message. The
 * matrix compares the result with OpenSSL's and wolfSSL's, and the peer
 * tests with Python's and OpenSSL's own. */
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

#if OTI_MBEDTLS_HAVE_FINISHED13
/* A handshake bigger than this (certificate chains) is not kept: the
 * Finished messages are then unknown, and tls-unique on TLS 1.3 fails. */
#define TAP_MAX (256 * 1024)

void oti_mbedtls_tap(struct oti_mbedtls_conn *c, int sent, const unsigned char *buf, size_t len)
{
    struct oti_mbedtls_tap *t = &c->tap[sent ? 1 : 0];
    if (c->tap_done || t->overflow || len == 0)
        return;
    if (t->len + len > TAP_MAX) {
        t->overflow = 1;
        return;
    }
    if (t->len + len > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + len)
            cap *= 2;
        unsigned char *p = oti_mbedtls_calloc(1, cap);
        if (p == NULL) {
            t->overflow = 1;
            return;
        }
        if (t->len > 0)
            memcpy(p, t->buf, t->len);
        oti_mbedtls_free(t->buf);
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, buf, len);
    t->len += len;
}

void oti_mbedtls_tap_free(struct oti_mbedtls_conn *c)
{
    for (int i = 0; i < 2; i++) {
        oti_mbedtls_free(c->tap[i].buf);
        memset(&c->tap[i], 0, sizeof c->tap[i]);
    }
    mbedtls_platform_zeroize(c->hs_secret, sizeof c->hs_secret);
}

void oti_mbedtls_keys_cb(void *p, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                         size_t secret_len, const unsigned char client_random[32],
                         const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct oti_mbedtls_conn *c = p;
    (void)client_random;
    (void)server_random;
    (void)prf;
    int i = type == MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET   ? 0
            : type == MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET ? 1
                                                                                    : -1;
    if (i < 0 || secret_len > sizeof c->hs_secret[i])
        return;
    memcpy(c->hs_secret[i], secret, secret_len);
    c->hs_secret_len[i] = secret_len;
}

/* The record protection of a TLS 1.3 suite. */
struct suite13 {
    uint16_t id;
    mbedtls_cipher_type_t cipher;
    mbedtls_md_type_t md;
    size_t key_len, tag_len;
};

static const struct suite13 suites13[] = {
    {0x1301, MBEDTLS_CIPHER_AES_128_GCM, MBEDTLS_MD_SHA256, 16, 16},
    {0x1302, MBEDTLS_CIPHER_AES_256_GCM, MBEDTLS_MD_SHA384, 32, 16},
    {0x1303, MBEDTLS_CIPHER_CHACHA20_POLY1305, MBEDTLS_MD_SHA256, 32, 16},
    {0x1304, MBEDTLS_CIPHER_AES_128_CCM, MBEDTLS_MD_SHA256, 16, 16},
    {0x1305, MBEDTLS_CIPHER_AES_128_CCM, MBEDTLS_MD_SHA256, 16, 8},
};

/* HKDF-Expand-Label(secret, label, "", len) for len <= the hash length:
 * one HMAC block (RFC 8446 7.1, RFC 5869). */
static int expand_label(const mbedtls_md_info_t *md, const unsigned char *secret, size_t slen,
                        const char *label, unsigned char *out, size_t len)
{
    unsigned char info[2 + 1 + 6 + 16 + 1 + 1], block[MBEDTLS_MD_MAX_SIZE];
    size_t llen = strlen(label), n = 0;
    if (len > mbedtls_md_get_size(md) || llen > 16)
        return -1;
    info[n++] = (unsigned char)(len >> 8);
    info[n++] = (unsigned char)len;
    info[n++] = (unsigned char)(6 + llen);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, llen);
    n += llen;
    info[n++] = 0;    /* empty context */
    info[n++] = 0x01; /* HKDF-Expand's block counter */
    if (mbedtls_md_hmac(md, secret, slen, info, n, block) != 0)
        return -1;
    memcpy(out, block, len);
    mbedtls_platform_zeroize(block, sizeof block);
    return 0;
}

/* Finds the Finished message in one direction's bytes, decrypting its
 * handshake records with that direction's handshake traffic secret. */
static int find_finished(const struct oti_mbedtls_tap *t, const struct suite13 *s,
                         const unsigned char *secret, size_t slen, unsigned char *out,
                         size_t *out_len)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(s->md);
    unsigned char key[32], iv[12];
    if (md == NULL || t->overflow || expand_label(md, secret, slen, "key", key, s->key_len) != 0 ||
        expand_label(md, secret, slen, "iv", iv, sizeof iv) != 0)
        return -1;
    mbedtls_cipher_context_t cc;
    mbedtls_cipher_init(&cc);
    int ok = mbedtls_cipher_setup(&cc, mbedtls_cipher_info_from_type(s->cipher)) == 0 &&
             mbedtls_cipher_setkey(&cc, key, (int)(8 * s->key_len), MBEDTLS_DECRYPT) == 0;
    unsigned char *hs = oti_mbedtls_calloc(1, t->len ? t->len : 1); /* handshake messages */
    unsigned char *pt = oti_mbedtls_calloc(1, 0x4000 + 256);        /* one record's plaintext */
    size_t hs_len = 0, off = 0;
    uint64_t seq = 0;
    int found = -1;
    ok = ok && hs != NULL && pt != NULL;
    while (ok && found < 0 && off + 5 <= t->len) {
        const unsigned char *rec = t->buf + off;
        size_t rlen = ((size_t)rec[3] << 8) | rec[4];
        if (off + 5 + rlen > t->len)
            break;
        off += 5 + rlen;
        /* Before the ServerHello every record is plaintext (hellos, the
         * compatibility change_cipher_spec); protected ones say 23. */
        if (rec[0] != 23)
            continue;
        if (rlen < s->tag_len || rlen - s->tag_len > 0x4000 + 256)
            break;
        unsigned char nonce[12];
        memcpy(nonce, iv, sizeof nonce);
        for (int i = 0; i < 8; i++)
            nonce[11 - i] ^= (unsigned char)(seq >> (8 * i));
        seq++;
        size_t n = 0;
        if (mbedtls_cipher_auth_decrypt_ext(&cc, nonce, sizeof nonce, rec, 5, rec + 5, rlen, pt,
                                            0x4000 + 256, &n, s->tag_len) != 0)
            break; /* past the handshake epoch without a Finished */
        while (n > 0 && pt[n - 1] == 0)
            n--; /* padding */
        if (n == 0 || pt[n - 1] != 22)
            break; /* not a handshake record: an alert, say */
        memcpy(hs + hs_len, pt, n - 1);
        hs_len += n - 1;
        for (size_t m = 0; m + 4 <= hs_len;) {
            size_t mlen = ((size_t)hs[m + 1] << 16) | ((size_t)hs[m + 2] << 8) | hs[m + 3];
            if (m + 4 + mlen > hs_len)
                break;
            if (hs[m] == 20) {
                if (mlen > *out_len)
                    break;
                memcpy(out, hs + m + 4, mlen);
                *out_len = mlen;
                found = 0;
                break;
            }
            m += 4 + mlen;
        }
    }
    mbedtls_cipher_free(&cc);
    mbedtls_platform_zeroize(key, sizeof key);
    if (hs != NULL)
        mbedtls_platform_zeroize(hs, t->len ? t->len : 1);
    oti_mbedtls_free(hs);
    if (pt != NULL)
        mbedtls_platform_zeroize(pt, 0x4000 + 256);
    oti_mbedtls_free(pt);
    return found;
}

int oti_mbedtls_finished13(struct oti_mbedtls_conn *c)
{
    if (c->fin13_state != 0)
        return c->fin13_state > 0 ? 0 : -1;
    c->fin13_state = -1;
    int id = mbedtls_ssl_get_ciphersuite_id_from_ssl(&c->ssl);
    const struct suite13 *s = NULL;
    for (size_t i = 0; i < sizeof suites13 / sizeof suites13[0]; i++)
        if (suites13[i].id == id)
            s = &suites13[i];
    int client = c->ctx->role == OTLS_CLIENT;
    /* Sent bytes carry this end's Finished, under this end's secret. */
    int own = client ? 0 : 1, peer = client ? 1 : 0;
    c->fin13_len[0] = c->fin13_len[1] = sizeof c->fin13[0];
    if (s != NULL && c->hs_secret_len[own] > 0 && c->hs_secret_len[peer] > 0 &&
        find_finished(&c->tap[1], s, c->hs_secret[own], c->hs_secret_len[own], c->fin13[0],
                      &c->fin13_len[0]) == 0 &&
        find_finished(&c->tap[0], s, c->hs_secret[peer], c->hs_secret_len[peer], c->fin13[1],
                      &c->fin13_len[1]) == 0)
        c->fin13_state = 1;
    oti_mbedtls_tap_free(c);
    return c->fin13_state > 0 ? 0 : -1;
}
#endif
