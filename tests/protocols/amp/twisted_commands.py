"""AMP commands shared by the Twisted interop peers (see interop_test.ts)."""
from twisted.protocols import amp


class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Divide(amp.Command):
    arguments = [(b"numerator", amp.Integer()), (b"denominator", amp.Integer())]
    response = [(b"result", amp.Float())]
    errors = {ZeroDivisionError: b"ZERO_DIVISION"}


_ALL = [
    (b"i", amp.Integer()),
    (b"big", amp.Integer()),
    (b"s", amp.String()),
    (b"u", amp.Unicode()),
    (b"yes", amp.Boolean()),
    (b"no", amp.Boolean()),
    (b"x", amp.Float()),
    (b"inf", amp.Float()),
    (b"d", amp.DateTime()),
    (b"dec", amp.Decimal()),
    (b"ints", amp.ListOf(amp.Integer())),
    (b"words", amp.ListOf(amp.Unicode())),
    (b"rows", amp.AmpList([(b"n", amp.Integer()), (b"u", amp.Unicode())])),
    (b"maybe", amp.Unicode(optional=True)),
]


class EchoAll(amp.Command):
    arguments = _ALL
    response = _ALL


class Note(amp.Command):
    arguments = [(b"text", amp.Unicode())]
    requiresAnswer = False


class Notes(amp.Command):
    response = [(b"notes", amp.ListOf(amp.Unicode()))]


class Crash(amp.Command):
    pass


class Missing(amp.Command):
    pass


class AskBack(amp.Command):
    """The server answers by calling Sum on the client that asked."""
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Secure(amp.Command):
    """Answers whether the responder's side of the connection runs TLS now."""
    response = [(b"secure", amp.Boolean())]
