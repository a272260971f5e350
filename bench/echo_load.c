/*
 * Loopback echo load generator for bench/tcp_echo_bench.ts.
 *
 * Opens CONNS connections to 127.0.0.1:PORT; each one sends a SIZE-byte
 * message, waits for all SIZE bytes to come back, and repeats, for MS
 * milliseconds after a short warm-up. Prints one JSON line:
 * {"trips": <round trips>, "seconds": <measured time>, "errors": <count>,
 *  "all_trips": <round trips including the warm-up>}.
 *
 * Single-threaded epoll: a C client so that the load generator is never the
 * bottleneck of the servers it measures.
 *
 * Usage: echo_load PORT CONNS SIZE MS [WARMUP_MS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

struct conn {
  int fd;
  size_t sent;
  size_t received;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s PORT CONNS SIZE MS [WARMUP_MS]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int nconns = atoi(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  double duration = atof(argv[4]);
  double warmup = argc > 5 ? atof(argv[5]) : 300;
  char *out = malloc(size);
  char *in = malloc(size);
  memset(out, 'x', size);
  struct conn *conns = calloc(nconns, sizeof(struct conn));
  int ep = epoll_create1(0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < nconns; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
      perror("connect");
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &conns[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  long trips = 0, errors = 0, all_trips = 0;
  double start = now_ms();
  double measure_from = start + warmup;
  double end = measure_from + duration;
  int measuring = 0;
  struct epoll_event events[256];
  while (1) {
    double t = now_ms();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      trips = 0;
      measure_from = t;
    }
    if (t >= end) break;
    int n = epoll_wait(ep, events, 256, 100);
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        errors++;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        continue;
      }
      if (c->sent < size && (events[i].events & EPOLLOUT)) {
        ssize_t w = write(c->fd, out + c->sent, size - c->sent);
        if (w > 0) c->sent += w;
        else if (w < 0 && errno != EAGAIN) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); continue; }
      }
      if (events[i].events & EPOLLIN) {
        while (1) {
          ssize_t r = read(c->fd, in, size - c->received);
          if (r > 0) {
            c->received += r;
            if (c->received == size) {
              trips++;
              all_trips++;
              c->received = 0;
              c->sent = 0;
              ssize_t w = write(c->fd, out, size);
              if (w > 0) c->sent = w;
            }
          } else {
            if (r == 0 || errno != EAGAIN) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); }
            break;
          }
        }
      }
      /* Only ask for EPOLLOUT while part of a message is left to send. */
      struct epoll_event ev = {.events = EPOLLIN | (c->sent < size ? EPOLLOUT : 0), .data.ptr = c};
      epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
  }
  double seconds = (now_ms() - measure_from) / 1000.0;
  for (int i = 0; i < nconns; i++) close(conns[i].fd);
  printf("{\"trips\": %ld, \"seconds\": %.3f, \"errors\": %ld, \"all_trips\": %ld}\n", trips, seconds, errors, all_trips);
  return 0;
}
