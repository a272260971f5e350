"""A Twisted AMP server that answers StartTLS, for interop_test.ts.

Usage: twisted_tls_server.py <pki dir>, the directory of tests/reactor/_tls.ts
(localhost.pem, localhost.key). Listens on 127.0.0.1 port 0, prints
"listening on 127.0.0.1:<port>", serves one connection and exits when it
closes (or after 30 seconds).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from twisted.internet import protocol, reactor, ssl
from twisted.internet.interfaces import ISSLTransport
from twisted.python import log
from twisted.protocols import amp

from twisted_commands import Secure, Sum

pki = sys.argv[1]
with open(os.path.join(pki, "localhost.pem")) as cert, open(
    os.path.join(pki, "localhost.key")
) as key:
    certificate = ssl.PrivateCertificate.loadPEM(cert.read() + key.read())


class Server(amp.AMP):
    @amp.StartTLS.responder
    def start_tls(self):
        return {"tls_localCertificate": certificate}

    @Sum.responder
    def sum(self, a, b):
        return {"total": a + b}

    @Secure.responder
    def secure(self):
        return {"secure": ISSLTransport.providedBy(self.transport)}

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
