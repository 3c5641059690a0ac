# Clients from the registries against `kafkalite broker` (issue 15):
# franz-go and Sarama (Go module proxy), confluent-kafka, aiokafka and
# kafka-python 2.2 (PyPI; kafka-python also over TLS and SASL, issue 17),
# KafkaJS (npm), all pinned, brought once per machine by tests/clients/fetch
# (.ci/deps runs it). Without them they skip
# (fail under KL_TEST_NO_SKIP=1); `./configure --disable-kafka-tests`
# leaves them out.
CLIENT_TESTS = tests/clients/test_franz_go.sh tests/clients/test_sarama.sh \
	tests/clients/test_confluent_kafka.sh tests/clients/test_aiokafka.sh \
	tests/clients/test_kafka_python_2_2.sh tests/clients/test_kafkajs.sh \
	tests/clients/test_kafka_python_security.sh
# Outside peers run once per CI: not again in the sanitizer pass.
if KAFKA_TESTS
TESTS += $(CLIENT_TESTS)
endif
EXTRA_DIST += $(CLIENT_TESTS) tests/clients/client_test.sh tests/clients/clients_lib.sh \
	tests/clients/fetch tests/clients/requirements.txt \
	tests/clients/go/go.mod tests/clients/go/go.sum tests/clients/go/scenario/scenario.go \
	tests/clients/go/franz/main.go tests/clients/go/sarama/main.go \
	tests/clients/python/scenario.py tests/clients/python/confluent_check.py \
	tests/clients/python/aiokafka_check.py tests/clients/python/kafka_python_check.py \
	tests/clients/python/kafka_python_security.py tests/security/openssl_certs.sh \
	tests/clients/node/package.json tests/clients/node/kafkajs_check.js
