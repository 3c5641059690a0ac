# lib/consumer: build fragment (see Makefile.am).
