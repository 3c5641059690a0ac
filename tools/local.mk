# tools/: the kafkalite command.
