// KafkaJS (Node.js, pure JavaScript) against a running `kafkalite broker`,
// run by tests/clients/test_kafkajs.sh, in the shape of the other clients'
// scenario (tests/clients/python/scenario.py): the admin client creates a
// topic and reads its metadata; an idempotent producer (acks=all, gzip,
// headers) writes the records; a group member reads them all and commits,
// and the admin client describes the group and fetches its committed
// offsets; a new member, after more records, reads only those. Then
// (KafkaJS only, a fifth step) a transactional producer commits one
// transaction and aborts another, and a read_committed member reads the
// committed records only; then a transaction that aborts and one that
// commits each send the read offset with sendOffsets: the group's offset
// moves when the second commits only.
//
//   node kafkajs_check.js BOOTSTRAP
'use strict';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const TOPIC = 'kafkajs-topic';
const GROUP = 'kafkajs-group';
const PARTITIONS = 3;
const RECORDS = 300;
const LATER = 20;
const DEADLINE_MS = 90000; // generous: the test machine is shared and loaded

const key = (i) => `key-${i}`;
const value = (i) => `value-${i}-${String(i).padStart(100, '0')}`;

function fail(what) {
  console.log(`FAIL ${what}`);
  process.exit(1);
}
function check(cond, what) {
  if (!cond) fail(what);
}

const kafka = new Kafka({
  clientId: 'kafkalite-kafkajs-test',
  brokers: process.argv[2].split(','),
  logLevel: logLevel.WARN,
  connectionTimeout: DEADLINE_MS,
  requestTimeout: DEADLINE_MS,
});

async function produce(first, n) {
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const messages = [];
  for (let i = first; i < first + n; i++) messages.push({ key: key(i), value: value(i), headers: { h: key(i) } });
  await p.send({ topic: TOPIC, acks: -1, compression: CompressionTypes.GZIP, messages });
  await p.disconnect();
}

async function consume(first, n) {
  const c = kafka.consumer({ groupId: GROUP, rebalanceTimeout: DEADLINE_MS });
  await c.connect();
  await c.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen = new Set();
  let allSeen;
  const done = new Promise((resolve) => { allSeen = resolve; });
  await c.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const k = message.key.toString();
      const i = Number(k.slice(4));
      check(k === key(i), `consumed an unknown key ${k}`);
      check(message.value.toString() === value(i), `record ${k} has a wrong value`);
      check(message.headers.h && message.headers.h.toString() === k, `record ${k} lost its header`);
      check(!seen.has(k), `record ${k} consumed twice`);
      check(i >= first && i < first + n, `record ${k} is not one of ${first}..${first + n - 1}`);
      seen.add(k);
      await c.commitOffsets([{ topic: TOPIC, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      if (seen.size === n) allSeen();
    },
  });
  const timer = setTimeout(() => fail(`consumed ${seen.size} of ${n} records before the deadline`), DEADLINE_MS);
  await done;
  clearTimeout(timer);
  await c.disconnect();
}

// A transaction committed, one aborted, one more committed: a member in
// read_committed (KafkaJS's default) sees the committed records only.
async function transactions() {
  const topic = 'kafkajs-txn';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
  const p = kafka.producer({ transactionalId: 'kafkajs-tx', idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const outcomes = [['c', true], ['a', false], ['d', true]];
  for (const [tag, commit] of outcomes) {
    const t = await p.transaction();
    await t.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `${tag}${i}` })) });
    await (commit ? t.commit() : t.abort());
  }
  await p.disconnect();
  const c = kafka.consumer({ groupId: 'kafkajs-txn-group', rebalanceTimeout: DEADLINE_MS });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const seen = [];
  let lastSeen;
  let next; // the offset after d2, the last record
  const done = new Promise((resolve) => { lastSeen = resolve; });
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value.toString());
      if (message.value.toString() === 'd2') {
        next = BigInt(message.offset) + 1n;
        lastSeen();
      }
    },
  });
  const timer = setTimeout(() => fail(`read ${seen.join(' ')} before the deadline`), DEADLINE_MS);
  await done;
  clearTimeout(timer);
  await c.disconnect();
  check(seen.join(' ') === 'c0 c1 c2 d0 d1 d2', `read_committed read ${seen.join(' ')}`);
  await transactionOffsets(topic, next);
}

// Consume-transform-produce's last step: the offset read goes into the
// transaction (AddOffsetsToTxn, TxnOffsetCommit), for a group that has no
// member (KafkaJS sends no group metadata). Committed only by a commit.
async function transactionOffsets(input, readOffset) {
  const output = 'kafkajs-txn-out';
  const groupId = 'kafkajs-txn-offsets';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: output, numPartitions: 1, replicationFactor: 1 }] });
  const committed = async () => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [input] });
    return t.partitions.map((p) => p.offset).join(',');
  };
  const p = kafka.producer({ transactionalId: 'kafkajs-tx-offsets', idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  for (const commit of [false, true]) {
    const t = await p.transaction();
    await t.send({ topic: output, messages: [{ value: `out-${commit}` }] });
    await t.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: String(readOffset) }] }],
    });
    check(await committed() === '-1', `the group's offset is ${await committed()} in an open transaction`);
    await (commit ? t.commit() : t.abort());
    const want = commit ? String(readOffset) : '-1';
    const end = commit ? 'commit' : 'abort';
    check(await committed() === want, `the group's offset is ${await committed()} after the ${end}, want ${want}`);
  }
  await p.disconnect();
  await admin.disconnect();
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  const cluster = await admin.describeCluster();
  check(md.topics[0].partitions.length === PARTITIONS && cluster.brokers.length === 1,
    `metadata: ${JSON.stringify(md)}; cluster: ${JSON.stringify(cluster)}`);
  console.log(`ok the admin client created ${TOPIC} and lists it with ${PARTITIONS} partitions`);

  await produce(0, RECORDS);
  console.log(`ok idempotent acks=all gzip producer wrote ${RECORDS} records`);

  await consume(0, RECORDS);
  const { groups } = await admin.describeGroups([GROUP]);
  check(groups.length === 1 && groups[0].state === 'Empty' && groups[0].protocolType === 'consumer',
    `describeGroups after the member left: ${JSON.stringify(groups)}`);
  const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const total = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  check(total === RECORDS, `committed offsets add up to ${total}, want ${RECORDS}`);
  console.log(`ok the group read every record once and committed ${RECORDS}`);

  await produce(RECORDS, LATER);
  await consume(RECORDS, LATER);
  console.log(`ok a new member resumed from the commit and read only the ${LATER} later records`);

  await transactions();
  console.log('ok a transactional producer committed and aborted; read_committed read the committed records; '
    + 'sendOffsets committed with the transaction');
  await admin.disconnect();
}

if (process.argv.length !== 3) fail('usage: kafkajs_check.js BOOTSTRAP');
main().then(() => process.exit(0), (err) => fail(err && err.stack ? err.stack : String(err)));
