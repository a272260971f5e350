"""Twisted's IRCClient against an IRC server: signs on as "twisty", joins
#interop, says hello there, and exits 0 once someone answers "hello twisty"
(printing GOT and the answer); exits 1 after 10 s.
Usage: twisted_irc_client.py HOST PORT"""
import sys

from twisted.internet import protocol, reactor
from twisted.words.protocols import irc

result = {"code": 1}


class Twisty(irc.IRCClient):
    nickname = "twisty"

    def signedOn(self):
        self.join("#interop")

    def joined(self, channel):
        print("JOINED", channel, flush=True)

    def userJoined(self, user, channel):
        self.msg(channel, "hello from twisted")

    def privmsg(self, user, channel, message):
        if message == "hello twisty":
            print("GOT", user, channel, message, flush=True)
            result["code"] = 0
            self.quit("bye")

    def action(self, user, channel, data):
        print("ACTION", user, data, flush=True)


class Factory(protocol.ClientFactory):
    protocol = Twisty

    def clientConnectionLost(self, connector, reason):
        reactor.stop()

    def clientConnectionFailed(self, connector, reason):
        print("FAILED", reason, flush=True)
        reactor.stop()


reactor.connectTCP(sys.argv[1], int(sys.argv[2]), Factory())
reactor.callLater(10, reactor.stop)
reactor.run()
sys.exit(result["code"])
