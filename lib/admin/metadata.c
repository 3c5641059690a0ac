/* The admin client's own Metadata requests: the topics it describes and the
 * leaders it sends ListOffsets and DeleteRecords to, read fresh from a
 * broker rather than from the client's cache, and never creating a topic. */
#include "admin/admin_impl.h"

#include "proto/msg_metadata.h"

/* Versions: 1 is the first where a null list asks for every topic; 12 the
 * newest this client has been tested against. */
#define METADATA_MIN_VERSION 1
#define METADATA_MAX_VERSION 12

static void *build(admin_call_t *call, int16_t version, kl_arena_t *arena)
{
    (void)version;
    const admin_md_request_t *md = call->arg;
    kl_metadata_request_t *req = kl_arena_alloc(arena, sizeof *req);
    if (!req)
        return NULL;
    kl_proto_init(&kl_metadata_request_schema, req);
    req->allow_auto_topic_creation = false;
    if (md->brokers_only) {
        req->topics.items = NULL;
        req->topics.count = 0;
        return req;
    }
    if (md->count == 0) {
        req->topics.items = NULL;
        req->topics.count = -1;
        return req;
    }
    kl_metadata_request_topic_t *topics = kl_arena_calloc(arena, md->count, sizeof *topics);
    if (!topics)
        return NULL;
    for (size_t i = 0; i < md->count; i++)
        topics[i].name = kl_str(md->topics[i]);
    req->topics.items = topics;
    req->topics.count = (int32_t)md->count;
    return req;
}

static void handle(admin_call_t *call, kl_err_t err, const char *errstr, const void *resp)
{
    const admin_md_request_t *md = call->arg;
    md->done(call, err, errstr, resp);
}

static const admin_call_def_t metadata_def = {
    KL_API_METADATA, METADATA_MIN_VERSION, METADATA_MAX_VERSION, build, handle,
};

bool admin_metadata_submit(admin_op_t *op, admin_md_request_t *req)
{
    return admin_call_submit(op, &metadata_def, ADMIN_ANY_BROKER, NULL, req);
}
