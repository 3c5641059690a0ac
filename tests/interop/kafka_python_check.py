"""kafka-python (2.0) against a running kafkalite broker, one phase per run.

Run by tests/interop/test_kafka_python.sh, which starts the `kafkalite
broker` daemon, runs the phases in order and restarts the broker between
"admin" and "after-restart":

  produce        KafkaProducer (acks=all, keys, headers, every codec the
                 module can use) writes known messages; KafkaConsumer with
                 manual assignment reads them back byte-exact, once with
                 the protocol versions of kafka-python's oldest broker
                 profile (0.11: Fetch v4, ListOffsets v1, Metadata v1) and
                 once with the version it probes from ApiVersions
  group          two group members over a 4-partition topic: partitions
                 split, every message consumed once, offsets committed;
                 a restarted member resumes from the commit; more
                 messages are produced for after the broker restart
  admin          KafkaAdminClient creates, describes and deletes topics,
                 lists and describes consumer groups
  after-restart  the produced messages and the group's committed offsets
                 survived the restart, and a member resumes from them

Exits 0 when every check passed, 1 with a message otherwise.
"""
import os
import random
import sys
import threading
import time

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka import errors

OLDEST = (0, 11, 0)  # the oldest profile with record batches v2 (Produce v3)
DEADLINE_S = 60  # generous: the test machine is shared and loaded
# kafka-python gives up version probing after 2 s by default and then
# reports NoBrokersAvailable: far too short on a loaded test machine.
PROBE_TIMEOUT_MS = 30000
DATA_PARTITIONS = 3
GROUP = "py-group"
GROUP_TOPIC = "py-group-topic"
GROUP_PARTITIONS = 4
GROUP_FIRST = 400  # messages consumed by the two members
GROUP_LATER = 100  # messages produced after they committed


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def wait_until(cond, what, deadline_s=DEADLINE_S, poll=None):
    """Calls poll() (or nothing) until cond() holds, failing after the deadline."""
    end = time.monotonic() + deadline_s
    while not cond():
        check(time.monotonic() < end, "timed out waiting for " + what)
        if poll:
            poll()
        else:
            time.sleep(0.05)


CODEC_PACKAGES = {"lz4": "python3-lz4", "snappy": "python3-snappy", "zstd": "python3-zstandard"}


def codecs(report=False):
    """Every compression codec kafka-python knows. One whose module is
    missing is reported as a SKIP line (the shell test then skips), or
    fails the run when KL_TEST_NO_SKIP=1."""
    usable = [None, "gzip"]
    for name, present in (("lz4", kafka.codec.has_lz4()), ("snappy", kafka.codec.has_snappy()),
                          ("zstd", kafka.codec.has_zstd())):
        if present:
            usable.append(name)
            continue
        why = "kafka-python cannot use %s here (install %s)" % (name, CODEC_PACKAGES[name])
        check(os.environ.get("KL_TEST_NO_SKIP") != "1", "KL_TEST_NO_SKIP=1 but " + why)
        if report:
            print("SKIP: " + why)
    return usable


def data_topic(codec):
    return "py-data-" + (codec or "none")


def expected_messages(codec):
    """The messages for one codec's topic, the same in every run: binary
    keys and values of varied sizes, a null key, an empty and a null value,
    and headers (several, repeated names, an empty value)."""
    rng = random.Random("kafkalite-" + (codec or "none"))
    msgs = []
    for i in range(300):
        key = None if i % 50 == 7 else b"key-%d-" % i + bytes(rng.getrandbits(8) for _ in range(i % 9))
        if i % 61 == 3:
            value = None
        elif i % 37 == 5:
            value = b""
        else:
            value = bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 17, 100, 1000, 5000))))
        headers = [("seq", b"%d" % i)]
        if i % 3 == 0:
            headers += [("h", b""), ("h", bytes(rng.getrandbits(8) for _ in range(5)))]
        msgs.append((i % DATA_PARTITIONS, key, value, headers))
    return msgs


def admin_client(**kw):
    return KafkaAdminClient(bootstrap_servers=BOOTSTRAP, api_version_auto_timeout_ms=PROBE_TIMEOUT_MS, client_id="kafkalite-test-admin",
                            request_timeout_ms=30000, **kw)


def create_topic(admin, name, partitions, configs=None):
    admin.create_topics([NewTopic(name, partitions, 1, topic_configs=configs or {})])


def read_back(topic, counts, api_version, timestamps=None):
    """Every record of topic by manual assignment, keyed by (partition,
    offset). With the records' timestamps (by partition and offset, each
    partition's increasing), ListOffsets by time finds each of them."""
    kw = {"api_version": api_version} if api_version else {}
    consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, api_version_auto_timeout_ms=PROBE_TIMEOUT_MS, group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=500, fetch_max_wait_ms=100, **kw)
    try:
        tps = [TopicPartition(topic, p) for p in range(len(counts))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        check(all(ends[tp] == counts[tp.partition] for tp in tps),
              "%s: end offsets %s, expected counts %s" % (topic, ends, counts))
        starts = consumer.beginning_offsets(tps)
        check(all(o == 0 for o in starts.values()), "%s: beginning offsets %s" % (topic, starts))
        for (partition, offset), ts in sorted((timestamps or {}).items())[::29]:
            tp = TopicPartition(topic, partition)
            found = consumer.offsets_for_times({tp: ts})[tp]
            check(found is not None and found.offset == offset and found.timestamp == ts,
                  "%s: offsets_for_times(%d) on %d gave %s, expected offset %d" % (topic, ts, partition, found,
                                                                                   offset))
        got = {}

        def poll():
            for records in consumer.poll(timeout_ms=200).values():
                for r in records:
                    check((r.partition, r.offset) not in got, "%s: offset %d:%d read twice" %
                          (topic, r.partition, r.offset))
                    got[(r.partition, r.offset)] = r
        wait_until(lambda: len(got) == sum(counts), "%s: all %d records read back" % (topic, sum(counts)),
                   poll=poll)
        return got
    finally:
        consumer.close(autocommit=False)


def produce_and_check(codec):
    topic = data_topic(codec)
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, api_version_auto_timeout_ms=PROBE_TIMEOUT_MS, acks="all", compression_type=codec,
                             linger_ms=5, batch_size=16384, max_request_size=1 << 20)
    try:
        # No api_version given: kafka-python probed it from ApiVersions, and
        # must have found a broker with record batches v2 (Produce v3+).
        probed = producer.config["api_version"]
        check(probed >= OLDEST, "probed api_version %s, expected at least %s" % (probed, OLDEST))
        # Explicit, strictly increasing timestamps, for ListOffsets by time.
        start_ms = int(time.time() * 1000)
        futures = [(m, producer.send(topic, key=m[1], value=m[2], headers=m[3], partition=m[0],
                                     timestamp_ms=start_ms + i))
                   for i, m in enumerate(expected_messages(codec))]
        producer.flush(timeout=DEADLINE_S)
        placed = [(m, f.get(timeout=DEADLINE_S)) for m, f in futures]
    finally:
        producer.close(timeout=DEADLINE_S)
    timestamps = {}
    for i, (m, md) in enumerate(placed):
        check(md.partition == m[0], "%s: acknowledged on partition %d, sent to %d" % (topic, md.partition, m[0]))
        timestamps[(md.partition, md.offset)] = start_ms + i
    return probed, timestamps


def verify_data(codec, api_version, timestamps=None):
    topic = data_topic(codec)
    msgs = expected_messages(codec)
    counts = [sum(1 for m in msgs if m[0] == p) for p in range(DATA_PARTITIONS)]
    got = read_back(topic, counts, api_version, timestamps)
    next_offset = [0] * DATA_PARTITIONS
    for partition, key, value, headers in msgs:
        r = got[(partition, next_offset[partition])]
        next_offset[partition] += 1
        where = "%s %d:%d" % (topic, r.partition, r.offset)
        check(r.key == key, "%s: key %r, expected %r" % (where, r.key, key))
        check(r.value == value, "%s: value differs (%s bytes, expected %s)" %
              (where, None if r.value is None else len(r.value), None if value is None else len(value)))
        check([(k, bytes(v)) for k, v in r.headers] == headers,
              "%s: headers %r, expected %r" % (where, r.headers, headers))
        if timestamps:
            ts = timestamps[(r.partition, r.offset)]
            check(r.timestamp == ts, "%s: timestamp %d, produced with %d" % (where, r.timestamp, ts))


def phase_produce():
    admin = admin_client()
    try:
        for codec in codecs():
            create_topic(admin, data_topic(codec), DATA_PARTITIONS)
    finally:
        admin.close()
    for codec in codecs(report=True):
        probed, timestamps = produce_and_check(codec)
        verify_data(codec, OLDEST, timestamps)
        verify_data(codec, probed, timestamps)
        print("%s: %d messages produced and read back byte-exact" % (data_topic(codec), 300))


class Member:
    """A group member: a KafkaConsumer living on its own thread (the
    consumer is not thread-safe), recording what it consumed and its
    assignment; commit() asks it to commit its positions synchronously."""

    def __init__(self, name, api_version, got, lock):
        self.name, self.api_version, self.got, self.lock = name, api_version, got, lock
        self.assignment = set()
        self.stop = threading.Event()
        self.commit_wanted = threading.Event()
        self.committed = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.run, name=name)
        self.thread.start()

    def run(self):
        try:
            consumer = KafkaConsumer(GROUP_TOPIC, bootstrap_servers=BOOTSTRAP, api_version_auto_timeout_ms=PROBE_TIMEOUT_MS, group_id=GROUP,
                                     client_id=self.name, api_version=self.api_version,
                                     enable_auto_commit=False, auto_offset_reset="earliest",
                                     session_timeout_ms=10000, heartbeat_interval_ms=500,
                                     fetch_max_wait_ms=100)
            try:
                while not self.stop.is_set():
                    batches = consumer.poll(timeout_ms=100)
                    with self.lock:
                        self.assignment = set(consumer.assignment())
                        for records in batches.values():
                            self.got.extend((self.name, r.partition, r.offset, r.value) for r in records)
                    if self.commit_wanted.is_set() and not self.committed.is_set():
                        consumer.commit()
                        self.committed.set()
            finally:
                consumer.close(autocommit=False)
        except Exception as e:  # reported by join()
            self.error = e

    def join(self):
        self.stop.set()
        self.thread.join(DEADLINE_S)
        check(not self.thread.is_alive(), "%s did not stop" % self.name)
        if self.error:
            raise self.error


def produce_plain(topic, values, partitioner):
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, api_version_auto_timeout_ms=PROBE_TIMEOUT_MS, acks="all", api_version=OLDEST, linger_ms=5)
    try:
        futures = [producer.send(topic, value=v, partition=partitioner(i)) for i, v in enumerate(values)]
        producer.flush(timeout=DEADLINE_S)
        for f in futures:
            f.get(timeout=DEADLINE_S)
    finally:
        producer.close(timeout=DEADLINE_S)


def committed_offsets(admin):
    offsets = admin.list_consumer_group_offsets(GROUP)
    return {tp.partition: om.offset for tp, om in offsets.items() if tp.topic == GROUP_TOPIC}


def consume_once(members, got, lock, total, what):
    """Waits until the members consumed total messages; checks none twice."""
    def count():
        with lock:
            return len(got)
    wait_until(lambda: count() >= total or any(m.error for m in members), what)
    for m in members:
        check(m.error is None, "%s failed: %r" % (m.name, m.error))
    with lock:
        seen = {}
        for name, partition, offset, value in got:
            check((partition, offset) not in seen, "%d:%d consumed by %s and %s" %
                  (partition, offset, seen.get((partition, offset)), name))
            seen[(partition, offset)] = name
        return dict(seen), [g[3] for g in got]


def phase_group():
    admin = admin_client()
    try:
        create_topic(admin, GROUP_TOPIC, GROUP_PARTITIONS)
        got, lock = [], threading.Lock()
        # One member with the oldest profile (JoinGroup v2, OffsetCommit v3),
        # one with what kafka-python probes: both must share the group.
        members = [Member("member-a", OLDEST, got, lock), Member("member-b", None, got, lock)]
        try:
            def split():
                with lock:
                    a, b = members[0].assignment, members[1].assignment
                return len(a) == 2 and len(b) == 2 and not (a & b)
            wait_until(lambda: split() or any(m.error for m in members), "the 4 partitions split 2 and 2")
            check(all(m.error is None for m in members), "a member failed: %r" % [m.error for m in members])

            desc = admin.describe_consumer_groups([GROUP])[0]
            check(desc.state == "Stable", "group state %s while both members poll" % desc.state)
            check(desc.protocol_type == "consumer" and len(desc.members) == 2,
                  "described group: %r" % (desc,))
            described = set()
            for member in desc.members:
                for topic, partitions in member.member_assignment.assignment:
                    check(topic == GROUP_TOPIC, "assignment names topic %s" % topic)
                    described.update(partitions)
            check(described == set(range(GROUP_PARTITIONS)), "described assignment covers %s" % described)

            values = [b"first-%d" % i for i in range(GROUP_FIRST)]
            produce_plain(GROUP_TOPIC, values, lambda i: i % GROUP_PARTITIONS)
            seen, consumed = consume_once(members, got, lock, GROUP_FIRST, "the group consuming %d" % GROUP_FIRST)
            check(sorted(consumed) == sorted(values), "the group consumed other messages than produced")
            for partition in range(GROUP_PARTITIONS):
                owners = {name for (p, _), name in seen.items() if p == partition}
                check(len(owners) == 1, "partition %d consumed by %s" % (partition, owners))
            for m in members:
                m.commit_wanted.set()
            wait_until(lambda: all(m.committed.is_set() or m.error for m in members), "both members committing")
        finally:
            for m in members:
                m.join()
        per_partition = GROUP_FIRST // GROUP_PARTITIONS
        wait_until(lambda: committed_offsets(admin) == {p: per_partition for p in range(GROUP_PARTITIONS)},
                   "committed offsets %d on every partition" % per_partition)

        # A restarted member resumes from the commit: it reads only what
        # was produced after it.
        produce_plain(GROUP_TOPIC, [b"second-%d" % i for i in range(40)], lambda i: i % GROUP_PARTITIONS)
        resume_and_check(admin, per_partition, [b"second-%d" % i for i in range(40)])

        # More for after the broker restart.
        produce_plain(GROUP_TOPIC, [b"later-%d" % i for i in range(GROUP_LATER)], lambda i: i % GROUP_PARTITIONS)
        print("group: partitions split, %d messages consumed once, offsets committed, member resumed"
              % GROUP_FIRST)
    finally:
        admin.close()


def resume_and_check(admin, committed_each, expected_values):
    """A single new member reads exactly expected_values, each partition
    from committed_each on, and commits where it stopped."""
    got, lock = [], threading.Lock()
    member = Member("member-resumed", None, got, lock)
    try:
        seen, consumed = consume_once([member], got, lock, len(expected_values), "the resumed member")
        check(sorted(consumed) == sorted(expected_values), "the resumed member read %d unexpected messages"
              % len(set(consumed) - set(expected_values)))
        first = {}
        for (partition, offset) in seen:
            first[partition] = min(offset, first.get(partition, offset))
        check(all(o == committed_each for o in first.values()), "resumed at %s, committed %d" %
              (first, committed_each))
        member.commit_wanted.set()
        wait_until(lambda: member.committed.is_set() or member.error, "the resumed member committing")
    finally:
        member.join()
    after = committed_each + len(expected_values) // GROUP_PARTITIONS
    wait_until(lambda: committed_offsets(admin) == {p: after for p in range(GROUP_PARTITIONS)},
               "committed offsets %d after resuming" % after)


def phase_admin():
    admin = admin_client()  # probes the version
    try:
        create_topic(admin, "py-admin", 2, {"retention.ms": "3600000"})
        try:
            create_topic(admin, "py-admin", 2)
            raise CheckFailed("creating py-admin twice succeeded")
        except errors.TopicAlreadyExistsError:
            pass
        check("py-admin" in admin.list_topics(), "py-admin not listed")
        desc = admin.describe_topics(["py-admin"])
        check(len(desc) == 1 and desc[0]["error_code"] == 0 and len(desc[0]["partitions"]) == 2,
              "describe_topics: %r" % desc)
        cluster = admin.describe_cluster()
        check(len(cluster["brokers"]) == 1, "describe_cluster: %r" % cluster)
        admin.delete_topics(["py-admin"])
        check("py-admin" not in admin.list_topics(), "py-admin still listed after its deletion")
        desc = admin.describe_topics(["py-admin"])
        check(desc[0]["error_code"] == errors.UnknownTopicOrPartitionError.errno,
              "describe_topics after delete: %r" % desc)

        groups = admin.list_consumer_groups()
        check((GROUP, "consumer") in groups, "list_consumer_groups: %r" % groups)
        desc = admin.describe_consumer_groups([GROUP])[0]
        check(desc.group == GROUP and desc.state == "Empty" and not desc.members,
              "described empty group: %r" % (desc,))
        print("admin: topics created, described, deleted; groups listed and described")
    finally:
        admin.close()


def phase_after_restart():
    for codec in codecs():
        verify_data(codec, None)
    admin = admin_client()
    try:
        committed_each = GROUP_FIRST // GROUP_PARTITIONS + 40 // GROUP_PARTITIONS
        check(committed_offsets(admin) == {p: committed_each for p in range(GROUP_PARTITIONS)},
              "committed offsets after the restart: %r" % committed_offsets(admin))
        resume_and_check(admin, committed_each, [b"later-%d" % i for i in range(GROUP_LATER)])
    finally:
        admin.close()
    print("after restart: data and committed offsets kept, the group resumed")


PHASES = {"produce": phase_produce, "group": phase_group, "admin": phase_admin,
          "after-restart": phase_after_restart}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in PHASES:
        sys.exit("usage: kafka_python_check.py BOOTSTRAP {%s}" % ",".join(PHASES))
    BOOTSTRAP = sys.argv[1]
    try:
        PHASES[sys.argv[2]]()
    except CheckFailed as e:
        print("FAIL (%s): %s" % (sys.argv[2], e))
        sys.exit(1)
