"""Two plain-socket IRC clients talking through a server, as the interop
test of the Spindle server runs them: both register and join #interop, the
first says hello, the second answers; prints one JSON line of what each saw.
Usage: python_socket_clients.py HOST PORT"""
import json
import socket
import sys
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
DEADLINE = time.monotonic() + 10


class Client:
    def __init__(self, nick):
        self.nick = nick
        self.sock = socket.create_connection((HOST, PORT), timeout=10)
        self.buffer = b""
        self.seen = []
        self.send(f"NICK {nick}", f"USER {nick} 0 * :Python {nick}")

    def send(self, *lines):
        self.sock.sendall("".join(f"{line}\r\n" for line in lines).encode())

    def until(self, command, text=None):
        while time.monotonic() < DEADLINE:
            while b"\r\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\r\n", 1)
                words = line.decode().split(" ")
                if words[0].startswith("@"):
                    words = words[1:]
                if words[0] == "PING":
                    self.send("PONG " + words[1])
                    continue
                cmd = words[1] if words[0].startswith(":") else words[0]
                self.seen.append(cmd)
                if cmd == command and (text is None or text in line.decode()):
                    return line.decode()
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SystemExit(f"{self.nick}: connection closed before {command}")
            self.buffer += chunk
        raise SystemExit(f"{self.nick}: no {command} within 10 s")


a, b = Client("pyalice"), Client("pybob")
for client in (a, b):
    client.until("001")
    client.send("JOIN #interop")
    client.until("366")
a.until("JOIN", "pybob")
a.send("PRIVMSG #interop :hello from pyalice")
heard = b.until("PRIVMSG", "hello from pyalice")
b.send("PRIVMSG #interop :hi pyalice")
answer = a.until("PRIVMSG", "hi pyalice")
for client in (a, b):
    client.send("QUIT :done")
    client.until("ERROR")
print(json.dumps({"heard": heard, "answer": answer, "alice": a.seen, "bob": b.seen}))
