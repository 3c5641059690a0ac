# lib/broker: build fragment (see Makefile.am).

# Storage sources (lib/storage), included from here until Makefile.am
# includes lib/storage/local.mk itself: move this line there.
include lib/storage/local.mk
