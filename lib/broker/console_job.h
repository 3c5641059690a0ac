/* The HTTP console's requests that go through the broker's own request
 * handlers (broker_call_local()): a topic's configs (DescribeConfigs) and
 * every change (CreateTopics, DeleteTopics, CreatePartitions,
 * IncrementalAlterConfigs, OffsetCommit, DeleteGroups), so that the console
 * checks, changes and logs exactly what a Kafka client's request would. On
 * the broker loop's thread. */
#ifndef KL_BROKER_CONSOLE_JOB_H
#define KL_BROKER_CONSOLE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "broker/console.h"
#include "broker/dispatch.h"

typedef struct console_job console_job_t;

/* Writes the page from the handler's response (NULL: out of memory). */
typedef void console_answer_fn(console_job_t *job, console_page_t *page, const void *resp);

struct console_job {
    kl_broker_t *broker;
    console_page_t *page;
    console_done_fn *done; /* the page is complete (after a pending answer) */
    void *done_arg;
    kl_arena_t arena;      /* the request body and what it points to */
    broker_request_t req;
    console_answer_fn *answer;
    bool running;  /* the handler is on the stack */
    bool answered;
};

/* A job writing page (done(done_arg) once it is complete, if that comes
 * after console_job_run() returned); NULL when out of memory. */
console_job_t *console_job_new(kl_broker_t *broker, console_page_t *page, console_done_fn *done, void *done_arg);
/* The request body for api_key, zeroed, in the job's arena (NULL: out of
 * memory). */
void *console_job_body(console_job_t *job, int16_t api_key);
/* Runs api_key's handler at version on the body, answer writing the page.
 * False when the page is complete (the job is freed); true when the
 * answer comes later (then done is called and the job freed). */
bool console_job_run(console_job_t *job, int16_t api_key, int16_t version, console_answer_fn *answer);
/* Frees a job that was not run. */
void console_job_free(console_job_t *job);

/* A copy of s in the job's arena ("" when out of memory). */
kl_str_t console_job_str(console_job_t *job, const char *s);

/* An answer for a Kafka error code with its message (NULL or null: the
 * error's name), with the HTTP status that fits it: 404 for what does not
 * exist, 409 for a conflict with the current state, 403 for what the
 * broker's configuration forbids, 400 for a bad request, 500 else. */
void console_kafka_error(console_page_t *page, int16_t code, kl_str_t message);

#endif
