# lib/util: build fragment (see Makefile.am).
