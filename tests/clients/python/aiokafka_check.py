"""aiokafka against a running `kafkalite broker`, run by
tests/clients/test_aiokafka.sh: the admin client creates a topic and
describes the cluster; an idempotent producer (acks=all, gzip, headers)
writes the records; a group member reads them all and commits, and the
admin client describes the group and lists its committed offsets; a new
member, after more records, reads only those.

    python aiokafka_check.py BOOTSTRAP
"""
import asyncio
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

import scenario as sc

TOPIC = "aiokafka-topic"
GROUP = "aiokafka-group"


async def produce(bootstrap, first, n):
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
                         compression_type="gzip", linger_ms=5)
    await p.start()
    try:
        sends = [await p.send(TOPIC, key=sc.key(i), value=sc.value(i), headers=[("h", sc.key(i))])
                 for i in range(first, first + n)]
        await asyncio.wait_for(asyncio.gather(*sends), sc.DEADLINE_S)
    finally:
        await p.stop()


async def consume(bootstrap, first, n):
    c = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=GROUP, auto_offset_reset="earliest",
                         enable_auto_commit=False)
    await c.start()
    try:
        seen = sc.Seen()
        deadline = sc.Deadline()
        while len(seen.keys) < n:
            deadline.check("consumed %d of %d records" % (len(seen.keys), n))
            batches = await c.getmany(timeout_ms=500)
            for records in batches.values():
                for r in records:
                    seen.add(r.key, r.value, r.headers)
        seen.check_exactly(first, n)
        await c.commit()
    finally:
        await c.stop()


async def main(bootstrap):
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, sc.PARTITIONS, 1)])
        cluster = await admin.describe_cluster()
        topics = await admin.list_topics()
        sc.check(len(cluster["brokers"]) == 1 and TOPIC in topics,
                 "describe_cluster: %s; list_topics: %s" % (cluster, topics))
        sc.ok("the admin client created %s, lists it and describes the cluster" % TOPIC)

        await produce(bootstrap, 0, sc.RECORDS)
        sc.ok("idempotent acks=all gzip producer wrote %d records" % sc.RECORDS)

        await consume(bootstrap, 0, sc.RECORDS)
        described = await admin.describe_consumer_groups([GROUP])
        groups = [g for resp in described for g in resp.groups]
        sc.check(len(groups) == 1 and groups[0][0] == 0 and groups[0][1] == GROUP and groups[0][2] == "Empty",
                 "describe_consumer_groups after the member left: %s" % (groups,))
        offsets = await admin.list_consumer_group_offsets(GROUP)
        total = sum(o.offset for o in offsets.values())
        sc.check(total == sc.RECORDS, "committed offsets add up to %d, want %d" % (total, sc.RECORDS))
        sc.ok("the group read every record once and committed %d" % sc.RECORDS)

        await produce(bootstrap, sc.RECORDS, sc.LATER)
        await consume(bootstrap, sc.RECORDS, sc.LATER)
        sc.ok("a new member resumed from the commit and read only the %d later records" % sc.LATER)
    finally:
        await admin.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sc.fail("usage: aiokafka_check.py BOOTSTRAP")
    asyncio.run(asyncio.wait_for(main(sys.argv[1]), 3 * sc.DEADLINE_S))
