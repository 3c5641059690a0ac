# lib/record: see the sources for what each file holds.
