/*
 * Two back-to-back UDP datagrams for `npm run bench -- containment`: binds to
 * the given source address, sends datagram A and then datagram B to dst:port,
 * and prints {"t0Ns":…,"gapNs":…} — the wall-clock time just before A and the
 * time between sending A and sending B. If B is dropped by the quarantine set,
 * the kernel had quarantined the source within that gap. Built by the bench
 * with the system's cc; it sends only inside the bench's lab namespaces.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: pair-sender SRC DST PORT\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in from = {.sin_family = AF_INET};
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
  if (fd < 0 || inet_pton(AF_INET, argv[1], &from.sin_addr) != 1 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 ||
      bind(fd, (struct sockaddr *)&from, sizeof from) < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
    perror("pair-sender");
    return 1;
  }
  char a[16] = "picket-bench-A", b[16] = "picket-bench-B";
  long long t0 = now_ns();
  if (send(fd, a, sizeof a, 0) < 0) return perror("send A"), 1;
  long long t1 = now_ns();
  if (send(fd, b, sizeof b, 0) < 0) return perror("send B"), 1;
  printf("{\"t0Ns\":%lld,\"gapNs\":%lld}\n", t0, t1 - t0);
  return 0;
}
