#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client's side of the DTS test: a packet capture and its check.

    capture.py capture IFACE OUT READY
        Records the TCP header of every IPv4 packet IFACE sends or
        receives, one line per packet in OUT ("dir src sport dst dport
        flags seq ack len"), until SIGTERM, then "drops N" (packets the
        kernel could not queue for it); writes READY once listening.
    capture.py check OUT CLIENT PORT SERVER SPORT BYTES
        Checks that the client's connection (CLIENT:PORT to SERVER:SPORT)
        was one connection in the sequence spaces its SYN and the SYN-ACK
        began: one SYN each way, no reset, no packet of another address or
        port, every server byte in [ISN+1, ISN+1+BYTES) with all of it
        seen, every ack of the client's within what it sent.  Prints the
        two ISNs and the packet counts; exit status 1 with the reason when
        a check fails.
"""
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33


def capture(iface, out, ready):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    # Room for a whole transfer: the kernel drops what does not fit.
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    s.bind((iface, 0))
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    s.settimeout(0.1)
    with open(ready, "w") as f:
        f.write("ready\n")
    with open(out, "w") as f:
        while True:
            if stop:
                # What is still queued, then the end.
                s.setblocking(False)
            try:
                frame, addr = s.recvfrom(65536)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            except BlockingIOError:
                break
            if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6 or len(ip) < ihl + 20:
                continue
            tot = struct.unpack("!H", ip[2:4])[0]
            t = ip[ihl:]
            sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", t[:14])
            plen = tot - ihl - (off >> 4) * 4
            d = "out" if addr[2] == PACKET_OUTGOING else "in"
            f.write("%s %s %d %s %d %d %d %d %d\n" % (
                d, socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]),
                dport, flags, seq, ack, plen))
        packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
        f.write("drops %d\n" % drops)


def lt(a, b):
    return ((a - b) & 0xffffffff) >= 0x80000000


def check(out, client, port, server, sport, nbytes):
    port, sport, nbytes = int(port), int(sport), int(nbytes)
    rows = [l.split() for l in open(out)]
    if not rows or rows[-1][0] != "drops":
        sys.exit("the capture did not end cleanly")
    if rows[-1][1] != "0":
        sys.exit("the capture lost %s packets" % rows[-1][1])
    rows = rows[:-1]
    syn_c = syn_s = None
    got = set()
    c_max = None
    n_in = n_out = 0
    for d, src, sp, dst, dp, flags, seq, ack, plen in rows:
        sp, dp, flags, seq, ack, plen = map(int, (sp, dp, flags, seq, ack, plen))
        ends = {(src, sp), (dst, dp)}
        if ends != {(client, port), (server, sport)}:
            if client in (src, dst) and (port in (sp, dp) or src == client):
                sys.exit("a packet of another connection: %s:%d -> %s:%d" % (src, sp, dst, dp))
            continue
        if flags & 4:
            sys.exit("a reset reached the client's link: %s:%d -> %s:%d" % (src, sp, dst, dp))
        if src == client:
            n_out += 1
            if flags & 2:
                if syn_c is not None and seq != syn_c:
                    sys.exit("a second client SYN")
                syn_c = seq
            if syn_c is None:
                sys.exit("client data before its SYN")
            end = (seq + plen + (1 if flags & 3 else 0)) & 0xffffffff
            if c_max is None or lt(c_max, end):
                c_max = end
            if flags & 16 and syn_s is not None:
                if lt((syn_s + 1 + nbytes + 1) & 0xffffffff, ack) or lt(ack, (syn_s + 1) & 0xffffffff):
                    sys.exit("the client acked %d, outside the server's space" % ack)
        else:
            n_in += 1
            if flags & 2:
                if syn_s is not None and seq != syn_s:
                    sys.exit("a second SYN-ACK, in another sequence space")
                syn_s = seq
                continue
            if syn_s is None:
                sys.exit("server data before its SYN-ACK")
            off = (seq - syn_s - 1) & 0xffffffff
            if plen and off + plen > nbytes:
                sys.exit("server bytes at offset %d..%d, outside [0, %d)" % (off, off + plen, nbytes))
            if flags & 16 and c_max is not None and lt(c_max, ack):
                sys.exit("the server acked %d, beyond what the client sent" % ack)
            got.update(range(off, off + plen))
    if syn_c is None or syn_s is None:
        sys.exit("no handshake captured")
    if len(got) != nbytes:
        sys.exit("the server's bytes seen: %d of %d" % (len(got), nbytes))
    print("isn_c=%d isn_s=%d client_packets=%d server_packets=%d" % (syn_c, syn_s, n_out, n_in))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "capture":
        capture(*sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == "check":
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
