// Reads a topic with the Java consumer and prints one line per record:
// partition, offset, key, value and headers (k=v,...), tab separated; "-"
// for a null key or value. Stops after COUNT records, or fails after
// TIMEOUT_MS without them.
//   Consume BOOTSTRAP TOPIC COUNT [TIMEOUT_MS]
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class Consume {
    static String text(byte[] b) {
        return b == null ? "-" : new String(b, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        String topic = args[1];
        long want = Long.parseLong(args[2]);
        long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 60000;
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        long deadline = System.currentTimeMillis() + timeoutMs;
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofMillis(timeoutMs)))
                tps.add(new TopicPartition(topic, pi.partition()));
            c.assign(tps);
            c.seekToBeginning(tps);
            while (seen < want) {
                if (System.currentTimeMillis() > deadline) {
                    System.err.println("Consume: " + seen + " of " + want + " records before the deadline");
                    System.exit(1);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    StringBuilder h = new StringBuilder();
                    for (Header hd : r.headers())
                        h.append(h.length() > 0 ? "," : "").append(hd.key()).append('=').append(text(hd.value()));
                    System.out.println(r.partition() + "\t" + r.offset() + "\t" + text(r.key()) + "\t"
                            + text(r.value()) + "\t" + h);
                    seen++;
                }
            }
        }
    }
}
