# lib/net: build fragment (see Makefile.am).
