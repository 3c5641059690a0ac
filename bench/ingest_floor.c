/* The receive-and-write floor: see ingest_floor.h. */
#include "ingest_floor.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (1u << 20)

static double thread_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void send_all(const struct sockaddr_in *to, double bytes)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    char *buf = malloc(CHUNK);
    if (s < 0 || !buf || connect(s, (const struct sockaddr *)to, sizeof *to) != 0)
        _exit(1);
    memset(buf, 'x', CHUNK);
    for (double sent = 0; sent < bytes;) {
        size_t want = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
        ssize_t n = send(s, buf, want, MSG_NOSIGNAL);
        if (n <= 0)
            _exit(1);
        sent += (double)n;
    }
    _exit(0);
}

/* Receives everything the peer sends into fd; the bytes written. */
static double receive_into(int conn, int fd)
{
    char *buf = malloc(CHUNK);
    double got = 0;
    ssize_t n;
    while (buf && (n = recv(conn, buf, CHUNK, MSG_WAITALL)) > 0) {
        if (write(fd, buf, (size_t)n) != n)
            break;
        got += (double)n;
    }
    free(buf);
    return got;
}

double ingest_floor_cpu(const char *dir, double bytes)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) != 0) {
        if (l >= 0)
            close(l);
        return -1;
    }
    pid_t child = fork();
    if (child == 0)
        send_all(&sa, bytes);
    char path[512];
    snprintf(path, sizeof path, "%s/ingest-floor.tmp", dir);
    int conn = child > 0 ? accept(l, NULL, NULL) : -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    double cpu0 = thread_cpu();
    double got = conn >= 0 && fd >= 0 ? receive_into(conn, fd) : 0;
    double cpu = thread_cpu() - cpu0;
    int status = 1;
    if (child > 0)
        waitpid(child, &status, 0);
    if (conn >= 0)
        close(conn);
    if (fd >= 0)
        close(fd);
    unlink(path);
    close(l);
    return got >= bytes && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? cpu : -1;
}
