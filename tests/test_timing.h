/* Room for timing upper bounds: sanitizer builds run a few times slower,
 * and CI runs them on 2 loaded cores. A bound written as
 * KL_TEST_SLACK_MS(ms) stays tight in a normal build and still fails
 * there when something waits for the wrong timer. */
#ifndef KL_TEST_TIMING_H
#define KL_TEST_TIMING_H

#if defined(__SANITIZE_ADDRESS__)
#define KL_TEST_SLOWDOWN 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KL_TEST_SLOWDOWN 4
#endif
#endif
#ifndef KL_TEST_SLOWDOWN
#define KL_TEST_SLOWDOWN 1
#endif

#define KL_TEST_SLACK_MS(ms) ((ms) * KL_TEST_SLOWDOWN)

#endif
