"""permessage-deflate peer for socketeer's interop tests, on python-websockets.

  peer.py server CONFIGS   one echo server per config (ServerPerMessageDeflateFactory
                           keyword arguments), ports printed as a JSON list on one line;
                           runs until stdin closes.
  peer.py client CASES     for each {"url", "params"} (ClientPerMessageDeflateFactory
                           keyword arguments): connect, send the test messages (some
                           fragmented), check the echoes; one JSON line per case.

CONFIGS and CASES are JSON. Messages are built here so that both ends of the
comparison come from Python.
"""
import asyncio
import json
import sys

import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)


def text(size, seed):
    unit = '{"id": %d, "name": "socketeer", "ok": [true, false, null], "note": "é€"} ' % seed
    out = (unit * (size // len(unit) + 1)).encode()[:size]
    # Cut back to a character boundary, then pad with ASCII to the exact size.
    while True:
        try:
            decoded = out.decode()
            break
        except UnicodeDecodeError:
            out = out[:-1]
    return decoded + "x" * (size - len(out))


def binary(size, seed):
    return bytes((i * seed + (i >> 7)) % 251 if i % 3 else 65 + i % 13 for i in range(size))


_messages = {}


def messages(large):
    if large not in _messages:
        _messages[large] = _build(large)
    return _messages[large]


def _build(large):
    return [
        text(0, 1), text(5, 2), text(1023, 3), text(1024, 4), binary(1025, 5),
        text(65536, 6), binary(large, 7), text(5000, 8),
    ]


async def serve(configs):
    async def echo(ws, path=None):
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    servers = []
    for config in configs:
        servers.append(
            await websockets.serve(
                echo, "127.0.0.1", 0, compression=None, max_size=None,
                extensions=[ServerPerMessageDeflateFactory(**config)],
            )
        )
    print(json.dumps([s.sockets[0].getsockname()[1] for s in servers]), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for s in servers:
        s.close()
        await s.wait_closed()


async def run_case(case, large):
    async with websockets.connect(
        case["url"], compression=None, max_size=None,
        extensions=[ClientPerMessageDeflateFactory(**case["params"])],
    ) as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        sent = messages(large)
        for m in sent:
            await ws.send(m)
        for m in sent:
            # Three fragments each (an iterable is sent as a fragmented message).
            a, b = len(m) // 3, 2 * len(m) // 3
            await ws.send(iter([m[:a], m[a:b], m[b:]]))
        for i, m in enumerate(sent + sent):
            got = await ws.recv()
            if got != m:
                raise AssertionError(f"echo {i} ({len(m)} {'bytes' if isinstance(m, bytes) else 'chars'}) differs")
        return extensions


async def connect_all(cases, large):
    for index, case in enumerate(cases):
        try:
            extensions = await run_case(case, large)
            print(json.dumps({"index": index, "ok": True, "extensions": extensions}), flush=True)
        except Exception as error:  # reported to the test, which fails on it
            print(json.dumps({"index": index, "ok": False, "error": f"{type(error).__name__}: {error}"}), flush=True)


if __name__ == "__main__":
    mode, spec = sys.argv[1], json.loads(sys.argv[2])
    large = int(sys.argv[3]) if len(sys.argv) > 3 else 300_000
    if mode == "server":
        asyncio.run(serve(spec))
    else:
        asyncio.run(connect_all(spec, large))
