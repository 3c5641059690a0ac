// Sarama against a running `kafkalite broker`, run by
// tests/clients/test_sarama.sh, configured for the newest Kafka it knows
// (config.Version = sarama.MaxVersion; it then uses no version beyond what
// the broker's ApiVersions lists): the cluster admin creates a topic and lists topics and
// brokers; an idempotent SyncProducer (acks=all, lz4, headers) writes
// scenario.Records records; a consumer group member reads them all and
// commits, and the admin sees the group and its committed offsets; a
// second member of the group, after more records, reads only those.
//
//	sarama BOOTSTRAP
package main

import (
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	sc "kafkalite/tests/clients/go/scenario"
)

const (
	topic = "sarama-topic"
	group = "sarama-group"
)

var bootstrap []string

func config() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = sarama.MaxVersion
	c.ClientID = "kafkalite-sarama-test"
	c.Net.DialTimeout = sc.Deadline
	c.Metadata.Retry.Max = 20
	return c
}

func main() {
	if len(os.Args) != 2 {
		sc.Fail("usage: sarama BOOTSTRAP")
	}
	bootstrap = strings.Split(os.Args[1], ",")

	admin, err := sarama.NewClusterAdmin(bootstrap, config())
	sc.Check(err, "NewClusterAdmin")
	defer admin.Close()
	sc.Check(admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: sc.Partitions, ReplicationFactor: 1}, false),
		"CreateTopic")
	topics, err := admin.ListTopics()
	sc.Check(err, "ListTopics")
	brokers, _, err := admin.DescribeCluster()
	sc.Check(err, "DescribeCluster")
	if topics[topic].NumPartitions != sc.Partitions || len(brokers) != 1 {
		sc.Fail("ListTopics: %s has %d partitions; DescribeCluster: %d brokers", topic, topics[topic].NumPartitions,
			len(brokers))
	}
	sc.Ok("the cluster admin created %s and lists it with %d partitions", topic, sc.Partitions)

	produce(0, sc.Records)
	sc.Ok("idempotent acks=all lz4 producer wrote %d records", sc.Records)

	consume(0, sc.Records)
	groups, err := admin.DescribeConsumerGroups([]string{group})
	sc.Check(err, "DescribeConsumerGroups")
	if len(groups) != 1 || groups[0].State != "Empty" || groups[0].ProtocolType != "consumer" {
		sc.Fail("DescribeConsumerGroups after the member left: %+v", groups)
	}
	offsets, err := admin.ListConsumerGroupOffsets(group, nil)
	sc.Check(err, "ListConsumerGroupOffsets")
	var total int64
	for _, parts := range offsets.Blocks {
		for _, b := range parts {
			total += b.Offset
		}
	}
	if total != sc.Records {
		sc.Fail("committed offsets add up to %d, want %d", total, sc.Records)
	}
	sc.Ok("the group read every record once and committed %d", sc.Records)

	produce(sc.Records, sc.Later)
	consume(sc.Records, sc.Later)
	sc.Ok("a new member resumed from the commit and read only the %d later records", sc.Later)
}

// produce writes records first..first+n-1 idempotently, acks=all, lz4.
func produce(first, n int) {
	c := config()
	c.Producer.Idempotent = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Compression = sarama.CompressionLZ4
	c.Producer.Return.Successes = true
	c.Producer.Retry.Max = 10
	c.Net.MaxOpenRequests = 1 // Sarama's condition for idempotence
	p, err := sarama.NewSyncProducer(bootstrap, c)
	sc.Check(err, "NewSyncProducer")
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, 0, n)
	for i := first; i < first+n; i++ {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(sc.Key(i)),
			Value:   sarama.StringEncoder(sc.Value(i)),
			Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte(sc.Key(i))}}})
	}
	sc.Check(p.SendMessages(msgs), "SendMessages")
}

// member is the group handler: it records what it reads, marks it, and
// commits once it has want records. Sarama runs one ConsumeClaim per
// partition at once: they take turns with mu.
type member struct {
	mu   sync.Mutex
	seen sc.Seen
	want int
	done chan struct{}
}

func (m *member) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (m *member) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (m *member) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		if len(msg.Headers) != 1 || string(msg.Headers[0].Value) != string(msg.Key) {
			sc.Fail("record %s lost its header", msg.Key)
		}
		m.mu.Lock()
		m.seen.Add(string(msg.Key), string(msg.Value))
		s.MarkMessage(msg, "")
		if len(m.seen) == m.want {
			s.Commit()
			close(m.done)
		}
		m.mu.Unlock()
	}
	return nil
}

// consume joins the group, reads until it has records first..first+n-1
// (no other), commits them (manual commit), and leaves.
func consume(first, n int) {
	c := config()
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.AutoCommit.Enable = false
	c.Consumer.Return.Errors = true
	c.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}
	g, err := sarama.NewConsumerGroup(bootstrap, group, c)
	sc.Check(err, "NewConsumerGroup")
	ctx, cancel := context.WithTimeout(context.Background(), sc.Deadline)
	defer cancel()
	m := &member{seen: sc.Seen{}, want: n, done: make(chan struct{})}
	go func() {
		for err := range g.Errors() {
			sc.Fail("consumer group: %v", err)
		}
	}()
	go func() {
		for ctx.Err() == nil {
			if err := g.Consume(ctx, []string{topic}, m); err != nil && ctx.Err() == nil {
				sc.Fail("Consume: %v", err)
			}
		}
	}()
	select {
	case <-m.done:
	case <-ctx.Done():
		m.mu.Lock()
		sc.Fail("consumed %d of %d records before the deadline", len(m.seen), n)
	}
	m.mu.Lock()
	for i := first; i < first+n; i++ {
		if !m.seen[sc.Key(i)] {
			sc.Fail("record %d was not consumed", i)
		}
	}
	m.mu.Unlock()
	cancel()
	closed := make(chan error, 1)
	go func() { closed <- g.Close() }()
	select {
	case err := <-closed:
		sc.Check(err, "consumer group Close")
	case <-time.After(sc.Deadline):
		sc.Fail("the consumer group did not close")
	}
}
