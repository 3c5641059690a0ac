// A transaction held open by the Java client's transactional producer, for
// the kafka-transactions checks of test_kafka_tools.sh: initTransactions,
// two records to partition 0 of the topic inside a transaction, "open" on
// stdout; then a line on stdin: "commit" commits ("committed"), anything
// else (or the end of stdin) aborts ("aborted").
// Arguments: bootstrap transactional-id topic.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxnHold {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("transactional.id", args[1]);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(args[2], 0, null, "held-0")).get();
            producer.send(new ProducerRecord<>(args[2], 0, null, "held-1")).get();
            System.out.println("open");
            System.out.flush();
            String line = new BufferedReader(new InputStreamReader(System.in)).readLine();
            if ("commit".equals(line)) {
                producer.commitTransaction();
                System.out.println("committed");
            } else {
                producer.abortTransaction();
                System.out.println("aborted");
            }
        }
    }
}
