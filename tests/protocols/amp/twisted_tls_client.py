"""A Twisted AMP client that starts TLS with a Spindle server, for interop_test.ts.

Usage: twisted_tls_client.py <port> <pki dir>, the directory of
tests/reactor/_tls.ts (ca.pem). Prints one "ok <check>" line per check that
passed, "FAIL ..." and exits 1 on the first that did not.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from twisted.internet import defer, endpoints, ssl, task
from twisted.internet.interfaces import ISSLTransport
from twisted.protocols import amp

from twisted_commands import Secure, Sum


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}", flush=True)


@defer.inlineCallbacks
def main(reactor, port, pki):
    with open(os.path.join(pki, "ca.pem")) as ca_file:
        ca = ssl.Certificate.loadPEM(ca_file.read())
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    proto = yield endpoints.connectProtocol(endpoint, amp.AMP())

    result = yield proto.callRemote(Sum, a=1, b=2)
    check("sum in the clear", result == {"total": 3}, result)
    result = yield proto.callRemote(Secure)
    check("the server is not TLS before StartTLS", result == {"secure": False}, result)

    yield proto.callRemote(amp.StartTLS, tls_verifyAuthorities=[ca])
    check("StartTLS", ISSLTransport.providedBy(proto.transport))

    result = yield proto.callRemote(Secure)
    check("the server is TLS after StartTLS", result == {"secure": True}, result)
    result = yield proto.callRemote(Sum, a=20, b=22)
    check("sum over TLS", result == {"total": 42}, result)
    check("the server's certificate", proto.transport.getPeerCertificate() is not None)
    proto.transport.loseConnection()


def run(reactor):
    d = main(reactor, int(sys.argv[1]), sys.argv[2])

    def failed(failure):
        print(f"FAIL {failure.getErrorMessage()}", flush=True)
        return failure

    return d.addErrback(failed)


task.react(run)
