# SPDX-License-Identifier: GPL-3.0-or-later
"""Small network probes for t-netns.sh, run inside the testbed's namespaces
(ping and nc are not always installed; python3 is).

  probe.py udp-echo PORT READY           echo UDP datagrams; READY is written once bound
  probe.py rtt HOST PORT COUNT           COUNT UDP round trips, one at a time;
                                         prints "min median max mdev lost" in ms
  probe.py sink PORT READY               accept one TCP connection, read it to EOF;
                                         prints "bytes seconds" (first to last byte)
  probe.py source HOST PORT BYTES        send BYTES over TCP
  probe.py udp-flood HOST PORT COUNT     send COUNT small datagrams, paced at 20000/s
  probe.py udp-count PORT READY IDLE     count datagrams until IDLE seconds pass
                                         without one after the first (30 s
                                         before it); prints the count
  probe.py unreachable HOST PORT         exit 0 when a TCP connection to HOST:PORT
                                         fails within 3 s, 1 when it is made

Exit status 2 on bad arguments.
"""

import socket
import statistics
import sys
import time


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


def udp_echo(port, ready_path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    ready(ready_path)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def rtt(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    times = []
    lost = 0
    for i in range(int(count)):
        msg = b"probe %d" % i
        t0 = time.monotonic()
        s.sendto(msg, (host, int(port)))
        try:
            while True:
                data, _ = s.recvfrom(2048)
                if data == msg:
                    break
            times.append((time.monotonic() - t0) * 1000.0)
        except socket.timeout:
            lost += 1
        time.sleep(0.01)
    if not times:
        print("nan nan nan nan %d" % lost)
        return 1
    mdev = statistics.pstdev(times)
    print("%.3f %.3f %.3f %.3f %d" % (min(times), statistics.median(times), max(times),
                                       mdev, lost))
    return 0


def sink(port, ready_path):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(1)
    ready(ready_path)
    c, _ = ls.accept()
    total = 0
    first = last = None
    while True:
        data = c.recv(65536)
        if not data:
            break
        last = time.monotonic()
        if first is None:
            first = last
        total += len(data)
    print("%d %.6f" % (total, (last - first) if first is not None else 0.0))
    return 0


def source(host, port, nbytes):
    s = socket.create_connection((host, int(port)), timeout=30)
    chunk = b"x" * 65536
    left = int(nbytes)
    while left > 0:
        n = min(left, len(chunk))
        s.sendall(chunk[:n])
        left -= n
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # wait for the sink to close: every byte has arrived
    s.close()
    return 0


def udp_flood(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t0 = time.monotonic()
    for i in range(int(count)):
        s.sendto(b"f" * 32, (host, int(port)))
        # Paced at 20000 packets per second.
        ahead = t0 + (i + 1) / 20000.0 - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    return 0


SO_RCVBUFFORCE = 33


def udp_count(port, ready_path, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Room for a whole flood even when this process is starved of CPU on a
    # busy machine: SO_RCVBUF is capped by net.core.rmem_max (about 600
    # small datagrams by default); root may force more.
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", int(port)))
    # The first datagram may take a while: starting the sender (a Python
    # under ip netns exec) took over a second on a slow machine.  IDLE
    # counts from the first datagram on.
    s.settimeout(30.0)
    ready(ready_path)
    n = 0
    try:
        while True:
            s.recv(2048)
            n += 1
            s.settimeout(float(idle))
    except socket.timeout:
        pass
    print(n)
    return 0


def unreachable(host, port):
    try:
        s = socket.create_connection((host, int(port)), timeout=3)
    except OSError as e:
        print("unreachable: %s" % e)
        return 0
    s.close()
    print("connected to %s:%s" % (host, port))
    return 1


COMMANDS = {
    "udp-echo": (udp_echo, 2),
    "rtt": (rtt, 3),
    "sink": (sink, 2),
    "source": (source, 3),
    "udp-flood": (udp_flood, 3),
    "udp-count": (udp_count, 3),
    "unreachable": (unreachable, 2),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or \
            len(sys.argv) - 2 != COMMANDS[sys.argv[1]][1]:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]][0](*sys.argv[2:]) or 0)
