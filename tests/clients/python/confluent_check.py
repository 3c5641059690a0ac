"""confluent-kafka (the Python client on its bundled librdkafka) against a
running `kafkalite broker`, run by tests/clients/test_confluent_kafka.sh:
the AdminClient creates a topic and lists the metadata; an idempotent
producer (acks=all, zstd, headers) writes the records; a group member
reads them all and commits, and the AdminClient lists and describes the
group and its committed offsets; a new member, after more records, reads
only those. Then (a fifth step) consume-transform-produce: a group member
reads the topic in read_committed, a transactional producer writes the
output and sends the member's positions with its group metadata
(send_offsets_to_transaction, KIP-447); the group's offsets stay where
they were when that transaction aborts and when it is open, move when
it commits, and a read_committed reader of the output sees the
committed transaction only.

    python confluent_check.py BOOTSTRAP
"""
import sys

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import scenario as sc

TOPIC = "confluent-topic"
GROUP = "confluent-group"
TXN_OUT = "confluent-txn-out"
TXN_GROUP = "confluent-txn-group"


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


def read_all(bootstrap, topic, isolation, group):
    """The values of the topic's partition 0 up to its end offset for the
    isolation level (for read_committed, the last stable offset)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "isolation.level": isolation,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False, "fetch.wait.max.ms": 20})
    c.assign([TopicPartition(topic, 0)])
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=sc.DEADLINE_S, cached=False)
    got = []
    deadline = sc.Deadline()
    while c.position([TopicPartition(topic, 0)])[0].offset < high:
        deadline.check("read %s up to %d (%s): %s" % (topic, high, isolation, got))
        msg = c.poll(0.1)
        if msg is not None and msg.error() is None:
            got.append(msg.value())
    c.close()
    return got


def group_offsets(admin):
    found = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(TXN_GROUP)])[TXN_GROUP].result(sc.DEADLINE_S)
    return sorted((tp.partition, tp.offset) for tp in found.topic_partitions if tp.offset >= 0)


def transactions(bootstrap, admin):
    for f in admin.create_topics([NewTopic(TXN_OUT, 1, 1)], operation_timeout=30).values():
        f.result(sc.DEADLINE_S)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": TXN_GROUP, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "isolation.level": "read_committed"})
    c.subscribe([TOPIC])
    seen = sc.Seen()
    deadline = sc.Deadline()
    while len(seen.keys) < sc.RECORDS + sc.LATER:
        deadline.check("the transaction's input: %d of %d records" % (len(seen.keys), sc.RECORDS + sc.LATER))
        msg = c.poll(0.5)
        if msg is not None:
            sc.check(msg.error() is None, "consume: %s" % (msg.error(),))
            seen.add(msg.key(), msg.value(), msg.headers())
    positions = c.position(c.assignment())
    want = sorted((tp.partition, tp.offset) for tp in positions)
    sc.check(len(want) == sc.PARTITIONS and sum(o for _, o in want) == sc.RECORDS + sc.LATER,
             "positions %s" % (want,))
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": "confluent-tx"})
    p.init_transactions(sc.DEADLINE_S)
    for commit in (False, True):
        p.begin_transaction()
        p.produce(TXN_OUT, value=b"out-%d" % commit, partition=0)
        sc.check(p.flush(sc.DEADLINE_S) == 0, "out-%d undelivered" % commit)  # an abort purges what waits
        p.send_offsets_to_transaction(positions, c.consumer_group_metadata(), sc.DEADLINE_S)
        sc.check(group_offsets(admin) == [], "the group's offsets with the transaction open: %s" % (group_offsets(admin),))
        if commit:
            p.commit_transaction(sc.DEADLINE_S)
        else:
            p.abort_transaction(sc.DEADLINE_S)
        got = group_offsets(admin)
        sc.check(got == (want if commit else []),
                 "the group's offsets after the %s: %s" % ("commit" if commit else "abort", got))
    c.close()
    got = read_all(bootstrap, TXN_OUT, "read_committed", TXN_GROUP + "-reader")
    sc.check(got == [b"out-1"], "read_committed read %s of %s" % (got, TXN_OUT))
    got = read_all(bootstrap, TXN_OUT, "read_uncommitted", TXN_GROUP + "-reader")
    sc.check(got == [b"out-0", b"out-1"], "read_uncommitted read %s of %s" % (got, TXN_OUT))


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

    transactions(bootstrap, admin)
    sc.ok("a transaction committed the group's offsets (send_offsets_to_transaction) and its output; "
          "an aborted one neither")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sc.fail("usage: confluent_check.py BOOTSTRAP")
    main(sys.argv[1])
