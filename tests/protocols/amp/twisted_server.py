"""A Twisted AMP server for interop_test.ts.

Listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:<port>", serves one
connection and exits when it closes (or after 30 seconds).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from twisted.internet import protocol, reactor
from twisted.python import log
from twisted.protocols import amp

from twisted_commands import AskBack, Crash, Divide, EchoAll, Note, Notes, Sum


class Server(amp.AMP):
    def __init__(self):
        super().__init__()
        self.notes = []

    @Sum.responder
    def sum(self, a, b):
        return {"total": a + b}

    @Divide.responder
    def divide(self, numerator, denominator):
        return {"result": numerator / denominator}

    @EchoAll.responder
    def echo_all(self, **kw):
        return kw

    @Note.responder
    def note(self, text):
        self.notes.append(text)
        return {}

    @Notes.responder
    def get_notes(self):
        return {"notes": self.notes}

    @AskBack.responder
    def ask_back(self, a, b):
        return self.callRemote(Sum, a=a, b=b)

    @Crash.responder
    def crash(self):
        raise RuntimeError("the server crashed on purpose")

    def connectionLost(self, reason):
        super().connectionLost(reason)
        if reactor.running:
            reactor.stop()


log.startLogging(sys.stderr, setStdout=False)
factory = protocol.Factory.forProtocol(Server)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print(f"listening on 127.0.0.1:{port.getHost().port}", flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
