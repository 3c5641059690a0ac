# lib/util: build fragment (see Makefile.am).
# Configuration: the engine in lib/util and the two tables it is driven by,
# the client's (kl_conf_new) and the embedded broker's (kl_broker_conf_new).
libkafkalite_internal_la_SOURCES += \
	lib/util/conf.c \
	lib/client/conf_table.c \
	lib/broker/conf_table.c
noinst_HEADERS += \
	lib/util/conf.h \
	lib/client/conf_table.h \
	lib/broker/conf_table.h
