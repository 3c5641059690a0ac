// Prints, for each line of standard input taken as a key (UTF-8 bytes), the
// partition the Java producer's default partitioner gives it among N:
//   Partition N < keys   ->   "partition<TAB>key" lines
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class Partition {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String key; (key = in.readLine()) != null;)
            out.append(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), n))
                    .append('\t').append(key).append('\n');
        System.out.print(out);
    }
}
