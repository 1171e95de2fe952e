/* The transport: a BIO whose reads and writes call the core's callbacks. */
#include <openssl/bio.h>
#include <openssl/crypto.h>

#include "openssl_backend.h"

static int bio_write(BIO *bio, const char *buf, size_t len, size_t *written)
{
    struct oti_openssl_conn *c = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    *written = 0;
    long n = c->send(c->io_user, buf, len);
    if (n > 0) {
        *written = (size_t)n > len ? len : (size_t)n;
        return 1;
    }
    if (n == OTLS_IO_WOULD_BLOCK)
        BIO_set_retry_write(bio);
    else
        c->io_failed = 1;
    return 0;
}

static int bio_read(BIO *bio, char *buf, size_t len, size_t *got)
{
    struct oti_openssl_conn *c = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    *got = 0;
    long n = c->recv(c->io_user, buf, len);
    if (n > 0) {
        *got = (size_t)n > len ? len : (size_t)n;
        return 1;
    }
    if (n == 0)
        c->io_eof = 1; /* BIO_CTRL_EOF tells OpenSSL it was an EOF */
    else if (n == OTLS_IO_WOULD_BLOCK)
        BIO_set_retry_read(bio);
    else
        c->io_failed = 1;
    return 0;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    struct oti_openssl_conn *c = BIO_get_data(bio);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; /* nothing is buffered here */
    case BIO_CTRL_EOF:
        return c != NULL && c->io_eof;
    default:
        return 0;
    }
}

static BIO_METHOD *method;
static CRYPTO_ONCE method_once = CRYPTO_ONCE_STATIC_INIT;

/* Created once per process and kept: OpenSSL offers no hook to free it at
 * exit, and a static pointer is merely "still reachable". */
static void method_create(void)
{
    int index = BIO_get_new_index();
    BIO_METHOD *m =
        BIO_meth_new((index > 0 ? index : 0) | BIO_TYPE_SOURCE_SINK, "omnitls transport");
    if (m == NULL)
        return;
    if (!BIO_meth_set_write_ex(m, bio_write) || !BIO_meth_set_read_ex(m, bio_read) ||
        !BIO_meth_set_ctrl(m, bio_ctrl)) {
        BIO_meth_free(m);
        return;
    }
    method = m;
}

BIO *oti_openssl_bio_new(struct oti_openssl_conn *conn)
{
    if (!CRYPTO_THREAD_run_once(&method_once, method_create) || method == NULL)
        return NULL;
    BIO *bio = BIO_new(method);
    if (bio == NULL)
        return NULL;
    BIO_set_data(bio, conn);
    BIO_set_init(bio, 1);
    return bio;
}
