"""A small HTTP/1.1 load generator, for machines without wrk: run it as its own process.

``python -m bench.load URL --connections N --seconds S [--method POST --body TEXT ...]`` keeps N
keep-alive connections busy for S seconds and prints one JSON line: requests, seconds, errors
and latency percentiles in milliseconds. With several ``--body``, request number i sends body
i modulo their count. ``{n}`` in a body becomes a number unique to each request (idempotency
keys, seeds), counted from ``--first``, and ``{odd}`` the odd number 2n + 1; with ``--query``
(repeatable), request i asks for the URL's path with query i modulo their count, filled in the
same way; with ``--offset K`` the first request takes body (or query) K. ``--before-path``
(with ``--before-method`` and ``--before-body``) sends another request on the same connection
before each timed one (a write between reads), timed apart (``before_p50``, ``before_p99``);
its failures count as errors. It reads ``Content-Length`` bodies only, which is all uvicorn
sends for these routes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bench.result import percentile


def filled(template: str, n: int) -> str:
    """``template`` for request number ``n``: ``{n}`` becomes n, ``{odd}`` 2n + 1."""
    return template.replace("{n}", str(n)).replace("{odd}", str(2 * n + 1))


@dataclass(frozen=True)
class Call:
    """One kind of request: ``{n}`` in a body or query becomes the request's number, ``{odd}``
    2n + 1."""

    method: str
    path: str
    bodies: tuple[str, ...] = ("",)
    queries: tuple[str, ...] = ()
    """Query strings: request n asks for ``path?query`` with query ``n + shift`` modulo their
    count."""
    shift: int = 0
    """Request n takes body (or query) ``n + shift`` modulo their count."""

    def encode(self, host: str, port: int, n: int) -> bytes:
        """The request's bytes, with body (and query) ``n + shift`` modulo their count."""
        target = self.path
        if self.queries:
            target += "?" + filled(self.queries[(n + self.shift) % len(self.queries)], n)
        head = f"{self.method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
        if self.method == "GET":
            return head.encode() + b"\r\n"
        payload = filled(self.bodies[(n + self.shift) % len(self.bodies)], n).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        return head.encode() + b"\r\n" + payload


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> int:
    """Send ``data``, read the whole answer; its status (0 when the connection closed)."""
    writer.write(data)
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
    return int(status_line.split()[1]) if status_line else 0


async def _worker(
    host: str,
    port: int,
    call: Call,
    before: Call | None,
    stop: float,
    counter: itertools.count[int],
    latencies: list[float],
    errors: list[int],
    befores: list[float],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop:
            n = next(counter)
            if before is not None:
                start = time.perf_counter()
                status = await _exchange(reader, writer, before.encode(host, port, n))
                befores.append((time.perf_counter() - start) * 1000)
                if not 200 <= status < 400:
                    errors.append(status)
            data = call.encode(host, port, n)
            start = time.perf_counter()
            status = await _exchange(reader, writer, data)
            latencies.append((time.perf_counter() - start) * 1000)
            if not 200 <= status < 400:
                errors.append(status)
    finally:
        writer.close()


async def _run(
    url: str,
    call: Call,
    connections: int,
    seconds: float,
    *,
    before: Call | None = None,
    first: int = 1,
) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    call = replace(call, path=path)
    counter = itertools.count(first)
    latencies: list[float] = []
    errors: list[int] = []
    befores: list[float] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(
        *(
            _worker(host, port, call, before, stop, counter, latencies, errors, befores)
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
        "before_p50": percentile(befores, 50) if befores else 0.0,
        "before_p99": percentile(befores, 99) if befores else 0.0,
    }


def main() -> None:
    """Parse the arguments, run the load, print the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("url")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", action="append", help="repeatable: request i sends body i mod k")
    parser.add_argument("--first", type=int, default=1, help="the first request's {n}")
    parser.add_argument(
        "--query", action="append", help="repeatable: request i asks with query i mod k"
    )
    parser.add_argument(
        "--offset", type=int, default=0, help="the first request's body (or query) number"
    )
    parser.add_argument("--before-method", default="POST")
    parser.add_argument("--before-path", help="a request sent, untimed, before each timed one")
    parser.add_argument("--before-body", default="")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    call = Call(
        args.method, "", tuple(args.body or [""]), tuple(args.query or []), args.offset - args.first
    )
    before = (
        Call(args.before_method, args.before_path, (args.before_body,))
        if args.before_path
        else None
    )
    found = asyncio.run(
        _run(args.url, call, args.connections, args.seconds, before=before, first=args.first)
    )
    print(json.dumps(found))


if __name__ == "__main__":
    main()
