#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The owner's web server for t-exec.sh: serves ROOT/S/o/N as
/fcfetch/S/o/N on 127.0.0.1 (a free port, written to --port-file once
bound), one thread per connection, and logs "CLIENT PATH STATUS" per
request to --log.  For the failure cases: --delay-site S SECONDS answers
site S's requests that much later; --short-site S announces the whole
length of site S's files but sends half and closes; --stall-port-file F
writes the port of a second socket that accepts connections into its
backlog and never answers; --closed-port-file F writes a port that was
free a moment ago and is listened on by no one."""

import argparse
import http.server
import os
import re
import socket
import sys
import threading
import time

PATH = re.compile(r"^/fcfetch/([0-9]+)/o/([0-9]+)$")


def write_atomic(path, text):
    with open(path + ".new", "w") as f:
        f.write(text)
    os.rename(path + ".new", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--delay-site", nargs=2, action="append", default=[])
    ap.add_argument("--short-site", type=int, action="append", default=[])
    ap.add_argument("--stall-port-file")
    ap.add_argument("--closed-port-file")
    a = ap.parse_args()
    delays = {int(s): float(t) for s, t in a.delay_site}
    log_lock = threading.Lock()
    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def note(self, status):
            with log_lock:
                log.write("%s %s %d\n" % (self.client_address[0], self.path, status))

        def do_GET(self):
            m = PATH.match(self.path)
            data = None
            if m:
                site = int(m.group(1))
                time.sleep(delays.get(site, 0))
                try:
                    with open(os.path.join(a.root, m.group(1), "o", m.group(2)), "rb") as f:
                        data = f.read()
                except OSError:
                    pass
            if data is None:
                self.note(404)
                body = b"not found\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.note(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if int(m.group(1)) in a.short_site:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    keep = []
    if a.stall_port_file:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        keep.append(s)
        write_atomic(a.stall_port_file, "%d\n" % s.getsockname()[1])
    if a.closed_port_file:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        write_atomic(a.closed_port_file, "%d\n" % port)
    write_atomic(a.port_file, "%d\n" % srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
