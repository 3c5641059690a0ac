/* Damage between two kills of the crash loop, to the tail of a
 * partition's active segment and its indexes, limited to what a promise
 * can survive: bytes no acknowledgement covers. See crash_damage.c. */
#ifndef KL_TEST_CRASH_DAMAGE_H
#define KL_TEST_CRASH_DAMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the record whose value is the decimal sequence number seq was
 * acknowledged to its producer. */
typedef bool crash_acked_fn(void *opaque, int64_t seq);

/* Damages the active segment of the partition directory dir and its
 * indexes (choices drawn from seed); what[] says what was done. Returns
 * false when there was nothing to damage. */
bool crash_damage(const char *dir, unsigned *seed, crash_acked_fn *acked, void *opaque, char *what, size_t size);

#endif
