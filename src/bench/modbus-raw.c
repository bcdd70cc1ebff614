/* Paced Modbus/TCP segments for `npm run bench -- protocol`: FLOWS flows from
 * 10.99.0.1 to DST:502, each a SYN then one 12-byte read-holding-registers ADU
 * per segment with consecutive sequence numbers, sent on a raw socket with
 * sendmmsg at RATE packets/s for SECONDS. No TCP stack on either end: the
 * packets exist to be queued, judged and re-injected (into a dummy device).
 * Prints the number of packets sent.
 * Usage: modbus-raw DST RATE SECONDS FLOWS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define LEN 52

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void packet(unsigned char *p, int flow, unsigned seq, int syn) {
  memset(p, 0, LEN);
  int len = syn ? 40 : LEN;
  p[0] = 0x45; p[2] = len >> 8; p[3] = len & 255; p[8] = 64; p[9] = 6;
  p[12] = 10; p[13] = 99; p[14] = 0; p[15] = 1;
  inet_pton(AF_INET, getenv("PK_DST"), p + 16);
  unsigned short sport = 40000 + flow;
  p[20] = sport >> 8; p[21] = sport & 255; p[22] = 502 >> 8; p[23] = 502 & 255;
  p[24] = seq >> 24; p[25] = seq >> 16; p[26] = seq >> 8; p[27] = seq;
  p[32] = 0x50; p[33] = syn ? 0x02 : 0x18; p[34] = 0xff; p[35] = 0xff;
  unsigned char adu[12] = {0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10};
  if (!syn) memcpy(p + 40, adu, 12);
}

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  setenv("PK_DST", argv[1], 1);
  double rate = atof(argv[2]), seconds = atof(argv[3]);
  int flows = atoi(argv[4]);
  if (flows < 1 || flows > 1000) return 2;
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd < 0) { perror("socket"); return 1; }
  struct sockaddr_in dst = {.sin_family = AF_INET};
  inet_pton(AF_INET, argv[1], &dst.sin_addr);
  unsigned *seq = calloc(flows, sizeof *seq);
  static unsigned char bufs[BATCH][LEN];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  long sent = 0;
  for (int f = 0; f < flows; f++) {
    seq[f] = 1000u * (f + 1);
    packet(bufs[0], f, seq[f], 1);
    seq[f]++;
    sendto(fd, bufs[0], 40, 0, (struct sockaddr *)&dst, sizeof dst);
    sent++;
  }
  double t0 = now();
  int flow = 0;
  for (;;) {
    double elapsed = now() - t0;
    if (elapsed >= seconds) break;
    if (sent - flows > rate * elapsed) { usleep(50); continue; }
    for (int i = 0; i < BATCH; i++) {
      packet(bufs[i], flow, seq[flow], 0);
      seq[flow] += 12;
      flow = (flow + 1) % flows;
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = LEN;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &dst;
      msgs[i].msg_hdr.msg_namelen = sizeof dst;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n > 0) sent += n;
  }
  printf("%ld\n", sent);
  return 0;
}
