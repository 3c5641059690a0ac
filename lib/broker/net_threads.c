/* Network threads: start, stop, round robin (see net_threads.h). */
#include "broker/net_threads.h"

#include <stdlib.h>

#include "broker/server.h"
#include "util/conf.h"

static void *net_thread_main(void *arg)
{
    broker_net_t *net = arg;
    kl_loop_run(net->loop);
    return NULL;
}

int net_threads_start(kl_broker_t *b)
{
    broker_nets_t *nets = &b->nets;
    size_t n = (size_t)kl_conf_get_int(b->conf, "num.network.threads");
    nets->threads = calloc(n, sizeof *nets->threads);
    if (!nets->threads)
        return -1;
    nets->count = n;
    nets->next = 0;
    for (size_t i = 0; i < n; i++) {
        broker_net_t *net = &nets->threads[i];
        net->loop = kl_loop_new();
        if (!net->loop || pthread_create(&net->thread, NULL, net_thread_main, net) != 0) {
            net_threads_stop(b);
            net_threads_free(b);
            return -1;
        }
        net->running = true;
    }
    return 0;
}

void net_threads_stop(kl_broker_t *b)
{
    for (size_t i = 0; i < b->nets.count; i++) {
        broker_net_t *net = &b->nets.threads[i];
        if (!net->running)
            continue;
        kl_loop_stop(net->loop);
        pthread_join(net->thread, NULL);
        net->running = false;
    }
}

void net_threads_free(kl_broker_t *b)
{
    for (size_t i = 0; i < b->nets.count; i++)
        kl_loop_destroy(b->nets.threads[i].loop);
    free(b->nets.threads);
    b->nets.threads = NULL;
    b->nets.count = 0;
}

broker_net_t *net_threads_pick(kl_broker_t *b)
{
    broker_nets_t *nets = &b->nets;
    broker_net_t *net = &nets->threads[nets->next];
    nets->next = (nets->next + 1) % nets->count;
    return net;
}
