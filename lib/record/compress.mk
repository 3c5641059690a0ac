# lib/record: build fragment (see Makefile.am).
