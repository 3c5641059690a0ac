/* meta.properties in the log directory, as Kafka keeps it: the cluster id
 * chosen when the directory was first used and the node id it belongs to.
 * A directory written by another node id is refused, as Kafka does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "broker/server.h"
#include "storage/file.h"

#define META_NAME "meta.properties"

/* Kafka's cluster ids: 16 random bytes in URL-safe base64, unpadded. */
static void new_cluster_id(char out[23])
{
    uint8_t b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)rand();
    uuid_to_base64(b, out);
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* Reads cluster.id and node.id; *found false when there is no file. */
static kl_err_t meta_read(const char *path, char *cluster_id, size_t size, long *node_id, bool *found)
{
    *found = false;
    *node_id = -1;
    cluster_id[0] = '\0';
    FILE *f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
    *found = true;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        trim(line);
        size_t len = strlen(line);
        if (!strncmp(line, "cluster.id=", 11) && len - 11 < size)
            memcpy(cluster_id, line + 11, len - 11 + 1);
        else if (!strncmp(line, "node.id=", 8) || !strncmp(line, "broker.id=", 10))
            *node_id = strtol(strchr(line, '=') + 1, NULL, 10);
    }
    fclose(f);
    return KL_ERR_NONE;
}

static kl_err_t meta_write(const char *path, const char *cluster_id, int32_t node_id)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return KL_ERR_KAFKA_STORAGE_ERROR;
    fprintf(f, "#\n#Written by kafkalite\nnode.id=%d\nversion=1\ncluster.id=%s\n", (int)node_id, cluster_id);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    return kl_fsync_dir(dir) ? KL_ERR_NONE : KL_ERR_KAFKA_STORAGE_ERROR;
}

kl_err_t meta_properties_load(kl_broker_t *broker, char *errstr, size_t errstr_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", broker->log_dir, META_NAME);
    long node_id;
    bool found;
    kl_err_t err = meta_read(path, broker->cluster_id, sizeof broker->cluster_id, &node_id, &found);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read %s: %s", path, strerror(errno));
        return err;
    }
    if (found && node_id != broker->node_id) {
        snprintf(errstr, errstr_size, "%s belongs to node.id %ld, not to this broker's node.id %d", path, node_id,
                 (int)broker->node_id);
        return KL_ERR_INVALID_CONFIG;
    }
    if (found && broker->cluster_id[0])
        return KL_ERR_NONE;
    new_cluster_id(broker->cluster_id);
    err = meta_write(path, broker->cluster_id, broker->node_id);
    if (err)
        snprintf(errstr, errstr_size, "cannot write %s: %s", path, strerror(errno));
    char catalog[4200];
    snprintf(catalog, sizeof catalog, "%s/%s", broker->log_dir, CATALOG_NAME);
    if (!err && access(catalog, F_OK) == 0) /* not a first start: say what changed */
        broker_log(broker, BROKER_LOG_WARN, "%s was %s: wrote it again with a new cluster.id %s", path,
                   found ? "without a cluster.id" : "missing", broker->cluster_id);
    return err;
}
