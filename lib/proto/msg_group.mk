# lib/proto: build fragment (see Makefile.am).
