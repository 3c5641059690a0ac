/* The HTTP console's requests through the broker's request handlers (see
 * console_job.h). */
#include <stdlib.h>
#include <string.h>

#include "broker/console_job.h"
#include "proto/codec.h"

console_job_t *console_job_new(kl_broker_t *b, console_page_t *page, console_done_fn *done, void *done_arg)
{
    console_job_t *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->broker = b;
    job->page = page;
    job->done = done;
    job->done_arg = done_arg;
    kl_arena_init(&job->arena, 0);
    return job;
}

void console_job_free(console_job_t *job)
{
    kl_arena_free(&job->arena);
    free(job);
}

void *console_job_body(console_job_t *job, int16_t api_key)
{
    const kl_api_t *api = kl_api_find(api_key);
    void *body = api ? kl_arena_alloc(&job->arena, api->request->size) : NULL;
    if (body)
        kl_proto_init(api->request, body);
    job->req.body = body;
    return body;
}

kl_str_t console_job_str(console_job_t *job, const char *s)
{
    char *copy = kl_arena_strndup(&job->arena, s, strlen(s));
    return kl_str(copy ? copy : "");
}

static void on_answer(void *opaque, const void *resp)
{
    console_job_t *job = opaque;
    if (job->answered) /* handlers answer once */
        return;
    job->answered = true;
    job->answer(job, job->page, resp);
    if (job->running)
        return;
    console_done_fn *done = job->done;
    void *arg = job->done_arg;
    console_job_free(job);
    done(arg);
}

bool console_job_run(console_job_t *job, int16_t api_key, int16_t version, console_answer_fn *answer)
{
    job->answer = answer;
    job->req.broker = job->broker;
    job->req.arena = &job->arena;
    job->req.hdr.api_key = api_key;
    job->req.hdr.api_version = version;
    job->req.hdr.client_id = kl_str("kafkalite-console");
    job->req.local_reply = on_answer;
    job->req.local_opaque = job;
    job->running = true;
    broker_req_status_t st = broker_call_local(&job->req);
    job->running = false;
    if (job->answered || st != BROKER_REQ_PARKED) {
        if (!job->answered)
            console_error(job->page, 500, "the broker's handler gave no answer");
        console_job_free(job);
        return false;
    }
    return true;
}

void console_kafka_error(console_page_t *page, int16_t code, kl_str_t message)
{
    unsigned status = 500;
    switch (code) {
    case KL_ERR_UNKNOWN_TOPIC_OR_PARTITION:
    case KL_ERR_UNKNOWN_TOPIC_ID:
    case KL_ERR_GROUP_ID_NOT_FOUND: status = 404; break;
    case KL_ERR_TOPIC_ALREADY_EXISTS:
    case KL_ERR_NON_EMPTY_GROUP:
    case KL_ERR_UNKNOWN_MEMBER_ID:
    case KL_ERR_ILLEGAL_GENERATION:
    case KL_ERR_REBALANCE_IN_PROGRESS: status = 409; break;
    case KL_ERR_TOPIC_DELETION_DISABLED: status = 403; break;
    case KL_ERR_INVALID_TOPIC_EXCEPTION:
    case KL_ERR_INVALID_PARTITIONS:
    case KL_ERR_INVALID_REPLICATION_FACTOR:
    case KL_ERR_INVALID_REPLICA_ASSIGNMENT:
    case KL_ERR_INVALID_CONFIG:
    case KL_ERR_INVALID_REQUEST:
    case KL_ERR_INVALID_GROUP_ID: status = 400; break;
    default: break;
    }
    if (message.len > 0)
        console_error(page, status, "%s: %.*s", kl_err_name(code), (int)message.len, message.ptr);
    else
        console_error(page, status, "%s: %s", kl_err_name(code), kl_err_str(code));
}
