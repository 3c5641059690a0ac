/* The console page's files (console/ in the source tree), compiled into
 * the library at build time by tools/embed_assets.sh: no file is read at
 * run time. */
#ifndef KL_BROKER_CONSOLE_ASSETS_H
#define KL_BROKER_CONSOLE_ASSETS_H

#include <stddef.h>

typedef struct console_asset {
    const char *path; /* as requested, e.g. "/" or "/console.js" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t size;
} console_asset_t;

/* The asset served at path, or NULL. */
const console_asset_t *console_asset(const char *path);

#endif
