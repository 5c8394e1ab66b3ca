# Echo server of Python's `websockets` package, a third reference for the
# conformance suite (not run by npm test):
#   /usr/bin/python3 test/conformance/python-echo.py 9003 &
#   node bin/socketeer.js conformance server ws://127.0.0.1:9003 --out conformance-report/python-server
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=64 * 1024 * 1024):
        print(f"ws://127.0.0.1:{port}", flush=True)
        await asyncio.Future()


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 9003))
