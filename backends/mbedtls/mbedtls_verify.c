/* Peer verification: the per-connection verify callback records the chain
 * mbedTLS built (it has no verified-chain API) and puts the core's name
 * check (OpenSSL's rules) in place of mbedTLS's: mbedTLS matches no IP
 * address, skips the common name whenever the certificate has alternative
 * names, and takes "*.com" for a wildcard. */
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform.h>

#include "../../core/name_check.h"
#include "mbedtls_backend.h"

void oti_mbedtls_vchain_clear(struct oti_mbedtls_conn *c)
{
    for (int i = 0; i < OTI_MBEDTLS_MAX_DEPTH; i++)
        c->vchain[i] = NULL;
    c->vdepth = 0;
    c->vtop_self = 0;
    c->vsig_bad = 0;
    c->vrun_done = 0;
    c->vchain_oom = 0;
}

/* Keeps one certificate of the chain being verified (see vchain). */
static void record(struct oti_mbedtls_conn *c, const mbedtls_x509_crt *crt, int depth)
{
    if (depth < 0 || depth >= OTI_MBEDTLS_MAX_DEPTH) {
        c->vchain_oom = 1; /* deeper than we keep: never report it */
        return;
    }
    c->vchain[depth] = crt;
    if (depth == c->vdepth - 1)
        c->vtop_self = crt->issuer_raw.len == crt->subject_raw.len &&
                       memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0;
}

/* The signature of crt does not verify under the key of parent, its issuer
 * by name. mbedTLS reports such a certificate as not trusted (it finds no
 * parent it can use); OpenSSL says "certificate signature failure". */
static int signature_fails(const mbedtls_x509_crt *crt, const mbedtls_x509_crt *parent)
{
    if (crt->issuer_raw.len != parent->subject_raw.len ||
        memcmp(crt->issuer_raw.p, parent->subject_raw.p, parent->subject_raw.len) != 0)
        return 0;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(crt->OTI_MBEDTLS_F(sig_md));
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (md == NULL || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
        return 0; /* cannot tell: leave mbedTLS's answer */
    mbedtls_pk_context *key = (mbedtls_pk_context *)&parent->pk;
    return mbedtls_pk_verify_ext(crt->OTI_MBEDTLS_F(sig_pk), crt->OTI_MBEDTLS_F(sig_opts), key,
                                 crt->OTI_MBEDTLS_F(sig_md), hash, mbedtls_md_get_size(md),
                                 crt->OTI_MBEDTLS_F(sig).p, crt->OTI_MBEDTLS_F(sig).len) != 0;
}

/* Called once per certificate, from the trust anchor (highest depth) down
 * to the leaf (depth 0). Never fails: a callback error would make mbedTLS
 * report every flag at once. */
int oti_mbedtls_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct oti_mbedtls_conn *c = p;
    if (c->vrun_done || c->vdepth == 0) {
        oti_mbedtls_vchain_clear(c);
        c->vdepth = depth + 1;
    }
    c->saw_chain = 1;
    record(c, crt, depth);
    /* The issuer was recorded first (top down). */
    if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) && depth + 1 < c->vdepth &&
        depth + 1 < OTI_MBEDTLS_MAX_DEPTH && c->vchain[depth + 1] != NULL &&
        signature_fails(crt, c->vchain[depth + 1]))
        c->vsig_bad = 1;
    if (depth != 0)
        return 0;
    c->vrun_done = 1;
    /* mbedTLS's verdict on the name (given for SNI too) is replaced. */
    *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
    if (c->check_name || c->check_ip) {
        const struct oti_mbedtls_ip *ip = c->check_ip ? c->ip : NULL;
        enum oti_name_result r = c->check_ip && ip == NULL
                                     ? OTI_NAME_IP_MISMATCH /* never unchecked */
                                     : oti_name_check(crt->raw.p, crt->raw.len, c->hostname,
                                                      ip ? ip->addr : NULL, ip ? ip->len : 0);
        if (r != OTI_NAME_MATCH) {
            c->ip_mismatch = c->check_ip;
            *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        }
    }
    return 0;
}

int oti_mbedtls_verify_again(struct oti_mbedtls_conn *c, mbedtls_x509_crt *chain)
{
    uint32_t flags = 0;
    oti_mbedtls_vchain_clear(c);
    /* The names were checked in the original handshake; the chain is
     * checked against today's trust anchors. */
    int saved_ip = c->check_ip, saved_name = c->check_name;
    c->check_ip = 0;
    c->check_name = 0;
    int ret =
        mbedtls_x509_crt_verify(chain, &c->ctx->ca, NULL, NULL, &flags, oti_mbedtls_verify_cb, c);
    c->check_ip = saved_ip;
    c->check_name = saved_name;
    return ret == 0 && flags == 0 && !c->vchain_oom ? 0 : -1;
}
