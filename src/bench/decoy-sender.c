/*
 * Packets for `npm run bench -- decoys`, with the wall-clock time just before
 * the first one (CLOCK_REALTIME, shared with the bench):
 *   decoy-sender udp SRC DST_A DST_B PORT  — a UDP datagram to DST_A and at once
 *     one to DST_B (both to PORT) from SRC; prints {"t0Ns":…,"gapNs":…}. If B is
 *     dropped by the quarantine set, A quarantined SRC in the kernel within the gap.
 *   decoy-sender arp IFACE SENDER_IP TARGET_IP — one broadcast ARP request
 *     (who-has TARGET tell SENDER) from IFACE's MAC; prints {"t0Ns":…}.
 * Built by the bench with the system's cc; it sends only inside the bench's lab
 * namespaces.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int udp_pair(const char *src, const char *dst_a, const char *dst_b, const char *port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in from = {.sin_family = AF_INET};
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
  struct sockaddr_in b = a;
  if (fd < 0 || inet_pton(AF_INET, src, &from.sin_addr) != 1 || inet_pton(AF_INET, dst_a, &a.sin_addr) != 1 ||
      inet_pton(AF_INET, dst_b, &b.sin_addr) != 1 || bind(fd, (struct sockaddr *)&from, sizeof from) < 0) {
    perror("decoy-sender udp");
    return 1;
  }
  char payload[16] = "picket-bench";
  long long t0 = now_ns();
  if (sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&a, sizeof a) < 0) return perror("send A"), 1;
  long long t1 = now_ns();
  if (sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&b, sizeof b) < 0) return perror("send B"), 1;
  printf("{\"t0Ns\":%lld,\"gapNs\":%lld}\n", t0, t1 - t0);
  return 0;
}

static int arp_request(const char *iface, const char *sender, const char *target) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, iface, IFNAMSIZ - 1);
  if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return perror("decoy-sender arp"), 1;
  unsigned char frame[42];
  memset(frame, 0xff, 6);                          /* Ethernet destination: broadcast */
  memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);    /* source MAC */
  frame[12] = 0x08, frame[13] = 0x06;              /* EtherType ARP */
  unsigned char arp[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet/IPv4, request */
  memcpy(frame + 14, arp, 8);
  memcpy(frame + 22, ifr.ifr_hwaddr.sa_data, 6);   /* sender MAC */
  memset(frame + 32, 0, 6);                        /* target MAC unknown */
  if (inet_pton(AF_INET, sender, frame + 28) != 1 || inet_pton(AF_INET, target, frame + 38) != 1) {
    fprintf(stderr, "decoy-sender arp: bad address\n");
    return 1;
  }
  struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(iface), .sll_halen = 6};
  memset(to.sll_addr, 0xff, 6);
  long long t0 = now_ns();
  if (sendto(fd, frame, sizeof frame, 0, (struct sockaddr *)&to, sizeof to) < 0) return perror("send ARP"), 1;
  printf("{\"t0Ns\":%lld}\n", t0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "udp") == 0) return udp_pair(argv[2], argv[3], argv[4], argv[5]);
  if (argc == 5 && strcmp(argv[1], "arp") == 0) return arp_request(argv[2], argv[3], argv[4]);
  fprintf(stderr, "usage: decoy-sender udp SRC DST_A DST_B PORT | arp IFACE SENDER_IP TARGET_IP\n");
  return 2;
}
