# examples/: small programs a user copies from. wire_demo is the README's
# first command until the broker exists; built, not installed.
noinst_PROGRAMS += examples/wire_demo
examples_wire_demo_SOURCES = examples/wire_demo.c
examples_wire_demo_LDADD = libkafkalite-internal.la $(KL_DEP_LIBS)
