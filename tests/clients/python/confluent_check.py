"""confluent-kafka (the Python client on its bundled librdkafka) against a
running `kafkalite broker`, run by tests/clients/test_confluent_kafka.sh:
the AdminClient creates a topic and lists the metadata; an idempotent
producer (acks=all, zstd, headers) writes the records; a group member
reads them all and commits, and the AdminClient lists and describes the
group and its committed offsets; a new member, after more records, reads
only those.

    python confluent_check.py BOOTSTRAP
"""
import sys

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer
from confluent_kafka.admin import AdminClient, NewTopic

import scenario as sc

TOPIC = "confluent-topic"
GROUP = "confluent-group"


def produce(bootstrap, first, n):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                  "compression.type": "zstd", "linger.ms": 5})
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(err)

    for i in range(first, first + n):
        p.produce(TOPIC, key=sc.key(i), value=sc.value(i), headers=[("h", sc.key(i))], on_delivery=delivered)
    left = p.flush(sc.DEADLINE_S)
    sc.check(left == 0 and not errors, "%d records undelivered, errors %s" % (left, errors[:3]))


def consume(bootstrap, first, n):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe([TOPIC])
    seen = sc.Seen()
    deadline = sc.Deadline()
    while len(seen.keys) < n:
        deadline.check("consumed %d of %d records" % (len(seen.keys), n))
        msg = c.poll(0.5)
        if msg is None:
            continue
        sc.check(msg.error() is None, "consume: %s" % (msg.error(),))
        seen.add(msg.key(), msg.value(), msg.headers())
    seen.check_exactly(first, n)
    c.commit(asynchronous=False)
    c.close()


def main(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(TOPIC, sc.PARTITIONS, 1)], operation_timeout=30).values():
        f.result(sc.DEADLINE_S)
    md = admin.list_topics(timeout=sc.DEADLINE_S)
    sc.check(len(md.brokers) == 1 and len(md.topics[TOPIC].partitions) == sc.PARTITIONS,
             "metadata: %d brokers, %s" % (len(md.brokers), md.topics.get(TOPIC)))
    sc.ok("the AdminClient created %s and lists it with %d partitions" % (TOPIC, sc.PARTITIONS))

    produce(bootstrap, 0, sc.RECORDS)
    sc.ok("idempotent acks=all zstd producer wrote %d records" % sc.RECORDS)

    consume(bootstrap, 0, sc.RECORDS)
    listed = admin.list_consumer_groups().result(sc.DEADLINE_S)
    sc.check(GROUP in [g.group_id for g in listed.valid], "list_consumer_groups: %s" % (listed.valid,))
    described = admin.describe_consumer_groups([GROUP])[GROUP].result(sc.DEADLINE_S)
    sc.check(str(described.state).endswith("EMPTY") and not described.members,
             "describe_consumer_groups after the member left: %s" % (described,))
    offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)])[GROUP].result(sc.DEADLINE_S)
    total = sum(tp.offset for tp in offsets.topic_partitions)
    sc.check(total == sc.RECORDS, "committed offsets add up to %d, want %d" % (total, sc.RECORDS))
    sc.ok("the group read every record once and committed %d" % sc.RECORDS)

    produce(bootstrap, sc.RECORDS, sc.LATER)
    consume(bootstrap, sc.RECORDS, sc.LATER)
    sc.ok("a new member resumed from the commit and read only the %d later records" % sc.LATER)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sc.fail("usage: confluent_check.py BOOTSTRAP")
    main(sys.argv[1])
