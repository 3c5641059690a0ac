# lib/util: build fragment (see Makefile.am).
# Configuration: the engine in lib/util and the two tables it is driven by,
# the client's (kl_conf_new) and the embedded broker's (kl_broker_conf_new).
libkafkalite_internal_la_SOURCES += \
	lib/util/conf.c
noinst_HEADERS += \
	lib/util/conf.h
