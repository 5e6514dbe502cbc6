"""A small HTTP/1.1 load generator, for machines without wrk: run it as its own process.

``python -m bench.load URL --connections N --seconds S [--method POST --body TEXT]`` keeps N
keep-alive connections busy for S seconds and prints one JSON line: requests, seconds, errors
and latency percentiles in milliseconds. ``{n}`` in the body becomes a number unique to each
request (idempotency keys). It reads ``Content-Length`` bodies only, which is all uvicorn sends
for these routes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from urllib.parse import urlsplit

from bench.result import percentile


async def _worker(
    host: str,
    port: int,
    method: str,
    path: str,
    body: str,
    stop: float,
    counter: itertools.count[int],
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop:
            payload = body.replace("{n}", str(next(counter))).encode()
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
            if method != "GET":
                head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            start = time.perf_counter()
            writer.write(head.encode() + b"\r\n" + (payload if method != "GET" else b""))
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            status = int(status_line.split()[1]) if status_line else 0
            if not 200 <= status < 400:
                errors.append(status)
    finally:
        writer.close()


async def _run(
    url: str, method: str, body: str, connections: int, seconds: float
) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    counter = itertools.count(1)
    latencies: list[float] = []
    errors: list[int] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(
        *(
            _worker(host, port, method, path, body, stop, counter, latencies, errors)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": len(errors),
        "p50": percentile(latencies, 50) if latencies else 0.0,
        "p99": percentile(latencies, 99) if latencies else 0.0,
        "max": max(latencies, default=0.0),
    }


def main() -> None:
    """Parse the arguments, run the load, print the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("url")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    found = asyncio.run(_run(args.url, args.method, args.body, args.connections, args.seconds))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
