// Apache Kafka's Java client against `kafkalite broker` (issue 15): the
// AdminClient, the producer (idempotent, acks=all, every codec, headers;
// describeProducers shows each producer's last sequence)
// and the consumer in classic-protocol groups (range, cooperative-sticky,
// static membership, commits, seek, offsetsForTimes); JavaTxn.java's
// transactional scenarios. Each scenario prints
// "ok NAME" or "FAIL NAME: why"; the exit status is 1 when one failed.
//   JavaClient BOOTSTRAP PREFIX [SCENARIO...]
// PREFIX starts every topic and group name (runs can share a broker); the
// scenarios are admin, produce, range, cooperative, static, offsets,
// txn-abort, txn-offsets, txn-fence (all when none is named).
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

@SuppressWarnings({"removal", "deprecation"}) // ConsumerGroupState, listConsumerGroups: 3.9 has no successor
public class JavaClient {
    static String bootstrap;
    static String prefix = "";
    static Admin admin;
    static int failures;
    static final long WAIT_MS = 60000;

    interface Scenario {
        void run() throws Exception;
    }

    /* Topic and group names carry the prefix, so that runs can share a broker. */
    static String n(String name) {
        return prefix + name;
    }

    static void check(boolean ok, String what) {
        if (!ok)
            throw new AssertionError(what);
    }

    static <T> void same(T want, T got, String what) {
        if (!Objects.equals(want, got))
            throw new AssertionError(what + ": want " + want + ", got " + got);
    }

    /* Polls cond (running step between tries) until it holds, for up to WAIT_MS. */
    static void waitFor(String what, Runnable step, BooleanSupplier cond) {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline)
                throw new AssertionError("timed out waiting for " + what);
            step.run();
        }
    }

    static void scenario(String name, Scenario s) {
        long start = System.nanoTime();
        try {
            s.run();
            System.out.printf("ok %s (%.1f s)%n", name, (System.nanoTime() - start) / 1e9);
        } catch (Throwable e) {
            failures++;
            System.out.println("FAIL " + name + ": " + e);
            e.printStackTrace();
        }
    }

    static Properties props(String... kv) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        for (int i = 0; i + 1 < kv.length; i += 2)
            p.put(kv[i], kv[i + 1]);
        return p;
    }

    static KafkaProducer<String, String> producer(String... kv) {
        return new KafkaProducer<>(props(kv), new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String... kv) {
        Properties p = props("auto.offset.reset", "earliest", "enable.auto.commit", "false");
        p.putAll(props(kv));
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    static List<TopicPartition> partitions(String topic, int n) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < n; p++)
            tps.add(new TopicPartition(topic, p));
        return tps;
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // ---- AdminClient: topics, cluster, configs, features, log dirs ----

    static void adminTopics() throws Exception {
        NewTopic nt = new NewTopic(n("jadmin"), 3, (short) 1).configs(Map.of("retention.ms", "7200000"));
        admin.createTopics(List.of(nt)).all().get();
        try {
            admin.createTopics(List.of(new NewTopic(n("jadmin"), 3, (short) 1))).all().get();
            throw new AssertionError("creating jadmin twice succeeded");
        } catch (java.util.concurrent.ExecutionException e) {
            check(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException,
                  "second create: " + e.getCause());
        }
        check(admin.listTopics().names().get().contains(n("jadmin")), "listTopics lacks jadmin");
        // as on Kafka, __consumer_offsets exists once a group needed a coordinator
        admin.listConsumerGroupOffsets(n("jadmin-g")).partitionsToOffsetAndMetadata().get();
        check(!admin.listTopics().names().get().contains("__consumer_offsets"), "listTopics lists internal topics");
        check(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get().contains("__consumer_offsets"),
              "listTopics(listInternal) lacks __consumer_offsets");
        DescribeClusterResult dc = admin.describeCluster();
        Collection<Node> nodes = dc.nodes().get();
        same(1, nodes.size(), "describeCluster nodes");
        Node node = nodes.iterator().next();
        same(node.id(), dc.controller().get().id(), "controller id");
        check(dc.clusterId().get() != null && !dc.clusterId().get().isEmpty(), "no cluster id");
        TopicDescription td = admin.describeTopics(List.of(n("jadmin"))).allTopicNames().get().get(n("jadmin"));
        same(3, td.partitions().size(), "describeTopics partitions");
        check(td.topicId() != null && !td.topicId().equals(Uuid.ZERO_UUID), "describeTopics: no topic id");
        for (TopicPartitionInfo pi : td.partitions()) {
            same(node.id(), pi.leader().id(), "leader of partition " + pi.partition());
            same(1, pi.replicas().size(), "replicas");
            same(1, pi.isr().size(), "isr");
        }
        admin.createPartitions(Map.of(n("jadmin"), NewPartitions.increaseTo(5))).all().get();
        td = admin.describeTopics(List.of(n("jadmin"))).allTopicNames().get().get(n("jadmin"));
        same(5, td.partitions().size(), "partitions after createPartitions");

        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, n("jadmin"));
        Config cfg = admin.describeConfigs(List.of(res)).all().get().get(res);
        same("7200000", cfg.get("retention.ms").value(), "retention.ms");
        same(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, cfg.get("retention.ms").source(), "retention.ms source");
        admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("segment.bytes", "1048576"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND))))
                .all().get();
        cfg = admin.describeConfigs(List.of(res)).all().get().get(res);
        same("1048576", cfg.get("segment.bytes").value(), "segment.bytes after incrementalAlterConfigs");
        check(cfg.get("retention.ms").source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
              "retention.ms still set after DELETE");
        same("delete,compact", cfg.get("cleanup.policy").value(), "cleanup.policy after APPEND");

        FeatureMetadata fm = admin.describeFeatures().featureMetadata().get();
        // No group.version: the client must stay on the classic group protocol.
        check(!fm.finalizedFeatures().containsKey("group.version"), "group.version finalized: " + fm);

        // describeLogDirs: every partition of jadmin in the one log dir
        Map<Integer, Map<String, LogDirDescription>> dirs =
                admin.describeLogDirs(List.of(node.id())).allDescriptions().get();
        Map<String, LogDirDescription> mine = dirs.get(node.id());
        same(1, mine.size(), "log dirs");
        LogDirDescription d = mine.values().iterator().next();
        check(d.error() == null, "log dir error " + d.error());
        int found = 0;
        for (TopicPartition tp : d.replicaInfos().keySet())
            if (tp.topic().equals(n("jadmin")))
                found++;
        same(5, found, "jadmin partitions in describeLogDirs");
        check(d.totalBytes().isPresent() && d.usableBytes().isPresent(), "no total/usable bytes");
        Map<TopicPartitionReplica, DescribeReplicaLogDirsResult.ReplicaLogDirInfo> replica =
                admin.describeReplicaLogDirs(List.of(new TopicPartitionReplica(n("jadmin"), 0, node.id()))).all().get();
        same(mine.keySet().iterator().next(), replica.values().iterator().next().getCurrentReplicaLogDir(),
             "describeReplicaLogDirs");

        admin.deleteTopics(List.of(n("jadmin"))).all().get();
        waitFor("jadmin to go", () -> {}, () -> {
            try {
                return !admin.listTopics().names().get().contains(n("jadmin"));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    // ---- producer: idempotent by default, acks=all, every codec, headers ----

    static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
    static final int PER_CODEC = 200;

    static void produceCodecs() throws Exception {
        createTopic(n("jcodecs"), 3);
        List<Integer> wantSequences = new ArrayList<>(); // of each producer in partition 0
        for (String codec : CODECS) {
            try (KafkaProducer<String, String> p = producer("compression.type", codec, "linger.ms", "5")) {
                List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < PER_CODEC; i++) {
                    ProducerRecord<String, String> r =
                            new ProducerRecord<>(n("jcodecs"), "k" + codec + i, "v" + codec + i);
                    r.headers().add("codec", codec.getBytes(StandardCharsets.UTF_8));
                    r.headers().add("i", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
                    acks.add(p.send(r));
                }
                p.flush();
                int inP0 = 0;
                for (java.util.concurrent.Future<RecordMetadata> f : acks) {
                    check(f.get().offset() >= 0, "no offset");
                    inP0 += f.get().partition() == 0 ? 1 : 0;
                }
                wantSequences.add(inP0 - 1);
            }
        }
        // Read them all back: every record once, its headers intact.
        Map<String, String> seen = new HashMap<>();
        try (KafkaConsumer<String, String> c = consumer()) {
            List<TopicPartition> tps = partitions(n("jcodecs"), 3);
            c.assign(tps);
            c.seekToBeginning(tps);
            int want = CODECS.length * PER_CODEC;
            waitFor(want + " records", () -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    StringBuilder h = new StringBuilder();
                    for (Header hd : r.headers())
                        h.append(hd.key()).append('=').append(text(hd.value())).append(';');
                    check(seen.put(r.key(), r.value() + "|" + h) == null, "read twice: " + r.key());
                }
            }, () -> seen.size() >= want);
            same(want, seen.size(), "records read");
        }
        for (String codec : CODECS)
            for (int i = 0; i < PER_CODEC; i++)
                same("v" + codec + i + "|codec=" + codec + ";i=" + i + ";", seen.get("k" + codec + i), "record");
        // The producer was idempotent (the default): the broker gave it an id.
        try (KafkaProducer<String, String> p = producer("enable.idempotence", "true", "acks", "all")) {
            RecordMetadata m = p.send(new ProducerRecord<>(n("jcodecs"), 0, "idem", "x")).get();
            same(0, m.partition(), "partition");
        }
        wantSequences.add(0);
        // The broker knows each of those producers in partition 0, with the
        // sequence number of its last record there.
        TopicPartition p0 = new TopicPartition(n("jcodecs"), 0);
        List<Integer> sequences = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        for (ProducerState ps : admin.describeProducers(List.of(p0)).partitionResult(p0).get().activeProducers()) {
            same(0, ps.producerEpoch(), "producer epoch");
            same(OptionalInt.empty(), ps.coordinatorEpoch(), "coordinator epoch");
            same(OptionalLong.empty(), ps.currentTransactionStartOffset(), "transaction start");
            check(ps.lastTimestamp() > 0, "no last timestamp");
            ids.add(ps.producerId());
            sequences.add(ps.lastSequence());
        }
        same(wantSequences.size(), ids.size(), "distinct producer ids in describeProducers");
        Collections.sort(sequences);
        Collections.sort(wantSequences);
        same(wantSequences, sequences, "last sequences in describeProducers");
    }

    // ---- consumer groups: range, cooperative-sticky, static membership ----

    /* Polls every consumer until each holds `each` partitions and together all. */
    static void balance(List<KafkaConsumer<String, String>> cs, int each, int total) {
        waitFor(cs.size() + " members with " + each + " partitions each", () -> {
            for (KafkaConsumer<String, String> c : cs)
                c.poll(Duration.ofMillis(100));
        }, () -> {
            Set<TopicPartition> all = new HashSet<>();
            for (KafkaConsumer<String, String> c : cs) {
                if (c.assignment().size() != each)
                    return false;
                all.addAll(c.assignment());
            }
            return all.size() == total;
        });
    }

    static void rangeGroup() throws Exception {
        createTopic(n("jrange"), 4);
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 40; i++)
                p.send(new ProducerRecord<>(n("jrange"), i % 4, "k" + i, "v" + i));
        }
        String[] range = {"group.id", n("jg-range"), "partition.assignment.strategy", RangeAssignor.class.getName()};
        try (KafkaConsumer<String, String> a = consumer(range); KafkaConsumer<String, String> b = consumer(range)) {
            a.subscribe(List.of(n("jrange")));
            b.subscribe(List.of(n("jrange")));
            balance(List.of(a, b), 2, 4);
            // Range gives each member two consecutive partitions.
            for (KafkaConsumer<String, String> c : List.of(a, b)) {
                List<Integer> ps = new ArrayList<>();
                for (TopicPartition tp : c.assignment())
                    ps.add(tp.partition());
                Collections.sort(ps);
                check(ps.get(1) == ps.get(0) + 1, "range assignment " + ps);
            }
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(n("jg-range"))).all().get().get(n("jg-range"));
            same(ConsumerGroupState.STABLE, g.state(), "group state");
            same("range", g.partitionAssignor(), "assignor");
            same(2, g.members().size(), "members");
            same(GroupType.CLASSIC, g.type(), "group type");
            int assigned = 0;
            for (MemberDescription m : g.members())
                assigned += m.assignment().topicPartitions().size();
            same(4, assigned, "assigned partitions in describeConsumerGroups");
            // commit what each read
            for (KafkaConsumer<String, String> c : List.of(a, b)) {
                Map<TopicPartition, OffsetAndMetadata> offs = new HashMap<>();
                for (TopicPartition tp : c.assignment())
                    offs.put(tp, new OffsetAndMetadata(10, "done"));
                c.commitSync(offs);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(n("jg-range")).partitionsToOffsetAndMetadata().get();
        same(4, committed.size(), "committed partitions");
        for (OffsetAndMetadata om : committed.values()) {
            same(10L, om.offset(), "committed offset");
            same("done", om.metadata(), "committed metadata");
        }
        boolean listed = false;
        for (ConsumerGroupListing gl : admin.listConsumerGroups().all().get())
            if (gl.groupId().equals(n("jg-range")))
                listed = gl.type().orElse(null) == GroupType.CLASSIC
                        && gl.state().orElse(null) == ConsumerGroupState.EMPTY;
        check(listed, "listConsumerGroups lacks the empty classic group jg-range");
        ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(n("jg-range"))).all().get().get(n("jg-range"));
        same(ConsumerGroupState.EMPTY, g.state(), "state after both closed");
        // alter the offsets of the empty group, then delete it
        admin.alterConsumerGroupOffsets(n("jg-range"), Map.of(new TopicPartition(n("jrange"), 0), new OffsetAndMetadata(3)))
                .all().get();
        same(3L, admin.listConsumerGroupOffsets(n("jg-range")).partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition(n("jrange"), 0)).offset(), "offset after alterConsumerGroupOffsets");
        admin.deleteConsumerGroups(List.of(n("jg-range"))).all().get();
        for (ConsumerGroupListing gl : admin.listConsumerGroups().all().get())
            check(!gl.groupId().equals(n("jg-range")), "jg-range outlived deleteConsumerGroups");
    }

    static void cooperativeGroup() throws Exception {
        createTopic(n("jcoop"), 4);
        String[] coop = {"group.id", n("jg-coop"), "partition.assignment.strategy",
                         CooperativeStickyAssignor.class.getName()};
        List<TopicPartition> revokedFromA = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<String, String> a = consumer(coop); KafkaConsumer<String, String> b = consumer(coop)) {
            a.subscribe(List.of(n("jcoop")), new ConsumerRebalanceListener() {
                public void onPartitionsRevoked(Collection<TopicPartition> ps) {
                    revokedFromA.addAll(ps);
                }

                public void onPartitionsAssigned(Collection<TopicPartition> ps) {
                }
            });
            balance(List.of(a), 4, 4);
            b.subscribe(List.of(n("jcoop")));
            balance(List.of(a, b), 2, 4);
            // Cooperative: a gave up only the two partitions that moved.
            same(2, revokedFromA.size(), "partitions revoked from the first member " + revokedFromA);
            for (TopicPartition tp : revokedFromA)
                check(b.assignment().contains(tp), tp + " revoked but not given to b");
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(n("jg-coop"))).all().get().get(n("jg-coop"));
            same("cooperative-sticky", g.partitionAssignor(), "assignor");
        }
    }

    static void staticMembership() throws Exception {
        createTopic(n("jstatic"), 2);
        String[] st = {"group.id", n("jg-static"), "group.instance.id", n("jinst-1"), "session.timeout.ms", "30000"};
        Set<TopicPartition> first;
        try (KafkaConsumer<String, String> c = consumer(st)) {
            c.subscribe(List.of(n("jstatic")));
            balance(List.of(c), 2, 2);
            first = new HashSet<>(c.assignment());
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(n("jg-static"))).all().get().get(n("jg-static"));
            same(1, g.members().size(), "members");
            same(Optional.of(n("jinst-1")), g.members().iterator().next().groupInstanceId(), "group.instance.id");
        }
        // A static member does not leave on close: the group keeps it...
        ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(n("jg-static"))).all().get().get(n("jg-static"));
        same(1, g.members().size(), "static member after close");
        // ...and the same instance comes back to the same assignment.
        try (KafkaConsumer<String, String> c = consumer(st)) {
            c.subscribe(List.of(n("jstatic")));
            balance(List.of(c), 2, 2);
            same(first, c.assignment(), "assignment after rejoin");
        }
        admin.removeMembersFromConsumerGroup(n("jg-static"), new RemoveMembersFromConsumerGroupOptions(
                List.of(new MemberToRemove(n("jinst-1"))))).all().get();
        g = admin.describeConsumerGroups(List.of(n("jg-static"))).all().get().get(n("jg-static"));
        same(0, g.members().size(), "members after removeMembersFromConsumerGroup");
    }

    // ---- commits, seek, offsetsForTimes; listOffsets and deleteRecords ----

    static void offsetsAndTimes() throws Exception {
        createTopic(n("jtimes"), 1);
        TopicPartition tp = new TopicPartition(n("jtimes"), 0);
        long base = System.currentTimeMillis() - 100000;
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 50; i++)
                p.send(new ProducerRecord<>(n("jtimes"), 0, base + i * 1000L, "k" + i, "v" + i));
        }
        try (KafkaConsumer<String, String> c = consumer("group.id", n("jg-times"))) {
            c.assign(List.of(tp));
            Map<TopicPartition, OffsetAndTimestamp> ft = c.offsetsForTimes(Map.of(tp, base + 20500));
            same(21L, ft.get(tp).offset(), "offsetsForTimes");
            same(base + 21000, ft.get(tp).timestamp(), "offsetsForTimes timestamp");
            same(null, c.offsetsForTimes(Map.of(tp, base + 10000000)).get(tp), "offsetsForTimes past the end");
            same(0L, c.beginningOffsets(List.of(tp)).get(tp), "beginningOffsets");
            same(50L, c.endOffsets(List.of(tp)).get(tp), "endOffsets");
            c.seek(tp, 30);
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            waitFor("records from offset 30", () -> c.poll(Duration.ofMillis(200)).forEach(got::add),
                    () -> got.size() >= 20);
            same(30L, got.get(0).offset(), "first offset after seek");
            same("v30", got.get(0).value(), "value after seek");
            same(base + 30000, got.get(0).timestamp(), "timestamp");
            c.commitSync(Map.of(tp, new OffsetAndMetadata(42, "m")));
            same(42L, c.committed(Set.of(tp)).get(tp).offset(), "committed");
            same(50L, c.position(tp), "position");
            c.seekToBeginning(List.of(tp));
            same(0L, c.position(tp), "position after seekToBeginning");
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> lo;
        lo = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get();
        same(50L, lo.get(tp).offset(), "listOffsets latest");
        lo = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).all().get();
        same(49L, lo.get(tp).offset(), "listOffsets maxTimestamp");
        lo = admin.listOffsets(Map.of(tp, OffsetSpec.forTimestamp(base + 5000))).all().get();
        same(5L, lo.get(tp).offset(), "listOffsets forTimestamp");
        same(10L, admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(10))).lowWatermarks()
                .get(tp).get().lowWatermark(), "deleteRecords low watermark");
        lo = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get();
        same(10L, lo.get(tp).offset(), "listOffsets earliest after deleteRecords");
        Map<String, ConsumerGroupDescription> gs = admin.describeConsumerGroups(List.of(n("jg-times"))).all().get();
        same(ConsumerGroupState.EMPTY, gs.get(n("jg-times")).state(), "state of a group that only committed");
        admin.deleteConsumerGroupOffsets(n("jg-times"), Set.of(tp)).all().get();
        check(admin.listConsumerGroupOffsets(n("jg-times")).partitionsToOffsetAndMetadata().get().isEmpty(),
              "offsets left after deleteConsumerGroupOffsets");
    }

    public static void main(String[] args) throws Exception {
        bootstrap = args[0];
        prefix = args[1];
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(2, args.length));
        try (Admin a = Admin.create(props())) {
            admin = a;
            Map<String, Scenario> all = new LinkedHashMap<>();
            all.put("admin", JavaClient::adminTopics);
            all.put("produce", JavaClient::produceCodecs);
            all.put("range", JavaClient::rangeGroup);
            all.put("cooperative", JavaClient::cooperativeGroup);
            all.put("static", JavaClient::staticMembership);
            all.put("offsets", JavaClient::offsetsAndTimes);
            all.put("txn-abort", JavaTxn::abortAndLso);
            all.put("txn-offsets", JavaTxn::offsetsInTransaction);
            all.put("txn-fence", JavaTxn::fencing);
            for (Map.Entry<String, Scenario> e : all.entrySet())
                if (only.isEmpty() || only.contains(e.getKey()))
                    scenario(e.getKey(), e.getValue());
        }
        System.exit(failures > 0 ? 1 : 0);
    }
}
