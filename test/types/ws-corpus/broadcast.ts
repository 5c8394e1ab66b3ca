// ws README: "Server broadcast" (to every client, and to every other client).
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, clientTracking: true });

wss.on('connection', function connection(ws) {
  ws.on('error', console.error);
  ws.on('message', function message(data, isBinary) {
    wss.clients.forEach(function each(client) {
      if (client !== ws && client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    });
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

wss.on('listening', () => {
  const address = wss.address();
  console.log(typeof address === 'string' ? address : address?.port);
  wss.close();
});
