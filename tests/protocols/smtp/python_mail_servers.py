"""SMTP servers of the interop tests and the benchmark, each delivering every
message it accepts to a maildir (tmp/, then rename into new/).

  python3 python_mail_servers.py aiosmtpd|twisted MAILDIR [CERT KEY]

Listens on 127.0.0.1 port 0 and prints "PORT <n>"; with CERT and KEY it
offers STARTTLS (aiosmtpd). Runs until killed, or stdin closes. With
SPINDLE_BENCH_FSYNC=1 in the environment, each message is flushed to disk
before it is renamed into new/ (as Spindle's delivery does by default).
"""
import os
import socket
import sys
import threading
import time

KIND, MAILDIR = sys.argv[1], sys.argv[2]
CERT = sys.argv[3] if len(sys.argv) > 4 else None
KEY = sys.argv[4] if len(sys.argv) > 4 else None
for sub in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(MAILDIR, sub), exist_ok=True)
COUNTER = [0]
FSYNC = os.environ.get("SPINDLE_BENCH_FSYNC") == "1"


def deliver(data: bytes) -> None:
    COUNTER[0] += 1
    name = "%d.P%dQ%d.%s" % (time.time(), os.getpid(), COUNTER[0], socket.gethostname())
    tmp = os.path.join(MAILDIR, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
        if FSYNC:
            f.flush()
            os.fsync(f.fileno())
    os.rename(tmp, os.path.join(MAILDIR, "new", name))


def exit_when_stdin_closes() -> None:
    def watch():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def run_aiosmtpd() -> None:
    import asyncio
    import ssl

    from aiosmtpd.smtp import SMTP

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            deliver(envelope.original_content or envelope.content)
            return "250 2.0.0 Message accepted for delivery"

    context = None
    if CERT is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(CERT, KEY)

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), enable_SMTPUTF8=True, tls_context=context,
                         decode_data=False),
            "127.0.0.1", 0)
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def run_twisted() -> None:
    from twisted.internet import defer, reactor
    from twisted.mail import smtp
    from zope.interface import implementer

    @implementer(smtp.IMessage)
    class Message:
        def __init__(self):
            self.lines = []

        def lineReceived(self, line):
            self.lines.append(line)

        def eomReceived(self):
            deliver(b"\r\n".join(self.lines) + b"\r\n")
            return defer.succeed(None)

        def connectionLost(self):
            self.lines = []

    @implementer(smtp.IMessageDelivery)
    class Delivery:
        def receivedHeader(self, helo, origin, recipients):
            return None

        def validateFrom(self, helo, origin):
            return origin

        def validateTo(self, user):
            return Message

    class Factory(smtp.SMTPFactory):
        protocol = smtp.ESMTP

        def buildProtocol(self, addr):
            p = smtp.SMTPFactory.buildProtocol(self, addr)
            p.delivery = Delivery()
            return p

    port = reactor.listenTCP(0, Factory(), interface="127.0.0.1")
    print("PORT %d" % port.getHost().port, flush=True)
    reactor.run()


exit_when_stdin_closes()
run_aiosmtpd() if KIND == "aiosmtpd" else run_twisted()
