// Collects one row per (peer, role, case) and writes them to
// test-output/interop/<peer>.json for report.mjs (docs/interop.md).
import { mkdirSync, writeFileSync } from 'node:fs';

export const RESULTS_DIR = new URL('../../../test-output/interop/', import.meta.url);

export class Results {
  constructor(peer) {
    this.peer = peer;
    this.rows = [];
    this.versions = {};
    this.subject = null;
    this.missing = null;
  }

  add(row) { this.rows.push(row); }

  write() {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = new URL(`${this.peer.id}.json`, RESULTS_DIR);
    const data = {
      peer: this.peer.id,
      label: this.peer.label,
      date: new Date().toISOString(),
      node: process.version,
      subject: this.subject,
      versions: this.versions,
      missing: this.missing,
      rows: this.rows,
    };
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  }
}
