// A Java consumer (classic group protocol) as one member of a group that
// kafkalite consumers share, driven by a test through its standard input
// and output:
//   GroupMember BOOTSTRAP GROUP TOPIC ASSIGNOR MAX_SECONDS
// ASSIGNOR is range or cooperative-sticky. It subscribes to TOPIC, reads
// from the earliest offset when the group has none, and commits (commitSync)
// what each poll returned before the next poll and before partitions are
// revoked. Prints, one line each (flushed):
//   owns P,P,...        its assignment, whenever it changed ("owns " if none)
//   msg P OFFSET VALUE  a record, before its commit
//   commitfail WHY      a commit the group refused
//   closed              after close() (LeaveGroup) when standard input says
//                       "close" or ends, or after MAX_SECONDS
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class GroupMember {
    static volatile boolean stop;

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void commit(KafkaConsumer<String, String> c) {
        try {
            c.commitSync();
        } catch (KafkaException e) {
            say("commitfail " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("group.id", args[1]);
        p.put("group.protocol", "classic");
        p.put("partition.assignment.strategy", args[3].equals("range")
                ? "org.apache.kafka.clients.consumer.RangeAssignor"
                : "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        long deadline = System.currentTimeMillis() + Long.parseLong(args[4]) * 1000;
        Thread input = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !line.equals("close");)
                    ;
            } catch (Exception e) {
                // standard input gone: stop as at its end
            }
            stop = true;
        });
        input.setDaemon(true);
        input.start();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    commit(c);
                }

                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                }
            });
            String owned = null;
            while (!stop && System.currentTimeMillis() < deadline) {
                boolean any = false;
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    say("msg " + r.partition() + " " + r.offset() + " " + r.value());
                    any = true;
                }
                if (any)
                    commit(c);
                String now = new TreeSet<>(c.assignment().stream().map(TopicPartition::partition)
                        .collect(Collectors.toList())).stream().map(String::valueOf)
                        .collect(Collectors.joining(","));
                if (!now.equals(owned))
                    say("owns " + now);
                owned = now;
            }
        }
        say("closed");
    }
}
