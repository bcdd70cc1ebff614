/* Load for `npm run bench -- decoy-server`: Modbus/TCP clients against one
 * address. Mode "reads": CONNS connections, each with one read-holding-
 * registers request (10 registers) outstanding at a time, for SECONDS; prints
 * the number of complete replies. Mode "scan": like nmap's modbus-discover, a
 * new connection per Report Server ID (FC17) request, one at a time, closed
 * with a reset, for SECONDS; prints the number of answered connections.
 * Usage: decoy-client IP PORT MODE SECONDS CONNS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int dial(const struct sockaddr_in *to) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads one MBAP-framed reply; returns 0 on success. */
static int read_reply(int fd) {
  unsigned char buf[300];
  size_t got = 0, want = 7;
  while (got < want) {
    ssize_t n = read(fd, buf + got, sizeof buf - got);
    if (n <= 0) return -1;
    got += (size_t)n;
    if (got >= 6) want = 6 + ((size_t)buf[4] << 8 | buf[5]);
  }
  return 0;
}

static long reads(const struct sockaddr_in *to, double seconds, int conns) {
  static const unsigned char fc3[12] = {0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10};
  struct pollfd fds[MAX_CONNS];
  for (int i = 0; i < conns; i++) {
    fds[i].fd = dial(to);
    fds[i].events = POLLIN;
    if (fds[i].fd < 0 || write(fds[i].fd, fc3, sizeof fc3) != sizeof fc3) return -1;
  }
  long replies = 0;
  double end = now() + seconds;
  while (now() < end) {
    if (poll(fds, conns, 100) < 0) return -1;
    for (int i = 0; i < conns; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (read_reply(fds[i].fd) != 0) return -1;
      replies++;
      if (write(fds[i].fd, fc3, sizeof fc3) != sizeof fc3) return -1;
    }
  }
  for (int i = 0; i < conns; i++) close(fds[i].fd);
  return replies;
}

static long scan(const struct sockaddr_in *to, double seconds) {
  static const unsigned char fc17[8] = {0, 0, 0, 0, 0, 2, 1, 0x11};
  long answered = 0;
  double end = now() + seconds;
  while (now() < end) {
    int fd = dial(to);
    if (fd < 0) {
      if (errno == EADDRNOTAVAIL) continue; /* ephemeral ports in TIME_WAIT: try again */
      return -1;
    }
    if (write(fd, fc17, sizeof fc17) == sizeof fc17 && read_reply(fd) == 0) answered++;
    /* Close with a reset, as a scanner does: no TIME_WAIT, so the ephemeral ports last the run. */
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
  }
  return answered;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: decoy-client IP PORT reads|scan SECONDS CONNS\n");
    return 2;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
  double seconds = atof(argv[4]);
  int conns = atoi(argv[5]);
  if (conns < 1 || conns > MAX_CONNS) return 2;
  long n = strcmp(argv[3], "scan") == 0 ? scan(&to, seconds) : reads(&to, seconds, conns);
  if (n < 0) {
    perror("decoy-client");
    return 1;
  }
  printf("%ld\n", n);
  return 0;
}
