# lib/storage: build fragment (see Makefile.am).
