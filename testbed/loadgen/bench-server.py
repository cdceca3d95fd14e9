# SPDX-License-Identifier: GPL-3.0-or-later
"""A slow HTTP/1.1 server for bench.sh, on loopback: GET /o/N answers N
bytes after HOLD milliseconds, on keep-alive connections, thousands at
once (asyncio).  Prints its port on stdout once it listens.

    python3 bench-server.py HOLD_MS
"""
import asyncio
import sys

HOLD = int(sys.argv[1]) / 1000


async def client(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            path = line.split(b" ")[1]
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            n = int(path.split(b"/")[-1].split(b"?")[0])
            await asyncio.sleep(HOLD)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n)
            await writer.drain()
    except (ConnectionError, ValueError, IndexError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(client, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
