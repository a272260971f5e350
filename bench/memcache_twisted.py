# Twisted's memcache client for bench/memcache_bench.ts: pipelined batches
# of single-key gets for a fixed time; prints gets per second.
import sys, time
from twisted.internet import reactor, protocol, defer
from twisted.protocols.memcache import MemCacheProtocol

port, batch, seconds, keys = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])


@defer.inlineCallbacks
def run():
    client = yield protocol.ClientCreator(reactor, MemCacheProtocol).connectTCP("127.0.0.1", port)
    names = [b"k%d" % (i % keys) for i in range(batch)]
    yield defer.gatherResults([client.get(n) for n in names])  # warm-up
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        yield defer.gatherResults([client.get(n) for n in names])
        count += batch
    print(count / (time.perf_counter() - start), flush=True)
    client.transport.loseConnection()
    reactor.stop()


reactor.callWhenRunning(run)
reactor.run()
