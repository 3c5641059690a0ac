/* The consumer's group metadata for transactional offset commits: a
 * snapshot of the group id, generation, member id and group.instance.id
 * (see kafkalite/consumer.h). */
#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_impl.h"
#include "consumer/group_metadata.h"
#include "util/conf.h"

static kl_consumer_group_metadata_t *make(const char *group_id, int32_t generation, const char *member_id,
                                          const char *instance_id)
{
    kl_consumer_group_metadata_t *md = calloc(1, sizeof *md);
    if (!md)
        return NULL;
    md->group_id = strdup(group_id);
    md->generation_id = generation;
    md->member_id = strdup(member_id ? member_id : "");
    md->instance_id = instance_id && *instance_id ? strdup(instance_id) : NULL;
    if (!md->group_id || !md->member_id || (instance_id && *instance_id && !md->instance_id)) {
        kl_consumer_group_metadata_destroy(md);
        return NULL;
    }
    return md;
}

kl_consumer_group_metadata_t *kl_consumer_group_metadata(kl_consumer_t *c)
{
    if (!c || !c->cgrp)
        return NULL;
    const kl_conf_t *conf = kl_client_conf(c->client);
    pthread_mutex_lock(&c->lock);
    kl_consumer_group_metadata_t *md = make(kl_conf_get_str(conf, "group.id"), c->generation, c->member_id,
                                            kl_conf_get_str(conf, "group.instance.id"));
    pthread_mutex_unlock(&c->lock);
    return md;
}

kl_consumer_group_metadata_t *kl_consumer_group_metadata_new(const char *group_id)
{
    if (!group_id || !*group_id)
        return NULL;
    return make(group_id, -1, "", NULL);
}

kl_consumer_group_metadata_t *kl_consumer_group_metadata_copy(const kl_consumer_group_metadata_t *md)
{
    return make(md->group_id, md->generation_id, md->member_id, md->instance_id);
}

void kl_consumer_group_metadata_destroy(kl_consumer_group_metadata_t *md)
{
    if (!md)
        return;
    free(md->group_id);
    free(md->member_id);
    free(md->instance_id);
    free(md);
}
