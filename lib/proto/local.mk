# lib/proto: see the sources for what each file holds.
