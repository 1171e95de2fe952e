/* A growable list of owned DER blobs, filled by a backend through the
 * otls_der_sink interface. */
#ifndef OTLS_CORE_DER_LIST_H
#define OTLS_CORE_DER_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls/omnitls.h"
#include "omnitls/provider.h"

struct oti_der_list {
    struct otls_der_sink sink; /* first member: the backend sees only this */
    otls_der *items;
    size_t count;
    size_t cap;
    /* When set, an entry byte-identical to one of share's points to share's
     * copy instead of a new one (the verified chain repeats the chain as
     * sent: one copy per certificate keeps a connection small). share must
     * outlive this list's entries. */
    const struct oti_der_list *share;
    uint64_t borrowed; /* bit i: items[i] is not owned (share's, the leaf's
                        * or kept by the backend: add_kept), i < 64 */
    size_t limit;      /* when set, entries past the first limit are ignored
                        * (a leaf alone, for the peer certificate) */
};

void oti_der_list_init(struct oti_der_list *list);
/* Copies der into the list: 0, or -1 when out of memory. */
int oti_der_list_add(struct oti_der_list *list, const uint8_t *der, size_t len);
/* Copies every entry of src to the end of dst: 0 or -1. */
int oti_der_list_append(struct oti_der_list *dst, const struct oti_der_list *src);
/* Entries byte-identical to *one are replaced by pointers to one's bytes
 * (one must outlive the list's entries). */
void oti_der_list_borrow(struct oti_der_list *list, const otls_der *one);
/* Frees the entries; share and limit stay. */
void oti_der_list_clear(struct oti_der_list *list);

#endif
