"""Writes fuzz seeds made by Twisted's own protocol implementations.

Each protocol is driven over a StringTransport, and the bytes it would have
sent are the seeds: the wire as a real peer writes it. Run by tests/fuzz/capture.ts
(`deno run -A --unstable-net tests/fuzz/capture.ts`), which also captures curl and dig.
Usage: /usr/bin/python3 capture_twisted.py CORPUS_DIR
"""
import os
import sys

from twisted.internet.testing import StringTransport
from twisted.names import dns
from twisted.protocols import amp, basic
from twisted.web import http
from twisted.web.test.requesthelper import DummyChannel

corpus = sys.argv[1]


def save(codec, name, data):
    folder = os.path.join(corpus, codec)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def sent(protocol, send):
    transport = StringTransport()
    protocol.makeConnection(transport)
    send(protocol)
    return transport.value()


def lines(p):
    p.sendLine(b"EHLO client.example.org")
    p.sendLine(b"MAIL FROM:<alice@example.org> SIZE=1024")
    p.sendLine(b"")
    p.sendLine(b"\xc3\xa9t\xc3\xa9 UTF-8")
    p.sendLine(b"QUIT")


save("lines", "twisted_line_receiver", sent(basic.LineReceiver(), lines))


def strings(p):
    for s in [b"hello", b"", b"x" * 300, bytes(range(256))]:
        p.sendString(s)


save("netstrings", "twisted_netstring_receiver", sent(basic.NetstringReceiver(), strings))
for bits, cls in [(8, basic.Int8StringReceiver), (16, basic.Int16StringReceiver), (32, basic.Int32StringReceiver)]:
    def short(p, bits=bits):
        for s in [b"hello", b"", b"y" * (200 if bits == 8 else 1000)]:
            p.sendString(s)
    save(f"int{bits}", f"twisted_int{bits}_string_receiver", sent(cls(), short))


def boxes(p):
    p.sendBox(amp.AmpBox(_command=b"Sum", _ask=b"1", a=b"13", b=b"81"))
    p.sendBox(amp.AmpBox(_answer=b"1", total=b"94"))
    p.sendBox(amp.AmpBox(_error=b"2", _error_code=b"UNKNOWN", _error_description=b"Unknown Error"))
    p.sendBox(amp.AmpBox(_command=b"Store", _ask=b"3", value=b"v" * 4000, empty=b""))


save("amp-boxes", "twisted_amp_boxes", sent(amp.BinaryBoxProtocol(amp.BoxDispatcher(None)), boxes))


query = dns.Message(id=4242, recDes=1)
query.queries = [dns.Query(b"www.example.org", dns.A, dns.IN)]
save("dns-wire", "twisted_query_a", query.toStr())
edns = dns._EDNSMessage(id=7, recDes=True, ednsVersion=0, maxSize=1232, dnssecOK=True,
                        queries=[dns.Query(b"example.org", dns.MX, dns.IN)])
save("dns-wire", "twisted_query_mx_edns", edns.toStr())
response = dns.Message(id=4242, answer=1, auth=1, recDes=1)
response.queries = [dns.Query(b"example.org", dns.ALL_RECORDS, dns.IN)]
response.answers = [
    dns.RRHeader(b"example.org", dns.A, dns.IN, 300, dns.Record_A("192.0.2.1", 300)),
    dns.RRHeader(b"example.org", dns.AAAA, dns.IN, 300, dns.Record_AAAA("2001:db8::1", 300)),
    dns.RRHeader(b"example.org", dns.MX, dns.IN, 300, dns.Record_MX(10, b"mail.example.org", 300)),
    dns.RRHeader(b"example.org", dns.TXT, dns.IN, 300, dns.Record_TXT(b"v=spf1 -all", b"second", ttl=300)),
    dns.RRHeader(b"www.example.org", dns.CNAME, dns.IN, 300, dns.Record_CNAME(b"example.org", 300)),
    dns.RRHeader(b"_sip._tcp.example.org", dns.SRV, dns.IN, 300, dns.Record_SRV(10, 5, 5060, b"sip.example.org", 300)),
]
response.authority = [
    dns.RRHeader(b"example.org", dns.SOA, dns.IN, 300,
                 dns.Record_SOA(b"ns1.example.org", b"hostmaster.example.org", 1, 7200, 900, 1209600, 300)),
    dns.RRHeader(b"example.org", dns.NS, dns.IN, 300, dns.Record_NS(b"ns1.example.org", 300)),
]
save("dns-wire", "twisted_response_any", response.toStr())


def request_bytes(method, uri, headers, body=b""):
    # What twisted.web's HTTP/1.1 client writes for a request.
    from twisted.web._newclient import Request
    from twisted.web.http_headers import Headers
    from twisted.web.client import FileBodyProducer
    from io import BytesIO
    transport = StringTransport()
    producer = FileBodyProducer(BytesIO(body)) if body else None
    req = Request(method, uri, Headers(headers), producer, persistent=True)
    req.writeTo(transport)
    if producer is not None:
        # FileBodyProducer writes through the cooperator; drive it by hand.
        from twisted.internet.task import Cooperator
        producer._cooperate = Cooperator(scheduler=lambda f: f() or type("D", (), {"cancel": lambda s: None})()).cooperate
        producer.startProducing(transport)
    return transport.value()


save("http-request", "twisted_client_get", request_bytes(b"GET", b"/index.html?x=1",
     {b"host": [b"example.org"], b"accept": [b"*/*"]}))


def response_bytes(code, headers, body, chunked):
    channel = DummyChannel()
    request = http.Request(channel, False)
    request.method = b"GET"
    request.clientproto = b"HTTP/1.1"
    request.setResponseCode(code)
    for k, v in headers.items():
        request.setHeader(k, v)
    if not chunked:
        request.setHeader(b"content-length", str(len(body)).encode())
    request.write(body)
    request.write(b"")
    request.finish()
    return channel.transport.written.getvalue()


save("http-response", "twisted_server_fixed", response_bytes(200, {b"content-type": b"text/plain"}, b"hello\n", False))
save("http-response", "twisted_server_chunked", response_bytes(200, {b"content-type": b"text/html"}, b"<p>" + b"z" * 100 + b"</p>", True))
save("http-response", "twisted_server_404", response_bytes(404, {b"content-type": b"text/html"}, b"not found", False))
