/* For the transaction tests: appends a batch of a producer to a partition
 * log the way the broker's produce path does (validated, sequence and
 * transaction checked, appended, producer state updated). */
#ifndef KL_TEST_TXN_APPEND_H
#define KL_TEST_TXN_APPEND_H

#include <stdbool.h>
#include <stdint.h>

#include "broker/producer_state.h"

#define TXN_APPEND_NOW 1700000000000LL

/* n records of pid at epoch from sequence seq, transactional or not;
 * returns the batch's base offset. Fails the Check test on any error. */
int64_t txn_append(kl_log_t *log, producer_state_t *ps, int64_t pid, int16_t epoch, int32_t seq, int n,
                   bool transactional);

#endif
