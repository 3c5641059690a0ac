/* The run-time version of the library. */
#include "kafkalite/common.h"

int kl_version(void) { return KL_VERSION; }

const char *kl_version_str(void) { return KL_VERSION_STR; }
