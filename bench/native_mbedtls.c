/* The workloads on mbedTLS 2.28's own API, set up as the omnitls mbedTLS
 * backend sets up its connections (a CTR-DRBG per role shared by its
 * connections; P-256 only; server: SNI callback, no session cache nor
 * tickets; client: no tickets, mbedtls_ssl_set_hostname for SNI and the name check). One
 * configuration per role, as a native program would have. mbedTLS 2.28 has no TLS 1.3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>

#include "bench.h"

struct role {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config conf;
};

static struct role client, server;
static mbedtls_x509_crt ca, own;
static mbedtls_pk_context own_key;
static const mbedtls_ecp_group_id p256_only[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE};
static const int suites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};

struct conn {
    mbedtls_ssl_context ssl;
    mbedtls_net_context net;
};

static int fail(char *err, size_t len, const char *what, int ret)
{
    char buf[200];
    mbedtls_strerror(ret, buf, sizeof buf);
    snprintf(err, len, "%s: -0x%04x %s", what, (unsigned)-ret, buf);
    return -1;
}

static int sni_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    (void)p;
    (void)ssl;
    (void)name;
    (void)len;
    return 0;
}

static int role_init(struct role *r, int endpoint, char *err, size_t len)
{
    static const unsigned char pers[] = "omnitls bench";
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    mbedtls_ssl_config_init(&r->conf);
    int ret =
        mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, pers, sizeof pers - 1);
    if (ret != 0)
        return fail(err, len, "drbg", ret);
    ret = mbedtls_ssl_config_defaults(&r->conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        return fail(err, len, "config", ret);
    mbedtls_ssl_conf_rng(&r->conf, mbedtls_ctr_drbg_random, &r->drbg);
    mbedtls_ssl_conf_min_version(&r->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&r->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&r->conf, suites);
    return 0;
}

static int init(const struct bench_cfg *cfg, char *err, size_t len)
{
    char path[1024];
    if (cfg->tls13) {
        snprintf(err, len, "mbedTLS %s has no TLS 1.3", MBEDTLS_VERSION_STRING);
        return BENCH_UNSUPPORTED;
    }
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&own);
    mbedtls_pk_init(&own_key);
    if (role_init(&client, MBEDTLS_SSL_IS_CLIENT, err, len) != 0 ||
        role_init(&server, MBEDTLS_SSL_IS_SERVER, err, len) != 0)
        return -1;
    int ret;
    snprintf(path, sizeof path, "%s/root.pem", cfg->pki_dir);
    if ((ret = mbedtls_x509_crt_parse_file(&ca, path)) != 0)
        return fail(err, len, path, ret);
    snprintf(path, sizeof path, "%s/server-chain.pem", cfg->pki_dir);
    if ((ret = mbedtls_x509_crt_parse_file(&own, path)) != 0)
        return fail(err, len, path, ret);
    snprintf(path, sizeof path, "%s/server-key.pem", cfg->pki_dir);
    if ((ret = mbedtls_pk_parse_keyfile(&own_key, path, NULL)) != 0)
        return fail(err, len, path, ret);
    mbedtls_ssl_conf_authmode(&client.conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&client.conf, &ca, NULL);
    mbedtls_ssl_conf_authmode(&server.conf, MBEDTLS_SSL_VERIFY_NONE);
    if ((ret = mbedtls_ssl_conf_own_cert(&server.conf, &own, &own_key)) != 0)
        return fail(err, len, "own cert", ret);
    mbedtls_ssl_conf_sni(&server.conf, sni_cb, NULL);
    /* Full handshakes only: no session cache, no tickets (the client asks
     * for none), P-256 only on both ends. */
    mbedtls_ssl_conf_session_tickets(&client.conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    mbedtls_ssl_conf_curves(&client.conf, p256_only);
    mbedtls_ssl_conf_curves(&server.conf, p256_only);
    return 0;
}

static void role_free(struct role *r)
{
    mbedtls_ssl_config_free(&r->conf);
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

static void cleanup(void)
{
    role_free(&client);
    role_free(&server);
    mbedtls_x509_crt_free(&ca);
    mbedtls_x509_crt_free(&own);
    mbedtls_pk_free(&own_key);
}

static void conn_free(void *p)
{
    struct conn *c = p;
    if (c == NULL)
        return;
    mbedtls_ssl_free(&c->ssl);
    free(c);
}

static void *conn_new(int is_server, int fd, char *err, size_t len)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    mbedtls_ssl_init(&c->ssl);
    c->net.fd = fd;
    int ret = mbedtls_ssl_setup(&c->ssl, is_server ? &server.conf : &client.conf);
    if (ret == 0 && !is_server)
        ret = mbedtls_ssl_set_hostname(&c->ssl, BENCH_HOSTNAME);
    if (ret != 0) {
        fail(err, len, "setup", ret);
        conn_free(c);
        return NULL;
    }
    mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    return c;
}

static int handshake(void *p, char *err, size_t len)
{
    struct conn *c = p;
    int ret = mbedtls_ssl_handshake(&c->ssl);
    return ret == 0 ? 0 : fail(err, len, "handshake", ret);
}

static int inspect(void *p, char *err, size_t len)
{
    struct conn *c = p;
    const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
    if (peer == NULL || peer->raw.len == 0)
        return fail(err, len, "peer certificate", 0);
    const char *suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
    int id = suite ? mbedtls_ssl_get_ciphersuite_id(suite) : 0;
    return id == 0 ? fail(err, len, "cipher", 0) : 0;
}

static int write_all(void *p, const void *buf, size_t len)
{
    struct conn *c = p;
    const unsigned char *b = buf;
    while (len > 0) {
        int ret = mbedtls_ssl_write(&c->ssl, b, len);
        if (ret <= 0)
            return -1;
        b += ret;
        len -= (size_t)ret;
    }
    return 0;
}

static int read_some(void *p, void *buf, size_t len, size_t *got)
{
    struct conn *c = p;
    int ret = mbedtls_ssl_read(&c->ssl, buf, len);
    if (ret <= 0)
        return -1;
    *got = (size_t)ret;
    return 0;
}

static const char *version(void)
{
    return "mbed TLS " MBEDTLS_VERSION_STRING;
}

const struct bench_engine bench_engine = {
    .name = "mbedtls",
    .init = init,
    .cleanup = cleanup,
    .conn_new = conn_new,
    .handshake = handshake,
    .inspect = inspect,
    .write_all = write_all,
    .read_some = read_some,
    .conn_free = conn_free,
    .version = version,
};
