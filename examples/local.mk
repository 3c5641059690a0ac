# examples/: small programs a user copies from. wire_demo is the README's
# first command until the broker exists; built, not installed.
noinst_PROGRAMS += examples/wire_demo
examples_wire_demo_SOURCES = examples/wire_demo.c
examples_wire_demo_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)

# embedded_demo: the embedded broker and the producer through the public
# API only (linked to the installed library's public face); make check runs
# it and it exits non-zero unless every message was delivered and the data
# survived the restart.
noinst_PROGRAMS += examples/embedded_demo
examples_embedded_demo_SOURCES = examples/embedded_demo.c
examples_embedded_demo_CPPFLAGS = -I$(top_srcdir)/include
examples_embedded_demo_LDADD = libkafkalite.la
TESTS += examples/embedded_demo
