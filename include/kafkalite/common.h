/* kafkalite: macros shared by every public header (export attribute,
 * version). Include <kafkalite.h> rather than this file. */
#ifndef KAFKALITE_COMMON_H
#define KAFKALITE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(KL_BUILDING_LIB) && defined(__GNUC__)
#define KL_EXPORT __attribute__((visibility("default")))
#else
#define KL_EXPORT
#endif

#if defined(__GNUC__)
#define KL_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define KL_WARN_UNUSED
#endif

/** Library version as 0xMMmmpp00 (major, minor, patch). */
#define KL_VERSION 0x00010000
#define KL_VERSION_STR "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/** The version of the library linked at run time, as KL_VERSION encodes it. */
KL_EXPORT int kl_version(void);

/** The version of the library linked at run time, as "major.minor.patch". */
KL_EXPORT const char *kl_version_str(void);

/** Releases a plain string the library returned (kl_producer_stats(),
 * kl_consumer_memberid()). NULL is allowed. Objects go back through
 * their own kl_<type>_destroy() (see kafkalite.h). */
KL_EXPORT void kl_mem_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif
