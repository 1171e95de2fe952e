/* Peer verification: the chain as verified (wolfSSL_get0_verified_chain
 * is wrong in 5.5: a client's lacks the root, a server's has only the
 * intermediate), completed with the trust anchors from the context's own
 * copies (wolfssl_anchor.c), and the name checks with OpenSSL's rules.
 *
 * A server (client certificates) and a client that does not verify use a
 * verify callback, which records the chain by depth. A verifying client
 * starts without one: any verify callback makes wolfSSL build a
 * WOLFSSL_X509 of every certificate above the leaf (Debian builds with
 * WOLFSSL_VERIFY_CB_ALL_CERTS), with a DRBG set up for each one's key,
 * ~7% of a whole handshake. Its chain is the peer's as sent plus the
 * anchors, taken once the handshake is done; its names are checked from
 * the hooks of wolfssl_hooks.c. */
#include <string.h>

#include "../../core/name_check.h"
#include "wolfssl_backend.h"

#include <wolfssl/wolfcrypt/asn.h>

/* OpenSSL's codes for the two name checks (wolfSSL 5.5 has no constant). */
#define OTI_X509_V_ERR_HOSTNAME_MISMATCH 62
#define OTI_X509_V_ERR_IP_ADDRESS_MISMATCH 64

int oti_wolfssl_check_names(const struct oti_wolfssl_conn *c, const uint8_t *der, size_t len)
{
    /* The core's check (OpenSSL's rules): wolfSSL's own matches partial
     * wildcards and reads the common name otherwise. */
    return oti_name_check(der, len, c->hostname, c->check_ip ? c->ip : NULL,
                          c->check_ip ? c->ip_len : 0);
}

/* Keeps one certificate of the chain being verified: from wolfSSL's X509
 * of it, or, when it has none (wolfSSL 5.5.4 cannot make one of an Ed25519
 * certificate), from the chain as received, where the depth is the index
 * (wolfSSL walks the peer's list in order). The chain as received stays
 * in the session until wolfSSL_free, so a certificate found there is
 * pointed at, not copied (per-connection memory, issue 8). */
static void record(struct oti_wolfssl_conn *c, WOLFSSL *ssl, WOLFSSL_X509 *x, int depth)
{
    if (c->vchain == NULL) {
        c->vchain_oom = 1; /* run_start could not allocate it */
        return;
    }
    int len = 0, sent_len = 0;
    const unsigned char *der = x ? wolfSSL_X509_get_der(x, &len) : NULL, *sent = NULL;
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
    if (chain != NULL && depth < wolfSSL_get_chain_count(chain)) {
        sent = wolfSSL_get_chain_cert(chain, depth);
        sent_len = wolfSSL_get_chain_length(chain, depth);
    }
    if ((der == NULL || len <= 0) && sent != NULL && sent_len > 0) {
        der = sent;
        len = sent_len;
    }
    if (der == NULL || len <= 0 || depth < 0 || depth >= OTI_WOLFSSL_MAX_DEPTH)
        c->vchain_oom = 1; /* deeper than we keep: never report it */
    else if (der == sent || (len == sent_len && memcmp(der, sent, (size_t)len) == 0))
        oti_wolfssl_certs_borrow(c->vchain, depth, sent, (size_t)len);
    else if (oti_wolfssl_certs_set(c->vchain, depth, der, (size_t)len) != 0)
        c->vchain_oom = 1; /* out of memory: never report it */
}

/* The run verified: the chain so far joins the trust anchors the peer
 * did not send (wolfSSL does not show them to the callback). */
static void complete_chain(struct oti_wolfssl_conn *c)
{
    if (c->vchain == NULL)
        return;
    c->vchain->count = c->vdepth > OTI_WOLFSSL_MAX_DEPTH ? OTI_WOLFSSL_MAX_DEPTH : c->vdepth;
    oti_wolfssl_anchor_complete(c);
}

int oti_wolfssl_self_signed_top(const struct oti_wolfssl_conn *c)
{
    if (c->vchain == NULL || c->vdepth <= 0 || c->vdepth > OTI_WOLFSSL_MAX_DEPTH)
        return 0;
    const struct oti_wolfssl_blob *top = &c->vchain->cert[c->vdepth - 1];
    return top->data != NULL && oti_wolfssl_anchor_self_issued(top->data, top->len);
}

static void run_start(struct oti_wolfssl_conn *c, int depth)
{
    if (c->vchain == NULL) {
        c->vchain = oti_wolfssl_alloc(sizeof *c->vchain);
        if (c->vchain != NULL)
            memset(c->vchain, 0, sizeof *c->vchain);
    }
    if (c->vchain != NULL)
        oti_wolfssl_certs_clear(c->vchain);
    c->vdepth = depth + 1;
    if (c->vchain != NULL)
        c->vchain->count = c->vdepth > OTI_WOLFSSL_MAX_DEPTH ? OTI_WOLFSSL_MAX_DEPTH : c->vdepth;
    c->vrun_done = 0;
    c->vchain_oom = c->vchain == NULL;
    c->verify_ok = 0;
    c->verify_err = 0;
    c->verify_err_depth = 0;
    c->name_mismatch = 0;
}

/* Called once per certificate, from the top of the chain the peer sent
 * (highest depth) down to its leaf (depth 0), also when verification is
 * off (this build has WOLFSSL_ALWAYS_VERIFY_CB). */
int oti_wolfssl_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    WOLFSSL *ssl =
        wolfSSL_X509_STORE_CTX_get_ex_data(store, wolfSSL_get_ex_data_X509_STORE_CTX_idx());
    struct oti_wolfssl_conn *c = ssl ? wolfSSL_GetIOReadCtx(ssl) : NULL;
    if (c == NULL)
        return preverify;
    int off = c->verify == OTLS_VERIFY_NONE;
    int depth = wolfSSL_X509_STORE_CTX_get_error_depth(store);
    if (depth < 0)
        depth = 0;
    if (c->vrun_done || c->vdepth == 0 || depth >= c->vdepth)
        run_start(c, depth);
    WOLFSSL_X509 *current = wolfSSL_X509_STORE_CTX_get_current_cert(store);
    record(c, ssl, current, depth);
    if (!preverify && c->verify_err == 0) {
        int err = wolfSSL_X509_STORE_CTX_get_error(store);
        c->verify_err = err != 0 ? err : X509_V_ERR_APPLICATION_VERIFICATION;
        c->verify_err_depth = depth;
    }
    if (depth != 0)
        return off ? 1 : preverify;
    c->vrun_done = 1;
    if (preverify && c->verify_err == 0 && (c->check_name || c->check_ip)) {
        /* No chain (out of memory): refused as a mismatch, never unchecked. */
        const struct oti_wolfssl_blob *leaf = c->vchain ? &c->vchain->cert[0] : NULL;
        int r = leaf && leaf->data ? oti_wolfssl_check_names(c, leaf->data, leaf->len) : -1;
        if (r != 0) {
            c->name_mismatch = r < 0 ? 1 : r;
            c->verify_err = c->name_mismatch == 2 ? OTI_X509_V_ERR_IP_ADDRESS_MISMATCH
                                                  : OTI_X509_V_ERR_HOSTNAME_MISMATCH;
            preverify = 0;
        }
    }
    if (preverify && c->verify_err == 0) {
        complete_chain(c);
        c->verify_ok = !c->vchain_oom;
    }
    return off ? 1 : preverify;
}

/* Points vchain at the chain as the peer sent it, leaf at 0, as the
 * verify callback would have recorded it; 0, or -1 when it is empty or
 * deeper than vchain holds. */
static int chain_from_peer(struct oti_wolfssl_conn *c)
{
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(c->ssl);
    int n = chain ? wolfSSL_get_chain_count(chain) : 0;
    run_start(c, (n > OTI_WOLFSSL_MAX_DEPTH ? OTI_WOLFSSL_MAX_DEPTH : n) - 1);
    if (n <= 0 || c->vchain == NULL)
        return -1;
    if (n > OTI_WOLFSSL_MAX_DEPTH)
        c->vchain_oom = 1; /* deeper than we keep: never report it */
    for (int i = 0; i < n && i < OTI_WOLFSSL_MAX_DEPTH; i++) {
        const unsigned char *der = wolfSSL_get_chain_cert(chain, i);
        int len = wolfSSL_get_chain_length(chain, i);
        /* The chain as received stays in the session until wolfSSL_free,
         * as in record(): pointed at, not copied. */
        if (der == NULL || len <= 0)
            c->vchain_oom = 1;
        else
            oti_wolfssl_certs_borrow(c->vchain, i, der, (size_t)len);
    }
    c->vrun_done = 1;
    return c->vchain_oom ? -1 : 0;
}

void oti_wolfssl_verified_done(struct oti_wolfssl_conn *c)
{
    if (!c->no_verify_cb || wolfSSL_session_reused(c->ssl))
        return;
    if (chain_from_peer(c) != 0) {
        c->verify_ok = 0;
        return;
    }
    complete_chain(c);
    c->verify_ok = !c->vchain_oom;
}

/* The error wolfSSL puts in the store it shows a verify callback for a
 * native code (its GetX509Error, under OPENSSL_COMPATIBLE_DEFAULTS). */
static int store_error(int err)
{
    switch (err) {
    case ASN_BEFORE_DATE_E:
        return X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD;
    case ASN_AFTER_DATE_E:
        return X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD;
    case ASN_NO_SIGNER_E:
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    case ASN_SELF_SIGNED_E:
        return X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
    case ASN_PATHLEN_INV_E:
    case ASN_PATHLEN_SIZE_E:
        return X509_V_ERR_PATH_LENGTH_EXCEEDED;
    case ASN_SIG_OID_E:
    case ASN_SIG_CONFIRM_E:
    case ASN_SIG_HASH_E:
    case ASN_SIG_KEY_E:
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;
    default:
        return err;
    }
}

void oti_wolfssl_verify_failed(struct oti_wolfssl_conn *c, int err)
{
    if (!c->no_verify_cb || c->name_mismatch || c->verify_err != 0)
        return;
    long res = wolfSSL_get_verify_result(c->ssl);
    if (res == X509_V_OK)
        return; /* not a certificate the chain check refused */
    /* What the callback would have been told: the refusal as the store
     * says it (errors.c maps it to OpenSSL's), else wolfSSL's X509 code;
     * and the chain, to tell a self-signed certificate. */
    (void)chain_from_peer(c);
    c->verify_err = err < 0 ? store_error(err) : (int)res;
}
