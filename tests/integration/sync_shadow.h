/* Test layer for durability to the disk: the test binary that links this
 * file interposes fsync() and fdatasync() (and flags sync_file_range(),
 * syncfs() and sync(), which it does not model), so every sync the broker
 * or the storage makes on a file under a watched directory is recorded,
 * and a crash image can be rebuilt at any moment: what a power cut at
 * that moment may leave, the way ALICE- and SQLite-style crash tests do.
 *
 * The model (strict POSIX):
 * - a regular file holds what it held when it was last fsynced or
 *   fdatasynced (copied just before the real call, so writes racing with
 *   the sync are not counted as durable); a file never synced is empty;
 *   writes, truncations and renames since are lost;
 * - a directory holds the names it held when it was last fsynced, each
 *   bound to the file (inode and generation, from name_to_handle_at) it
 *   named then; a directory never fsynced holds nothing, except the
 *   watched directory itself, which holds what it held when watching
 *   started. So a created, renamed or removed file whose directory was not
 *   fsynced afterwards is found as before the change, and a subdirectory
 *   created without an fsync of its parent is gone with all it holds.
 * - Not modelled: mmap'd writes (msync), O_SYNC/O_DSYNC files, and data
 *   reordering inside one sync interval (an unsynced write is lost whole,
 *   never half-present); the calls that would need it are counted by
 *   shadow_unmodelled() so a test can refuse to trust the image. */
#ifndef KL_TEST_SYNC_SHADOW_H
#define KL_TEST_SYNC_SHADOW_H

enum { SHADOW_FDATASYNC, SHADOW_FSYNC };

/* Starts recording the syncs of everything under root (an existing
 * directory, taken as durable as it is now), keeping the synced copies
 * in a fresh temporary directory. Fails the Check test on error. */
void shadow_start(const char *root);
/* Stops recording and removes the copies. */
void shadow_stop(void);
/* Syncs of the given kind recorded on files or directories whose path
 * under root ends with suffix. */
int shadow_syncs(const char *suffix, int kind);
/* Calls on files under root that the model cannot represent. */
int shadow_unmodelled(void);
/* Writes the crash image of root as of now into image (created; must not
 * exist). */
void shadow_build_image(const char *image);

#endif
