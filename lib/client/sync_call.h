/* "Post to the I/O thread and wait": how every client handle runs an
 * application call whose work happens on its I/O thread (the consumer's
 * commit, committed offsets, watermarks and close, the admin client's
 * operations, the producer's purge).
 *
 * The application thread posts the call (its run function goes to the I/O
 * thread) and waits on the lock and condition the handle attached to its
 * log (client/log.h), serving queued log lines while it waits, until the
 * I/O thread completes the call or the call's deadline passes. The call is
 * reference counted, the caller and the I/O thread holding one each, so
 * either side may finish last: a caller that stopped waiting (timeout, or a
 * call posted without waiting) leaves the freeing to the I/O thread.
 *
 * The kl_sync_call_t is embedded in the handle's own call structure; free
 * (when not NULL) frees that structure once both sides are done with it.
 * Memory the caller owns for the whole call (on its stack) takes free NULL
 * and must be waited for without a deadline. */
#ifndef KL_CLIENT_SYNC_CALL_H
#define KL_CLIENT_SYNC_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"

typedef struct kl_sync_call kl_sync_call_t;

struct kl_sync_call {
    kl_client_t *client;
    void (*run)(kl_sync_call_t *call);  /* I/O thread */
    void (*free)(kl_sync_call_t *call); /* at the last release; may be NULL */
    int64_t deadline_ms;                /* kl_clock_ms() time; INT64_MAX: none */
    int refs;                           /* under the log's attached lock */
    bool done;                          /* under the same lock */
    kl_err_t err;                       /* set with done */
};

/* Sets call up with two references (caller's and I/O thread's). A
 * negative timeout_ms waits without a deadline. */
void kl_sync_call_init(kl_sync_call_t *call, kl_client_t *client, void (*run)(kl_sync_call_t *call),
                       void (*free_fn)(kl_sync_call_t *call), int timeout_ms);
/* Any thread: hands call to the I/O thread. KL_ERR_NOMEM when it cannot
 * (the I/O thread's reference is dropped then). */
kl_err_t kl_sync_call_post(kl_sync_call_t *call);
/* Application thread: waits until call completes (its error) or its
 * deadline passes (KL_ERR_TIMED_OUT: what the I/O thread writes must not
 * be read then), serving the log's queued lines meanwhile. */
kl_err_t kl_sync_call_wait(kl_sync_call_t *call);
/* kl_sync_call_post(), then kl_sync_call_wait(). The caller releases call
 * afterwards either way. */
kl_err_t kl_sync_call_run(kl_sync_call_t *call);
/* Any thread: whether call has completed. */
bool kl_sync_call_is_done(kl_sync_call_t *call);
/* I/O thread: completes call with err, wakes the caller, drops the I/O
 * thread's reference (call may be freed on return). Once per call. */
void kl_sync_call_done(kl_sync_call_t *call, kl_err_t err);
/* Drops one reference; the last one runs call->free. */
void kl_sync_call_release(kl_sync_call_t *call);

#endif
