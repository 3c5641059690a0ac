/* What ingesting bytes costs this machine at the least, measured beside a
 * broker so that its CPU per GB can be read as a ratio, not as an absolute
 * time on a shared, noisy machine. */
#ifndef KL_BENCH_INGEST_FLOOR_H
#define KL_BENCH_INGEST_FLOOR_H

/* CPU seconds (user + system) one thread spends receiving bytes over
 * loopback TCP in 1 MiB reads and appending them to a new file in dir,
 * the least a broker does with what it ingests. A forked child sends
 * them. Negative when the measurement could not be made. */
double ingest_floor_cpu(const char *dir, double bytes);

#endif
