"""Interop peer: Python websockets (Debian's python3-websockets, legacy API).

Driven by peers/python.mjs over JSON lines: commands on stdin
({"id", "op", ...}), replies ({"reply": id, ...}) and events ({"event", "conn",
...}) on stdout. Payloads are rebuilt here from the same small specs as
lib/payload.mjs, so big messages never cross the pipe.
"""
import asyncio
import hashlib
import json
import sys
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.frames import Close

TEXT_UNIT = "socketeer \u2713 h\u00e9llo w\u00f6rld \U0001F30D "
TEXT_UNIT_BYTES = len(TEXT_UNIT.encode())
SERVER_PROTOCOLS = ["chat.v2", "chat.v1", "other"]
MAX_SIZE = 64 * 1024 * 1024
COMMON = dict(max_size=MAX_SIZE, ping_interval=None, close_timeout=5)

connections = {}
servers = []
out_lock = asyncio.Lock()


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def build(spec):
    size = spec["size"]
    if spec["kind"] == "text":
        whole = size // TEXT_UNIT_BYTES
        return TEXT_UNIT * whole + "x" * (size - whole * TEXT_UNIT_BYTES)
    seed = spec.get("seed", 0)
    block = bytes(((j * 7 + seed) & 0xFF) for j in range(251))
    return (block * (size // 251 + 1))[:size]


def describe(ws):
    return {
        "protocol": ws.subprotocol or "",
        "extensions": ", ".join(ext.name for ext in ws.extensions),
    }


async def serve_connection(conn, ws):
    """Reports every message, then the close, of one connection."""
    try:
        async for message in ws:
            data = message.encode() if isinstance(message, str) else message
            emit({"event": "message", "conn": conn, "isBinary": not isinstance(message, str),
                  "length": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    code = ws.close_code if ws.close_code is not None else 1006
    emit({"event": "closed", "conn": conn, "code": code, "reason": ws.close_reason or "",
          "wasClean": ws.close_rcvd is not None and ws.close_sent is not None})
    connections.pop(conn, None)


async def handler(ws, path):
    conn = parse_qs(urlsplit(path).query).get("conn", [""])[0]
    connections[conn] = ws
    emit({"event": "accepted", "conn": conn, **describe(ws)})
    await serve_connection(conn, ws)


async def refuse(path, headers):
    return HTTPStatus.FORBIDDEN, [("Content-Type", "text/plain")], b"Forbidden\n"


async def op_serve(cmd):
    urls = {}
    for name, options in (
        ("plain", dict(compression=None)),
        ("deflate", dict(compression="deflate")),
        ("refuse", dict(compression=None, process_request=refuse)),
    ):
        server = await websockets.serve(handler, "127.0.0.1", 0, subprotocols=SERVER_PROTOCOLS, **options, **COMMON)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        urls[name] = f"ws://127.0.0.1:{port}/{name}"
    return {"urls": urls}


async def op_connect(cmd):
    conn = cmd["conn"]
    try:
        ws = await websockets.connect(
            cmd["url"], subprotocols=cmd.get("protocols") or None,
            compression="deflate" if cmd.get("deflate") else None, open_timeout=5, **COMMON)
    except Exception as error:  # the handshake failed: report it like a browser would
        status = getattr(error, "status_code", None)
        return {"ok": False, "message": f"{type(error).__name__}: {error}", "status": status,
                "close": {"code": 1006, "reason": "", "wasClean": False}}
    connections[conn] = ws
    asyncio.get_running_loop().create_task(serve_connection(conn, ws))
    return {"ok": True, **describe(ws)}


def fragments(data, count):
    step = -(-len(data) // count)
    return [data[i * step:(i + 1) * step] for i in range(count)]


async def op_send(cmd):
    ws = connections[cmd["conn"]]
    for spec in cmd["specs"]:  # in order, in one task
        data = build(spec)
        count = spec.get("fragments", 1)
        await ws.send(fragments(data, count) if count > 1 else data)
    return {}


async def op_close(cmd):
    ws = connections[cmd["conn"]]
    if cmd.get("code") is None:
        # An empty Close frame (no status code): the legacy API always sends one.
        await ws.write_close_frame(Close(1005, ""), b"")
    else:
        asyncio.get_running_loop().create_task(ws.close(cmd["code"], cmd.get("reason") or ""))
    return {}


async def op_terminate(cmd):
    connections[cmd["conn"]].transport.abort()
    return {}


async def op_ping(cmd):
    payload = bytes.fromhex(cmd["hex"])
    waiter = await connections[cmd["conn"]].ping(payload)
    await asyncio.wait_for(waiter, 10)
    return {"hex": payload.hex()}  # websockets matches the pong to this payload


async def op_shutdown(cmd):
    for ws in list(connections.values()):
        ws.transport.abort()
    for server in servers:
        server.close()
        await server.wait_closed()
    return {}


OPS = {"serve": op_serve, "connect": op_connect, "send": op_send, "close": op_close,
       "terminate": op_terminate, "ping": op_ping, "shutdown": op_shutdown}


locks = {}


async def run(cmd):
    try:
        if "conn" in cmd and cmd["op"] != "connect":
            # One connection's commands run in the order they came (a close
            # must not overtake a send still waiting for the transport to drain).
            lock = locks.setdefault(cmd["conn"], asyncio.Lock())
            async with lock:
                result = await OPS[cmd["op"]](cmd)
        else:
            result = await OPS[cmd["op"]](cmd)
        emit({"reply": cmd["id"], "ok": True, **result} if "ok" not in result else {"reply": cmd["id"], **result})
    except Exception as error:
        emit({"reply": cmd["id"], "error": f"{type(error).__name__}: {error}"})


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    emit({"event": "ready", "version": websockets.__version__, "python": sys.version.split()[0]})
    tasks = set()
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = json.loads(line)
        task = loop.create_task(run(cmd))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        if cmd["op"] == "shutdown":
            await task
            break


asyncio.run(main())
