// Writes report.json and report.html into a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './report-html.js';
import type { SuiteReport } from './types.js';

export const DEFAULT_OUT_DIR = 'conformance-report';

export function writeReportFiles(dir: string, report: SuiteReport): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  writeFileSync(json, JSON.stringify(report, null, 1) + '\n');
  writeFileSync(html, renderHtml(report));
  return { json, html };
}
