// franz-go (kgo and kadm) against a running `kafkalite broker`, run by
// tests/clients/test_franz_go.sh: kadm creates a topic and lists the
// metadata; an idempotent producer (acks=all, zstd, headers) writes
// scenario.Records records, where kadm finds the end offsets and the end
// of leader epoch 0; a group member reads them all, commits, and
// kadm sees the group and its committed offsets; a second member of the
// group, after more records, reads only those.
//
//	franz BOOTSTRAP
package main

import (
	"context"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	sc "kafkalite/tests/clients/go/scenario"
)

const (
	topic = "franz-topic"
	group = "franz-group"
)

var bootstrap []string

func main() {
	if len(os.Args) != 2 {
		sc.Fail("usage: franz BOOTSTRAP")
	}
	bootstrap = strings.Split(os.Args[1], ",")
	ctx, cancel := context.WithTimeout(context.Background(), sc.Deadline)
	defer cancel()

	admin := newClient()
	defer admin.Close()
	adm := kadm.NewClient(admin)
	_, err := adm.CreateTopic(ctx, sc.Partitions, 1, nil, topic)
	sc.Check(err, "kadm CreateTopic")
	meta, err := adm.Metadata(ctx, topic)
	sc.Check(err, "kadm Metadata")
	if len(meta.Brokers) != 1 || len(meta.Topics[topic].Partitions) != sc.Partitions {
		sc.Fail("metadata: %d brokers, %d partitions of %s", len(meta.Brokers), len(meta.Topics[topic].Partitions), topic)
	}
	sc.Ok("kadm created %s and lists it with %d partitions", topic, sc.Partitions)

	produce(ctx, 0, sc.Records)
	ends, err := adm.ListEndOffsets(ctx, topic)
	sc.Check(err, "kadm ListEndOffsets")
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	if total != sc.Records {
		sc.Fail("end offsets add up to %d, want %d", total, sc.Records)
	}
	// Where leader epoch 0 ends (what a consumer asks to detect truncation):
	// at the end of each partition.
	var epochs kadm.OffsetForLeaderEpochRequest
	for p := int32(0); p < sc.Partitions; p++ {
		epochs.Add(topic, p, 0)
	}
	ended, err := adm.OffsetForLeaderEpoch(ctx, epochs)
	sc.Check(err, "kadm OffsetForLeaderEpoch")
	total = 0
	for _, parts := range ended {
		for _, e := range parts {
			sc.Check(e.Err, "OffsetForLeaderEpoch of a partition")
			total += e.EndOffset
		}
	}
	if total != sc.Records {
		sc.Fail("epoch 0 ends at offsets adding up to %d, want %d", total, sc.Records)
	}
	sc.Ok("idempotent acks=all zstd producer wrote %d records", sc.Records)

	consume(ctx, 0, sc.Records)
	described, err := adm.DescribeGroups(ctx, group)
	sc.Check(err, "kadm DescribeGroups")
	if g := described[group]; g.Err != nil || g.State != "Empty" || g.ProtocolType != "consumer" {
		sc.Fail("group after the member left: state %q protocol type %q err %v", g.State, g.ProtocolType, g.Err)
	}
	offsets, err := adm.FetchOffsets(ctx, group)
	sc.Check(err, "kadm FetchOffsets")
	total = 0
	offsets.Each(func(o kadm.OffsetResponse) { total += o.At })
	if total != sc.Records {
		sc.Fail("committed offsets add up to %d, want %d", total, sc.Records)
	}
	sc.Ok("the group read every record once and committed %d", sc.Records)

	produce(ctx, sc.Records, sc.Later)
	consume(ctx, sc.Records, sc.Later)
	sc.Ok("a new member resumed from the commit and read only the %d later records", sc.Later)
}

func newClient(opts ...kgo.Opt) *kgo.Client {
	// franz-go says at WARN what it works around (a refused request, a
	// version it falls back from): the shell test fails on those lines.
	logger := kgo.BasicLogger(os.Stderr, kgo.LogLevelWarn, nil)
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap...), kgo.WithLogger(logger)}, opts...)...)
	sc.Check(err, "kgo.NewClient")
	return cl
}

// produce writes records first..first+n-1 with franz-go's defaults for
// durability (idempotent, acks=all, stated anyway) and zstd.
func produce(ctx context.Context, first, n int) {
	cl := newClient(kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression()),
		kgo.DefaultProduceTopic(topic))
	defer cl.Close()
	recs := make([]*kgo.Record, 0, n)
	for i := first; i < first+n; i++ {
		recs = append(recs, &kgo.Record{Key: []byte(sc.Key(i)), Value: []byte(sc.Value(i)),
			Headers: []kgo.RecordHeader{{Key: "h", Value: []byte(sc.Key(i))}}})
	}
	sc.Check(cl.ProduceSync(ctx, recs...).FirstErr(), "ProduceSync")
	for _, r := range recs {
		if r.ProducerID < 0 {
			sc.Fail("record %s was not produced idempotently (producer id %d)", r.Key, r.ProducerID)
		}
	}
}

// consume joins the group, reads until it has records first..first+n-1
// (no other), commits them, and leaves.
func consume(ctx context.Context, first, n int) {
	cl := newClient(kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	seen := sc.Seen{}
	for len(seen) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			sc.Fail("consumed %d of %d records before the deadline", len(seen), n)
		}
		fetches.EachError(func(t string, p int32, err error) { sc.Fail("fetch %s/%d: %v", t, p, err) })
		fetches.EachRecord(func(r *kgo.Record) {
			if len(r.Headers) != 1 || string(r.Headers[0].Value) != string(r.Key) {
				sc.Fail("record %s lost its header", r.Key)
			}
			seen.Add(string(r.Key), string(r.Value))
		})
	}
	for i := first; i < first+n; i++ {
		if !seen[sc.Key(i)] {
			sc.Fail("record %d was not consumed", i)
		}
	}
	sc.Check(cl.CommitUncommittedOffsets(ctx), "CommitUncommittedOffsets")
	cl.LeaveGroup()
}
