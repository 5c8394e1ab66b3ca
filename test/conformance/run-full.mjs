// `npm run conformance:full`: the whole suite (group 9 up to 16 MiB) against
// socketeer's server and client, and with `--ws` also against the ws package
// as a reference. Reports go to conformance-report/<peer>-<mode>/; the exit
// status is 1 when socketeer has a FAILED, UNCLEAN or WRONG CODE case.
import { runServerSuite, startClientSuite, summaryTable, writeReportFiles } from '../../dist/esm/conformance/index.js';
import { resultsTable } from './markdown.mjs';
import { runEchoClient, startEchoServer } from './peers.mjs';
import { startH2Server } from '../http2/lib.mjs';

const args = process.argv.slice(2);
const peers = args.includes('--ws') ? ['socketeer', 'ws'] : ['socketeer'];
const quick = args.includes('--quick');
const casesAt = args.indexOf('--cases');
const cases = casesAt >= 0 ? args[casesAt + 1] : undefined;
const outRoot = 'conformance-report';
let status = 0;
const table = [];

for (const peer of peers) {
  const selection = { cases, full: !quick };
  const server = await startEchoServer(peer);
  const serverReport = await runServerSuite({ url: server.url, ...selection });
  await server.close();
  const suite = await startClientSuite({ port: 0, ...selection });
  const reported = suite.nextReport();
  await runEchoClient(peer, suite.url);
  const clientReport = await reported;
  await suite.close();
  for (const [mode, report] of [['server', serverReport], ['client', clientReport]]) {
    const files = writeReportFiles(`${outRoot}/${peer}-${mode}`, report);
    table.push([`${peer} ${mode}`, report]);
    console.log(`\n== ${peer} ${mode} ==\n${summaryTable(report)}\nReport: ${files.html}`);
    if (peer === 'socketeer' && report.failing > 0) status = 1;
  }
}
// socketeer's server again, every case on an HTTP/2 stream (RFC 8441, h2 over TLS).
{
  const h2 = await startH2Server({ wssOptions: { perMessageDeflate: true } });
  h2.wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const report = await runServerSuite({ url: `https://127.0.0.1:${h2.port}/`, http2: true, cases, full: !quick });
  await h2.close();
  const files = writeReportFiles(`${outRoot}/socketeer-server-http2`, report);
  table.push(['socketeer server over HTTP/2', report]);
  console.log(`\n== socketeer server over HTTP/2 ==\n${summaryTable(report)}\nReport: ${files.html}`);
  if (report.failing > 0) status = 1;
}
console.log(`\n${resultsTable(table)}`);
process.exitCode = status;
