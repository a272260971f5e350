"""A Twisted AMP client for interop_test.ts: calls a Spindle AMP server.

Usage: twisted_client.py <port>. Prints one "ok <check>" line per check that
passed, "FAIL ..." and exits 1 on the first that did not.
"""
import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from twisted.internet import defer, endpoints, reactor, task
from twisted.protocols import amp

from twisted_commands import Crash, Divide, EchoAll, Missing, Note, Notes, Sum


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}", flush=True)


@defer.inlineCallbacks
def main(reactor, port):
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    proto = yield endpoints.connectProtocol(endpoint, amp.AMP())

    result = yield proto.callRemote(Sum, a=13, b=81)
    check("sum", result == {"total": 94}, result)

    values = {
        "i": -12345,
        "big": 2**70,
        "s": bytes(range(256)),
        "u": "snow \u2603 and \U0001F600",
        "yes": True,
        "no": False,
        "x": 0.1,
        "inf": float("-inf"),
        "d": datetime.datetime(2012, 1, 23, 12, 34, 56, 54000, tzinfo=datetime.timezone.utc),
        "dec": decimal.Decimal("-1.10E+5"),
        "ints": [1, -2, 3],
        "words": ["a", "", "\u00e9"],
        "rows": [{"n": 1, "u": "one"}, {"n": 2, "u": "two"}],
    }
    result = yield proto.callRemote(EchoAll, **values)
    values["maybe"] = None
    check("every argument type", result == values, result)

    try:
        yield proto.callRemote(Divide, numerator=1, denominator=0)
        check("declared remote error", False, "no error")
    except ZeroDivisionError as error:
        check("declared remote error", "zero" in str(error), str(error))

    result = yield proto.callRemote(Divide, numerator=7, denominator=2)
    check("float response", result == {"result": 3.5}, result)

    try:
        yield proto.callRemote(Missing)
        check("unhandled command", False, "no error")
    except amp.UnhandledCommand as error:
        check("unhandled command", True)

    proto.callRemote(Note, text="first")
    proto.callRemote(Note, text="second")
    result = yield proto.callRemote(Notes)
    check("requiresAnswer False", result == {"notes": ["first", "second"]}, result)

    try:
        yield proto.callRemote(Crash)
        check("undeclared remote error", False, "no error")
    except amp.UnknownRemoteError as error:
        check("undeclared remote error", True)
    proto.transport.loseConnection()


def run(reactor):
    d = main(reactor, int(sys.argv[1]))

    def failed(failure):
        print(f"FAIL {failure.getErrorMessage()}", flush=True)
        return failure

    return d.addErrback(failed)


task.react(run)
