# lib/client: see the sources for what each file holds.
