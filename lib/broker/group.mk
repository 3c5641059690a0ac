# lib/broker: build fragment (see Makefile.am).
