// The Java client's transactional producer against `kafkalite broker`
// (issue 20), scenarios of JavaClient (same JVM, same helpers):
//   txn-abort   commit, abort, commit: a read_committed consumer reads the
//               committed records only (a read_uncommitted one all), and
//               an open transaction holds its end offset at the LSO;
//   txn-offsets consume-transform-produce with sendOffsetsToTransaction
//               and the consumer's group metadata (KIP-447): the group's
//               offsets move when the transaction commits, not before and
//               not when it aborts; a stale generation is refused;
//               requireStable leaves out offsets a transaction holds;
//   txn-fence   a second producer with the same transactional.id fences
//               the first and aborts its open transaction.
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

public class JavaTxn {
    static KafkaProducer<String, String> txProducer(String id) {
        KafkaProducer<String, String> p = JavaClient.producer("transactional.id", JavaClient.n(id));
        p.initTransactions();
        return p;
    }

    /* The values of every record of the topic's partitions, read from the start
     * in the isolation level given until the end offsets the consumer reports.
     * (A short fetch wait: the last fetches of the loop find nothing new.) */
    static List<String> readAll(String topic, int partitions, String isolation) {
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = JavaClient.consumer("isolation.level", isolation, "fetch.max.wait.ms", "20")) {
            List<TopicPartition> tps = JavaClient.partitions(topic, partitions);
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            JavaClient.waitFor("the end of " + topic + " (" + isolation + ")",
                    () -> c.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.value())),
                    () -> tps.stream().allMatch(tp -> c.position(tp) >= end.get(tp)));
        }
        Collections.sort(got);
        return got;
    }

    static void send(KafkaProducer<String, String> p, String topic, int partition, String... values) throws Exception {
        for (String v : values)
            p.send(new ProducerRecord<>(topic, partition, null, v)).get();
    }

    // ---- commit and abort; read_committed; the last stable offset ----

    static void abortAndLso() throws Exception {
        String topic = JavaClient.n("jtxn");
        JavaClient.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> p = txProducer("jtx-abort")) {
            p.beginTransaction();
            send(p, topic, 0, "c0", "c1");
            p.commitTransaction();
            p.beginTransaction();
            send(p, topic, 0, "a0", "a1");
            p.abortTransaction();
            p.beginTransaction();
            send(p, topic, 0, "d0");
            p.commitTransaction();
            // An open transaction: read_committed ends at its first record.
            p.beginTransaction();
            send(p, topic, 0, "o0");
            long lso;
            try (KafkaConsumer<String, String> c = JavaClient.consumer("isolation.level", "read_committed")) {
                lso = c.endOffsets(List.of(tp)).get(tp);
            }
            try (KafkaConsumer<String, String> c = JavaClient.consumer("isolation.level", "read_uncommitted")) {
                // c0 c1 marker a0 a1 marker d0 marker o0: o0 is offset 8
                JavaClient.same(9L, c.endOffsets(List.of(tp)).get(tp), "high watermark with o0 open");
            }
            JavaClient.same(8L, lso, "read_committed end offset with o0 open");
            JavaClient.same(List.of("c0", "c1", "d0"), readAll(topic, 1, "read_committed"),
                    "read_committed with o0 open");
            p.commitTransaction();
        }
        JavaClient.same(List.of("c0", "c1", "d0", "o0"), readAll(topic, 1, "read_committed"), "read_committed");
        JavaClient.same(List.of("a0", "a1", "c0", "c1", "d0", "o0"), readAll(topic, 1, "read_uncommitted"),
                "read_uncommitted");
    }

    // ---- consume-transform-produce, offsets in the transaction ----

    static Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) throws Exception {
        return JavaClient.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    /* With requireStable the admin client leaves out the partitions that
     * an open transaction holds offsets for (UNSTABLE_OFFSET_COMMIT). */
    static Map<TopicPartition, OffsetAndMetadata> stableGroupOffsets(String group) throws Exception {
        return JavaClient.admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                .partitionsToOffsetAndMetadata().get();
    }

    @SuppressWarnings("removal") // ConsumerGroupMetadata's constructor: no other way to make a stale one
    static void offsetsInTransaction() throws Exception {
        String in = JavaClient.n("jtxn-in"), out = JavaClient.n("jtxn-out"), group = JavaClient.n("jg-txn");
        JavaClient.createTopic(in, 2);
        JavaClient.createTopic(out, 1);
        try (KafkaProducer<String, String> p = JavaClient.producer()) {
            for (int i = 0; i < 10; i++)
                p.send(new ProducerRecord<>(in, i % 2, null, "in" + i));
        }
        try (KafkaConsumer<String, String> c = JavaClient.consumer("group.id", group, "isolation.level", "read_committed");
             KafkaProducer<String, String> p = txProducer("jtx-ctp")) {
            c.subscribe(List.of(in));
            List<String> read = new ArrayList<>();
            JavaClient.waitFor("10 input records", () -> c.poll(Duration.ofMillis(100)).forEach(r -> read.add(r.value())),
                    () -> read.size() >= 10);
            Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
            for (TopicPartition tp : c.assignment())
                positions.put(tp, new OffsetAndMetadata(c.position(tp), "ctp"));
            JavaClient.same(2, positions.size(), "partitions assigned");
            ConsumerGroupMetadata meta = c.groupMetadata();
            JavaClient.check(meta.generationId() > 0 && !meta.memberId().isEmpty(), "group metadata " + meta);

            // Aborted: neither the output nor the offsets are seen.
            p.beginTransaction();
            for (String v : read)
                p.send(new ProducerRecord<>(out, 0, null, "aborted-" + v));
            p.sendOffsetsToTransaction(positions, meta);
            JavaClient.same(Map.of(), groupOffsets(group), "group offsets with the transaction open");
            p.abortTransaction();
            JavaClient.same(Map.of(), groupOffsets(group), "group offsets after the abort");

            // A stale generation is refused; the transaction must abort.
            p.beginTransaction();
            try {
                p.sendOffsetsToTransaction(positions, new ConsumerGroupMetadata(group, meta.generationId() + 1,
                        meta.memberId(), meta.groupInstanceId()));
                throw new AssertionError("sendOffsetsToTransaction with a stale generation succeeded");
            } catch (CommitFailedException e) {
                // Kafka's answer to ILLEGAL_GENERATION
            }
            p.abortTransaction();

            // Committed: the offsets move with the output.
            p.beginTransaction();
            for (String v : read)
                p.send(new ProducerRecord<>(out, 0, null, "out-" + v));
            p.sendOffsetsToTransaction(positions, meta);
            JavaClient.same(Map.of(), groupOffsets(group), "group offsets before the commit");
            p.commitTransaction();
            JavaClient.same(positions, groupOffsets(group), "group offsets after the commit");
            JavaClient.same(positions.keySet(), c.committed(positions.keySet()).keySet(), "committed() partitions");
            for (TopicPartition tp : positions.keySet())
                JavaClient.same(positions.get(tp).offset(), c.committed(Set.of(tp)).get(tp).offset(),
                        "committed() of " + tp);

            // Committed offsets, newer ones held by an open transaction:
            // unstable until it commits.
            Map<TopicPartition, OffsetAndMetadata> newer = new HashMap<>();
            positions.forEach((tp, om) -> newer.put(tp, new OffsetAndMetadata(om.offset(), "ctp-2")));
            p.beginTransaction();
            p.sendOffsetsToTransaction(newer, meta);
            JavaClient.same(positions, groupOffsets(group), "group offsets with newer ones in a transaction");
            JavaClient.same(Map.of(), stableGroupOffsets(group), "stable group offsets with newer ones in a transaction");
            p.commitTransaction();
            JavaClient.same(newer, stableGroupOffsets(group), "stable group offsets after the commit");

            List<String> want = new ArrayList<>();
            for (String v : read)
                want.add("out-" + v);
            Collections.sort(want);
            JavaClient.same(want, readAll(out, 1, "read_committed"), "output read_committed");
        }
    }

    // ---- fencing by a second producer with the same transactional.id ----

    static boolean fenced(Throwable e) {
        for (; e != null; e = e.getCause())
            if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException)
                return true;
        return false;
    }

    static void fencing() throws Exception {
        String topic = JavaClient.n("jtxn-fence");
        JavaClient.createTopic(topic, 1);
        try (KafkaProducer<String, String> first = txProducer("jtx-fence")) {
            first.beginTransaction();
            send(first, topic, 0, "first-0");
            try (KafkaProducer<String, String> second = txProducer("jtx-fence")) {
                // The second's initTransactions aborted the first's transaction.
                try {
                    send(first, topic, 0, "first-1");
                    first.commitTransaction();
                    throw new AssertionError("the fenced producer committed");
                } catch (Exception e) { // the send's ExecutionException or the commit's KafkaException
                    JavaClient.check(fenced(e), "the fenced producer failed with " + e);
                }
                second.beginTransaction();
                send(second, topic, 0, "second-0");
                second.commitTransaction();
            }
        }
        JavaClient.same(List.of("second-0"), readAll(topic, 1, "read_committed"), "read_committed after fencing");
        JavaClient.same(List.of("first-0", "second-0"), readAll(topic, 1, "read_uncommitted"),
                "read_uncommitted after fencing");
    }
}
