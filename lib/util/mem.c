/* Releasing a plain string the library returned (kafkalite.h's ownership
 * rule): the application frees through the library, so the allocator that
 * made the memory is the one that takes it back. */
#include <stdlib.h>

#include "kafkalite/common.h"

void kl_mem_free(void *ptr) { free(ptr); }
