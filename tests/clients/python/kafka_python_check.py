"""kafka-python 2.2 (it speaks flexible versions) against a running
`kafkalite broker`, run by tests/clients/test_kafka_python_2_2.sh: the
admin client creates a topic and lists topics and the cluster; an
idempotent producer (acks=all, gzip, headers) writes the records; a group
member reads them all and commits, and the admin client describes the
group and lists its committed offsets; a new member, after more records,
reads only those. (tests/interop/test_kafka_python.sh runs Debian's
kafka-python 2.0 through a longer scenario.)

    python kafka_python_check.py BOOTSTRAP
"""
import sys

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

import scenario as sc

TOPIC = "kafka-python-topic"
GROUP = "kafka-python-group"
# kafka-python gives up probing the broker's versions after 2 s by
# default: far too short on a loaded test machine.
PROBE_MS = sc.DEADLINE_S * 1000


def produce(bootstrap, first, n):
    p = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
                      compression_type="gzip", linger_ms=5, api_version_auto_timeout_ms=PROBE_MS)
    futures = [p.send(TOPIC, key=sc.key(i), value=sc.value(i), headers=[("h", sc.key(i))])
               for i in range(first, first + n)]
    p.flush(sc.DEADLINE_S)
    for f in futures:
        f.get(timeout=sc.DEADLINE_S)
    p.close()


def consume(bootstrap, first, n):
    c = KafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=GROUP, auto_offset_reset="earliest",
                      enable_auto_commit=False, api_version_auto_timeout_ms=PROBE_MS)
    seen = sc.Seen()
    deadline = sc.Deadline()
    while len(seen.keys) < n:
        deadline.check("consumed %d of %d records" % (len(seen.keys), n))
        for records in c.poll(timeout_ms=500).values():
            for r in records:
                seen.add(r.key, r.value, r.headers)
    seen.check_exactly(first, n)
    c.commit()
    c.close()


def main(bootstrap):
    sc.check(kafka.__version__.startswith("2.2."), "kafka-python %s, not 2.2" % kafka.__version__)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, api_version_auto_timeout_ms=PROBE_MS)
    admin.create_topics([NewTopic(TOPIC, sc.PARTITIONS, 1)])
    cluster = admin.describe_cluster()
    sc.check(len(cluster["brokers"]) == 1 and TOPIC in admin.list_topics(),
             "describe_cluster: %s" % (cluster,))
    sc.ok("the admin client created %s, lists it and describes the cluster" % TOPIC)

    produce(bootstrap, 0, sc.RECORDS)
    sc.ok("idempotent acks=all gzip producer wrote %d records" % sc.RECORDS)

    consume(bootstrap, 0, sc.RECORDS)
    groups = admin.describe_consumer_groups([GROUP])
    sc.check(len(groups) == 1 and groups[0].group == GROUP and groups[0].state == "Empty",
             "describe_consumer_groups after the member left: %s" % (groups,))
    offsets = admin.list_consumer_group_offsets(GROUP)
    total = sum(o.offset for o in offsets.values())
    sc.check(total == sc.RECORDS, "committed offsets add up to %d, want %d" % (total, sc.RECORDS))
    sc.ok("the group read every record once and committed %d" % sc.RECORDS)

    produce(bootstrap, sc.RECORDS, sc.LATER)
    consume(bootstrap, sc.RECORDS, sc.LATER)
    sc.ok("a new member resumed from the commit and read only the %d later records" % sc.LATER)
    admin.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sc.fail("usage: kafka_python_check.py BOOTSTRAP")
    main(sys.argv[1])
