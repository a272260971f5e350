/*
 * SMTP load generator for bench/smtp_bench.ts.
 *
 * Opens CONNS connections to 127.0.0.1:PORT; each one reads the greeting,
 * says EHLO, then sends MAIL, RCPT, DATA and the message in BODYFILE (which
 * ends with CRLF.CRLF) one step at a time, waiting for each reply (no
 * pipelining: aiosmtpd and Twisted do not offer it), until COUNT messages
 * are accepted or MS milliseconds pass. Prints one JSON line:
 * {"messages": <accepted>, "seconds": <elapsed>, "errors": <count>}.
 *
 * Single-threaded epoll: a C client, so that the load generator is never the
 * bottleneck of the servers it measures (a Deno driver spent about 150 us of
 * CPU per message, as much as the servers it drove).
 *
 * Usage: smtp_load PORT CONNS COUNT MS BODYFILE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum step { GREETING, EHLO, MAIL, RCPT, DATA, BODY, DONE };

struct conn {
  int fd;
  enum step step;
  char buf[8192];
  size_t len;
};

static const char *body;
static size_t body_len;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n <= 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Sends what the step after a reply asks for. */
static int send_step(struct conn *c) {
  switch (c->step) {
  case EHLO: return send_all(c->fd, "EHLO bench.test\r\n", 17);
  case MAIL: return send_all(c->fd, "MAIL FROM:<bench@example.org>\r\n", 31);
  case RCPT: return send_all(c->fd, "RCPT TO:<alice@example.test>\r\n", 30);
  case DATA: return send_all(c->fd, "DATA\r\n", 6);
  case BODY: return send_all(c->fd, body, body_len);
  default: return 0;
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: smtp_load PORT CONNS COUNT MS BODYFILE\n");
    return 2;
  }
  int port = atoi(argv[1]), conns = atoi(argv[2]);
  long count = atol(argv[3]);
  double ms = atof(argv[4]);
  FILE *f = fopen(argv[5], "rb");
  if (f == NULL) return 2;
  static char file[1 << 20];
  body_len = fread(file, 1, sizeof file, f);
  fclose(f);
  body = file;

  int ep = epoll_create1(0);
  struct conn *cs = calloc((size_t)conns, sizeof *cs);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < conns; i++) {
    cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(cs[i].fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
      perror("connect");
      return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }

  long accepted = 0, started = 0, errors = 0;
  int open = conns;
  double start = now(), deadline = start + ms / 1000;
  struct epoll_event events[64];
  while (open > 0) {
    int n = epoll_wait(ep, events, 64, 1000);
    if (n <= 0 && now() > deadline + 5) break;
    for (int e = 0; e < n; e++) {
      struct conn *c = events[e].data.ptr;
      ssize_t got = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
      if (got <= 0) {
        errors++;
        c->step = DONE;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        open--;
        continue;
      }
      c->len += (size_t)got;
      /* Each whole reply (its last line is "ddd text") moves one step. */
      for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n", 2);
        if (end == NULL) break;
        size_t line = (size_t)(end - c->buf) + 2;
        int last = line >= 6 && c->buf[3] == ' ';
        int code = atoi(c->buf);
        memmove(c->buf, c->buf + line, c->len - line);
        c->len -= line;
        if (!last) continue;
        int expect = c->step == GREETING ? 220 : c->step == DATA ? 354 : 250;
        if (code != expect) errors++;
        if (c->step == BODY) accepted++;
        c->step = c->step == BODY ? MAIL : c->step + 1;
        if (c->step == MAIL) {
          if (started >= count || now() > deadline) {
            send_all(c->fd, "QUIT\r\n", 6);
            c->step = DONE;
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            open--;
            break;
          }
          started++;
        }
        if (send_step(c) != 0) errors++;
      }
    }
  }
  printf("{\"messages\": %ld, \"seconds\": %.6f, \"errors\": %ld}\n", accepted,
         now() - start, errors);
  return 0;
}
