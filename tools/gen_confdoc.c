/* gen_confdoc: writes the configuration reference generated from the
 * property tables into a top directory:
 *
 *   DIR/CONFIGURATION.md
 *   DIR/man/man5/kafkalite.conf.5                (client properties)
 *   DIR/man/man5/kafkalite-broker.properties.5   (broker properties)
 *
 * `make update-docs` runs it on the source tree; a `make check` test runs
 * it on a temporary directory and compares. Built, never installed. Each
 * file is written beside its target and renamed over it, so a failed run
 * leaves the old copy in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confdoc.h"

/* Creates every missing directory leading to the file at path. */
static int make_parents(char *path)
{
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int rc = mkdir(path, 0777);
        int saved = errno;
        *slash = '/';
        if (rc != 0 && saved != EEXIST) {
            fprintf(stderr, "gen_confdoc: cannot create the directories of %s: %s\n", path, strerror(saved));
            return -1;
        }
    }
    return 0;
}

typedef int writer_fn(FILE *out, const confdoc_page_t *page);

static int write_markdown(FILE *out, const confdoc_page_t *page)
{
    (void)page;
    return confdoc_write_markdown(out);
}

static int write_file(const char *dir, const char *relpath, writer_fn *writer, const confdoc_page_t *page)
{
    char path[4096], tmp[4112];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, relpath) >= sizeof path) {
        fprintf(stderr, "gen_confdoc: path too long: %s\n", dir);
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (make_parents(path) != 0)
        return -1;
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "gen_confdoc: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    int rc = writer(out, page);
    if (rc != 0)
        fprintf(stderr, "gen_confdoc: %s: a table holds text that is not valid UTF-8\n", relpath);
    if (ferror(out))
        rc = -1;
    if (fclose(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) {
        fprintf(stderr, "gen_confdoc: cannot rename %s: %s\n", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        remove(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: gen_confdoc DIR\n"
                        "writes DIR/CONFIGURATION.md and DIR/man/man5/*.5 from the property tables\n");
        return 2;
    }
    int rc = 0;
    for (size_t i = 0; i < confdoc_page_count; i++)
        rc |= confdoc_check(confdoc_pages[i]);
    if (rc != 0)
        return 1;
    rc |= write_file(argv[1], "CONFIGURATION.md", write_markdown, NULL);
    for (size_t i = 0; i < confdoc_page_count; i++)
        rc |= write_file(argv[1], confdoc_pages[i]->man_path, confdoc_write_man, confdoc_pages[i]);
    return rc ? 1 : 0;
}
