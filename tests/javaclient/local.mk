# Apache Kafka's Java client and tools against `kafkalite broker` (issue
# 15), on the jars tests/kafka/fetch brings (.ci/deps fetches 4.4.0 and
# 3.9.1). Like the tests/kafka suites they skip without Kafka (fail under
# KL_TEST_NO_SKIP=1) and `./configure --disable-kafka-tests` leaves them
# out (CI's sanitizer pass: the JVM dominates them, not our code).
JAVACLIENT_TESTS = tests/javaclient/test_java_client.sh tests/javaclient/test_java_client_3_9.sh \
	tests/javaclient/test_kafka_tools.sh tests/javaclient/test_kafka_security_tools.sh
if KAFKA_TESTS
TESTS += $(JAVACLIENT_TESTS)
endif
EXTRA_DIST += $(JAVACLIENT_TESTS) tests/javaclient/JavaClient.java tests/javaclient/TxnHold.java \
	tests/javaclient/JavaTxn.java
