/* The sync-recording test layer: see sync_shadow.h. The interposed
 * functions are defined in the test binary, so they take the place of
 * libc's for every caller linked into it (the broker and the storage
 * included); dlsym(RTLD_NEXT) reaches the real ones. */
#include "sync_shadow.h"

#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MAX 300
#define EXPORT __attribute__((visibility("default")))

typedef struct sync_event {
    char *rel; /* path under root at the time of the sync */
    int kind;
} sync_event_t;

static struct {
    pthread_mutex_t lock;
    bool active;
    char root[4096];
    size_t root_len;
    char root_key[KEY_MAX];
    char store[64]; /* data/<key>: synced contents, dirs/<key>: listings */
    sync_event_t *events;
    size_t count, cap;
    int unmodelled;
} shadow = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The identity of a file (inode and generation where the file system
 * gives a handle, else the inode): dirfd/name, or dirfd itself with
 * AT_EMPTY_PATH. */
static bool file_key(int dirfd, const char *name, int flags, char *out)
{
    struct file_handle *fh = malloc(sizeof *fh + MAX_HANDLE_SZ);
    if (!fh)
        return false;
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount;
    bool ok = name_to_handle_at(dirfd, name, fh, &mount, flags) == 0;
    if (ok) {
        int n = snprintf(out, KEY_MAX, "h%d-", fh->handle_type);
        for (unsigned i = 0; i < fh->handle_bytes && n + 3 < KEY_MAX; i++)
            n += snprintf(out + n, 3, "%02x", fh->f_handle[i]);
    }
    free(fh);
    struct stat st;
    if (!ok && fstatat(dirfd, name, &st, flags | AT_SYMLINK_NOFOLLOW) == 0) {
        snprintf(out, KEY_MAX, "i%llu", (unsigned long long)st.st_ino);
        ok = true;
    }
    return ok;
}

/* Copies from the open file in to a new file at path (written aside,
 * then renamed into place). */
static bool copy_fd(int in, const char *path)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        return false;
    char buf[65536];
    ssize_t n;
    bool ok = true;
    off_t pos = 0;
    while (ok && (n = pread(in, buf, sizeof buf, pos)) > 0) {
        ok = write(out, buf, (size_t)n) == n;
        pos += n;
    }
    ok &= n == 0 && close(out) == 0;
    return ok && rename(tmp, path) == 0;
}

/* What fsync(fd) of a regular file makes durable: its contents now. */
static bool save_data(int fd)
{
    char key[KEY_MAX], path[512], self[64];
    if (!file_key(fd, "", AT_EMPTY_PATH, key))
        return false;
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    int in = open(self, O_RDONLY | O_CLOEXEC); /* fd may be write-only */
    if (in < 0)
        return false;
    snprintf(path, sizeof path, "%s/data/%s", shadow.store, key);
    bool ok = copy_fd(in, path);
    close(in);
    return ok;
}

/* What fsync(fd) of a directory makes durable: its names, each bound to
 * the file it names now ("d|f key name" lines). */
static bool save_listing(int fd)
{
    char key[KEY_MAX], path[512], tmp[520], self[64];
    if (!file_key(fd, "", AT_EMPTY_PATH, key))
        return false;
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    DIR *d = opendir(self);
    if (!d)
        return false;
    snprintf(path, sizeof path, "%s/dirs/%s", shadow.store, key);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "we");
    bool ok = out != NULL;
    for (struct dirent *e; ok && (e = readdir(d)) != NULL;) {
        struct stat st;
        char child[KEY_MAX];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* gone meanwhile */
        if ((S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) && file_key(dirfd(d), e->d_name, 0, child))
            ok = fprintf(out, "%c %s %s\n", S_ISDIR(st.st_mode) ? 'd' : 'f', child, e->d_name) > 0;
    }
    closedir(d);
    if (out)
        ok &= fclose(out) == 0;
    return ok && rename(tmp, path) == 0;
}

/* The path of fd under root ("" for root itself), or NULL (lock held). */
static const char *under_root(int fd, char *path, size_t size)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(self, path, size - 1);
    if (n < 0)
        return NULL;
    path[n] = '\0';
    if (strncmp(path, shadow.root, shadow.root_len) != 0 ||
        (path[shadow.root_len] != '/' && path[shadow.root_len] != '\0'))
        return NULL;
    return path + shadow.root_len + (path[shadow.root_len] == '/');
}

static void note_sync(int fd, int kind)
{
    char path[4200];
    pthread_mutex_lock(&shadow.lock);
    const char *rel = shadow.active ? under_root(fd, path, sizeof path) : NULL;
    struct stat st;
    if (rel && fstat(fd, &st) == 0) {
        bool ok = true;
        if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
            ok = S_ISDIR(st.st_mode) ? save_listing(fd) : save_data(fd);
            if (shadow.count == shadow.cap) {
                size_t cap = shadow.cap ? 2 * shadow.cap : 256;
                sync_event_t *grown = realloc(shadow.events, cap * sizeof *grown);
                if (grown) {
                    shadow.events = grown;
                    shadow.cap = cap;
                }
            }
            if (shadow.count < shadow.cap)
                shadow.events[shadow.count++] = (sync_event_t){strdup(rel), kind};
        }
        if (!ok) /* the image would be wrong: say so */
            shadow.unmodelled++;
    }
    pthread_mutex_unlock(&shadow.lock);
}

static void note_unmodelled(int fd)
{
    char path[4200];
    pthread_mutex_lock(&shadow.lock);
    if (shadow.active && (fd < 0 || under_root(fd, path, sizeof path)))
        shadow.unmodelled++;
    pthread_mutex_unlock(&shadow.lock);
}

#define REAL(name, ret, params)                                                                                 \
    static ret(*real_##name) params;                                                                            \
    if (!real_##name)                                                                                           \
        *(void **)&real_##name = dlsym(RTLD_NEXT, #name)

/* Copied before the real call: only what was written before the sync
 * began counts as durable. */
EXPORT int fdatasync(int fd)
{
    REAL(fdatasync, int, (int));
    note_sync(fd, SHADOW_FDATASYNC);
    return real_fdatasync(fd);
}

EXPORT int fsync(int fd)
{
    REAL(fsync, int, (int));
    note_sync(fd, SHADOW_FSYNC);
    return real_fsync(fd);
}

EXPORT int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags)
{
    REAL(sync_file_range, int, (int, off_t, off_t, unsigned int));
    note_unmodelled(fd);
    return real_sync_file_range(fd, offset, nbytes, flags);
}

EXPORT int syncfs(int fd)
{
    REAL(syncfs, int, (int));
    note_unmodelled(-1);
    return real_syncfs(fd);
}

EXPORT void sync(void)
{
    REAL(sync, void, (void));
    note_unmodelled(-1);
    real_sync();
}

void shadow_start(const char *root)
{
    shadow_stop(); /* what a failed test without fork left behind */
    char sub[128], real_root[4096], store[64], key[KEY_MAX];
    ck_assert_ptr_nonnull(realpath(root, real_root));
    snprintf(store, sizeof store, "/tmp/kl-shadow-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(store));
    snprintf(sub, sizeof sub, "%s/data", store);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    snprintf(sub, sizeof sub, "%s/dirs", store);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    int fd = open(real_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    pthread_mutex_lock(&shadow.lock);
    snprintf(shadow.root, sizeof shadow.root, "%s", real_root);
    shadow.root_len = strlen(shadow.root);
    snprintf(shadow.store, sizeof shadow.store, "%s", store);
    /* the watched directory as it is now */
    bool ok = file_key(fd, "", AT_EMPTY_PATH, key) && save_listing(fd);
    snprintf(shadow.root_key, sizeof shadow.root_key, "%s", key);
    shadow.count = 0;
    shadow.unmodelled = 0;
    shadow.active = ok;
    pthread_mutex_unlock(&shadow.lock);
    close(fd);
    ck_assert_msg(ok, "cannot record %s", real_root);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void shadow_stop(void)
{
    pthread_mutex_lock(&shadow.lock);
    shadow.active = false;
    for (size_t i = 0; i < shadow.count; i++)
        free(shadow.events[i].rel);
    free(shadow.events);
    shadow.events = NULL;
    shadow.count = shadow.cap = 0;
    if (shadow.store[0])
        nftw(shadow.store, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    shadow.store[0] = '\0';
    pthread_mutex_unlock(&shadow.lock);
}

int shadow_syncs(const char *suffix, int kind)
{
    size_t sl = strlen(suffix);
    int n = 0;
    pthread_mutex_lock(&shadow.lock);
    for (size_t i = 0; i < shadow.count; i++) {
        size_t l = strlen(shadow.events[i].rel);
        n += shadow.events[i].kind == kind && l >= sl && !strcmp(shadow.events[i].rel + l - sl, suffix);
    }
    pthread_mutex_unlock(&shadow.lock);
    return n;
}

int shadow_unmodelled(void)
{
    pthread_mutex_lock(&shadow.lock);
    int n = shadow.unmodelled;
    pthread_mutex_unlock(&shadow.lock);
    return n;
}

/* Fills the directory at path with what the listing of key holds (lock
 * held: no Check assertion here, which would leave it locked when tests
 * do not fork). */
static bool build_dir(const char *key, const char *path)
{
    char listing[512], line[4400];
    snprintf(listing, sizeof listing, "%s/dirs/%s", shadow.store, key);
    FILE *in = fopen(listing, "re");
    if (!in)
        return true; /* never fsynced: empty */
    bool ok = true;
    while (ok && fgets(line, sizeof line, in)) {
        char type, child[KEY_MAX], name[4096], target[8300], data[512];
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%c %299s %4095[^\n]", &type, child, name) != 3) {
            ok = false;
            break;
        }
        snprintf(target, sizeof target, "%s/%s", path, name);
        if (type == 'd') {
            ok = mkdir(target, 0755) == 0 && build_dir(child, target);
            continue;
        }
        snprintf(data, sizeof data, "%s/data/%s", shadow.store, child);
        int src = open(data, O_RDONLY | O_CLOEXEC);
        if (src >= 0) {
            ok = copy_fd(src, target);
            close(src);
        } else { /* named durably, never synced */
            int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            ok = fd >= 0;
            if (ok)
                close(fd);
        }
    }
    fclose(in);
    return ok;
}

void shadow_build_image(const char *image)
{
    pthread_mutex_lock(&shadow.lock);
    bool active = shadow.active;
    bool ok = active && mkdir(image, 0755) == 0 && build_dir(shadow.root_key, image);
    pthread_mutex_unlock(&shadow.lock);
    ck_assert_msg(active, "no directory is being recorded");
    ck_assert_msg(ok, "cannot build the crash image %s", image);
}
