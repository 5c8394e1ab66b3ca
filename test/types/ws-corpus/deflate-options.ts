// A server tuned the way ws's documentation shows permessage-deflate: zlib
// settings under zlibDeflateOptions and zlibInflateOptions.
import zlib from 'node:zlib';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  port: 8080,
  perMessageDeflate: {
    zlibDeflateOptions: { chunkSize: 1024, memLevel: 7, level: 3 },
    zlibInflateOptions: { chunkSize: 10 * 1024 },
    clientNoContextTakeover: true,
    serverNoContextTakeover: true,
    serverMaxWindowBits: 10,
    concurrencyLimit: 10,
    threshold: 1024,
  },
});
wss.on('connection', (ws) => ws.send('hello', { compress: true }));

const fast = new WebSocketServer({ noServer: true, perMessageDeflate: { zlibDeflateOptions: { level: zlib.constants.Z_BEST_SPEED, strategy: zlib.constants.Z_RLE } } });
fast.close();
