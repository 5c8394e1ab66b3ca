// `socketeer connect` through an HTTP proxy and to a self-signed TLS server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { describe, test } from 'node:test';
import { WebSocketServer } from '../../dist/esm/index.js';
import { echoServer, runCli } from './cli-helpers.mjs';

const fixture = (name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** A minimal CONNECT proxy that records the targets it was asked for. */
async function connectProxy() {
  const targets = [];
  const sockets = new Set();
  const proxy = http.createServer((req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    targets.push(req.url);
    const [host, port] = req.url.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    targets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => proxy.close(resolve));
    },
  };
}

describe('socketeer connect, network options', () => {
  test('--proxy tunnels the connection through CONNECT', async () => {
    const echo = await echoServer();
    const proxy = await connectProxy();
    try {
      const { code, stdout, stderr } = await runCli(['connect', echo.url, '--proxy', proxy.url, '-x', 'via proxy', '-n', '1'], { timeout: 4000 });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /< via proxy$/m);
      assert.deepEqual(proxy.targets, [new URL(echo.url).host]);
    } finally {
      await proxy.close();
      await echo.close();
    }
  });

  test('a self-signed wss server: refused without --insecure (exit 3), accepted with it', async () => {
    const server = https.createServer({ key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `wss://localhost:${server.address().port}/`;
    try {
      const refused = await runCli(['connect', url, '-x', 'secret']);
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /handshake failed: .*self[- ]signed/i);
      const accepted = await runCli(['connect', url, '--insecure', '-x', 'secret', '-n', '1']);
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.match(accepted.stdout, /connected to wss:\/\/localhost:\d+\//);
      assert.match(accepted.stdout, /< secret$/m);
    } finally {
      await wss.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
