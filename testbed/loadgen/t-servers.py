# SPDX-License-Identifier: GPL-3.0-or-later
"""Servers for t-loadgen.sh, on loopback only: a DNS responder and HTTP
servers, started in one process.

    python3 t-servers.py DIR SWITCH_AT

DNS (UDP, 127.0.0.1, a free port) answers A queries from a fixed zone:
  www.lg.test    127.0.0.1, TTL 60
  s2.lg.test     127.0.0.2, TTL 60
  multi.lg.test  127.0.0.3 then 127.0.0.1 (nothing listens on .3), TTL 60
  flip.lg.test   127.0.0.1 before SWITCH_AT (a CLOCK_REALTIME instant in
                 seconds), 127.0.0.2 from then on, TTL 1
other names get NXDOMAIN; every query is logged to DIR/dns.log as
"time name".  HTTP/1.1 servers listen on 127.0.0.1:P1, 127.0.0.2:P1 and
127.0.0.2:P2 (free ports) and answer:
  /o/N[?...]     N bytes
  /r/REST        302 to http://s2.lg.test:P2/REST?tok=abc (a name, another port)
  /ri/REST       302 to http://127.0.0.2:P2/REST (an IPv4 literal)
  /rel/REST      302 to /REST (relative)
  /loop          302 to /loop
  /slow/MS       N bytes after MS milliseconds
Ports go to DIR/ports ("dns P1 P2") once everything listens; the process
runs until killed.
"""
import http.server
import os
import socket
import socketserver
import struct
import sys
import threading
import time

DIR, SWITCH_AT = sys.argv[1], float(sys.argv[2])
P2 = 0


def answer_for(name):
    if name == "www.lg.test":
        return ["127.0.0.1"], 60
    if name == "s2.lg.test":
        return ["127.0.0.2"], 60
    if name == "multi.lg.test":
        return ["127.0.0.3", "127.0.0.1"], 60
    if name == "flip.lg.test":
        return (["127.0.0.1"] if time.time() < SWITCH_AT else ["127.0.0.2"]), 1
    return None, 0


def dns_serve(sock, log):
    while True:
        data, peer = sock.recvfrom(512)
        if len(data) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", data[:6])
        pos, labels = 12, []
        while pos < len(data) and data[pos]:
            n = data[pos]
            labels.append(data[pos + 1:pos + 1 + n].decode("ascii").lower())
            pos += 1 + n
        pos += 1
        qtype = struct.unpack("!H", data[pos:pos + 2])[0]
        question = data[12:pos + 4]
        name = ".".join(labels)
        log.write("%.6f %s\n" % (time.time(), name))
        log.flush()
        addrs, ttl = answer_for(name)
        rcode = 3 if addrs is None else 0
        answers = b""
        if addrs and qtype == 1:
            for a in addrs:
                answers += struct.pack("!HHHIH", 0xC00C, 1, 1, ttl, 4) + socket.inet_aton(a)
        count = len(addrs) if addrs and qtype == 1 else 0
        head = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1, count, 0, 0)
        sock.sendto(head + question + answers, peer)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle
        # and delayed ACKs hold a reused connection's reply for 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its patience ran out).
            self.close_connection = True

    def send_body(self, n):
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(b"x" * n)

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/o/"):
            self.send_body(int(path[3:]))
        elif path.startswith("/r/"):
            self.redirect("http://s2.lg.test:%d/%s?tok=abc" % (P2, path[3:]))
        elif path.startswith("/ri/"):
            self.redirect("http://127.0.0.2:%d/%s" % (P2, path[4:]))
        elif path.startswith("/rel/"):
            self.redirect(path[4:])
        elif path == "/loop":
            self.redirect("/loop")
        elif path.startswith("/slow/"):
            time.sleep(int(path[6:]) / 1000)
            self.send_body(100)
        else:
            self.send_error(404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128


def serve(addr, port):
    s = Server((addr, port), Handler)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s.server_address[1]


def main():
    global P2
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    log = open(os.path.join(DIR, "dns.log"), "w")
    threading.Thread(target=dns_serve, args=(dns, log), daemon=True).start()
    p1 = serve("127.0.0.1", 0)
    serve("127.0.0.2", p1)
    P2 = serve("127.0.0.2", 0)
    with open(os.path.join(DIR, "ports.new"), "w") as f:
        f.write("%d %d %d\n" % (dns.getsockname()[1], p1, P2))
    os.rename(os.path.join(DIR, "ports.new"), os.path.join(DIR, "ports"))
    while True:
        time.sleep(3600)


main()
