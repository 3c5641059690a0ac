# man/: reference pages, installed by make install and linted by make check.
dist_man_MANS += \
	man/man1/kafkalite.1 \
	man/man3/kl_broker_bootstrap_servers.3 \
	man/man3/kl_broker_conf_new.3 \
	man/man3/kl_broker_destroy.3 \
	man/man3/kl_broker_listeners.3 \
	man/man3/kl_broker_new.3 \
	man/man3/kl_broker_start.3 \
	man/man3/kl_broker_stop.3 \
	man/man3/kl_conf_destroy.3 \
	man/man3/kl_conf_dump.3 \
	man/man3/kl_conf_dump_free.3 \
	man/man3/kl_conf_dup.3 \
	man/man3/kl_conf_get.3 \
	man/man3/kl_conf_new.3 \
	man/man3/kl_conf_set.3 \
	man/man3/kl_conf_set_delivery_cb.3 \
	man/man3/kl_conf_set_log_cb.3 \
	man/man3/kl_conf_set_opaque.3 \
	man/man3/kl_err_is_local.3 \
	man/man3/kl_err_is_retriable.3 \
	man/man3/kl_err_name.3 \
	man/man3/kl_err_str.3 \
	man/man3/kl_headers_add.3 \
	man/man3/kl_headers_count.3 \
	man/man3/kl_headers_destroy.3 \
	man/man3/kl_headers_new.3 \
	man/man3/kl_message_error.3 \
	man/man3/kl_message_key.3 \
	man/man3/kl_message_offset.3 \
	man/man3/kl_message_opaque.3 \
	man/man3/kl_message_partition.3 \
	man/man3/kl_message_status.3 \
	man/man3/kl_message_timestamp.3 \
	man/man3/kl_message_topic.3 \
	man/man3/kl_message_value.3 \
	man/man3/kl_produce.3 \
	man/man3/kl_produce_headers.3 \
	man/man3/kl_producer_destroy.3 \
	man/man3/kl_producer_failed.3 \
	man/man3/kl_producer_flush.3 \
	man/man3/kl_producer_new.3 \
	man/man3/kl_producer_outstanding.3 \
	man/man3/kl_producer_poll.3 \
	man/man3/kl_topic_partition_list_add.3 \
	man/man3/kl_topic_partition_list_copy.3 \
	man/man3/kl_topic_partition_list_del.3 \
	man/man3/kl_topic_partition_list_destroy.3 \
	man/man3/kl_topic_partition_list_find.3 \
	man/man3/kl_topic_partition_list_new.3 \
	man/man3/kl_topic_partition_list_set_offset.3 \
	man/man3/kl_topic_partition_list_sort.3 \
	man/man3/kl_topic_partition_set_metadata.3 \
	man/man3/kl_version.3 \
	man/man3/kl_version_str.3
TESTS += tests/man_check.sh
EXTRA_DIST += tests/man_check.sh
