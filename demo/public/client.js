// Browser client for the demo page: plain WebSocket, no build step.
'use strict';

const $ = (id) => document.getElementById(id);
const ui = {
  url: $('url'), connect: $('connect'), status: $('status'),
  text: $('text'), send: $('send'), file: $('file'), sendFile: $('send-file'),
  closeCode: $('close-code'), closeReason: $('close-reason'), close: $('close'),
  codeSeen: $('close-code-seen'), reasonSeen: $('close-reason-seen'), cleanSeen: $('close-clean-seen'),
  log: $('log'),
};
let socket = null;

ui.url.value = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/echo`;

function log(kind, text) {
  const line = document.createElement('div');
  line.className = kind;
  line.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  ui.log.append(line);
  ui.log.scrollTop = ui.log.scrollHeight;
}

function setOpen(open) {
  ui.send.disabled = !open;
  ui.sendFile.disabled = !open;
  ui.close.disabled = !open;
  ui.connect.disabled = open;
}

function describe(data) {
  if (typeof data === 'string') return `text (${data.length} chars): ${data}`;
  const bytes = new Uint8Array(data);
  const head = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `binary (${bytes.length} bytes): ${head}${bytes.length > 16 ? ' ...' : ''}`;
}

ui.connect.addEventListener('click', () => {
  let ws;
  try {
    ws = new WebSocket(ui.url.value);
  } catch (error) {
    log('error', `cannot connect: ${error.message}`);
    return;
  }
  socket = ws;
  ws.binaryType = 'arraybuffer';
  ui.status.textContent = 'connecting';
  ui.connect.disabled = true;
  ui.codeSeen.textContent = ui.reasonSeen.textContent = ui.cleanSeen.textContent = '-';
  ws.addEventListener('open', () => {
    ui.status.textContent = 'open';
    log('info', `open ${ws.url}${ws.protocol ? ` (protocol ${ws.protocol})` : ''}${ws.extensions ? ` (extensions ${ws.extensions})` : ''}`);
    setOpen(true);
  });
  ws.addEventListener('message', (event) => log('in', `< ${describe(event.data)}`));
  ws.addEventListener('error', () => log('error', 'error event (the close event below has the details)'));
  ws.addEventListener('close', (event) => {
    ui.status.textContent = 'closed';
    ui.codeSeen.textContent = String(event.code);
    ui.reasonSeen.textContent = event.reason === '' ? '(empty)' : event.reason;
    ui.cleanSeen.textContent = String(event.wasClean);
    log('info', `close code=${event.code} reason=${JSON.stringify(event.reason)} wasClean=${event.wasClean}`);
    setOpen(false);
    if (socket === ws) socket = null;
  });
});

ui.send.addEventListener('click', () => {
  if (socket === null) return;
  socket.send(ui.text.value);
  log('out', `> text: ${ui.text.value}`);
});

ui.sendFile.addEventListener('click', async () => {
  const file = ui.file.files[0];
  if (socket === null) return;
  if (file === undefined) {
    log('error', 'choose a file first');
    return;
  }
  const data = await file.arrayBuffer();
  socket.send(data);
  log('out', `> binary: ${file.name} (${data.byteLength} bytes)`);
});

ui.close.addEventListener('click', () => {
  if (socket === null) return;
  const code = Number(ui.closeCode.value);
  try {
    socket.close(code, ui.closeReason.value);
    log('out', `> close ${code} ${JSON.stringify(ui.closeReason.value)}`);
  } catch (error) {
    log('error', `close refused: ${error.name}: ${error.message}`);
  }
});
