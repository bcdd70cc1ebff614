/*
 * A bounded UDP burst for `npm run bench -- intake`: sends N 18-byte
 * datagrams to 127.0.0.1:9 with sendmmsg (256 per call), as fast as the
 * kernel takes them, and prints {"sent":N,"seconds":S}. Built by the bench
 * with the system's cc; it sends only to loopback in the bench's namespace.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 256

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
    perror("udp-burst: socket");
    return 1;
  }
  char payload[18] = {0};
  struct iovec iov = {payload, sizeof payload};
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long sent = 0;
  while (sent < n) {
    int k = n - sent < BATCH ? (int)(n - sent) : BATCH;
    int r = sendmmsg(fd, msgs, k, 0);
    if (r < 0) {
      perror("udp-burst: sendmmsg");
      return 1;
    }
    sent += r;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("{\"sent\":%ld,\"seconds\":%.6f}\n", sent, seconds);
  return 0;
}
