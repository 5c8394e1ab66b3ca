/** Most latency samples kept; past this, reservoir sampling keeps a fair subset. */
const MAX_SAMPLES = 2_000_000;

/** Latency samples in ms, with percentiles. */
export class LatencyRecorder {
  private samples = new Float64Array(1024);
  private length = 0;
  private seen = 0;
  private sum = 0;
  private minimum = Infinity;
  private maximum = 0;

  constructor(private readonly capacity = MAX_SAMPLES) {}

  record(ms: number): void {
    this.seen++;
    this.sum += ms;
    if (ms < this.minimum) this.minimum = ms;
    if (ms > this.maximum) this.maximum = ms;
    if (this.length < this.capacity) {
      if (this.length === this.samples.length) {
        const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.length++] = ms;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  get count(): number {
    return this.seen;
  }

  summary(): LatencySummary | null {
    if (this.length === 0) return null;
    const sorted = this.samples.slice(0, this.length).sort();
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p * sorted.length) / 100 - 1e-9) - 1))];
    return {
      count: this.seen,
      min: this.minimum,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: this.maximum,
      mean: this.sum / this.seen,
    };
  }
}

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** "32", "1k", "64KiB", "1m": a byte count. null when it is not one. */
export function parseSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(text.trim());
  if (match === null) return null;
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'b' ? 1 : unit.startsWith('k') ? 1024 : 1024 * 1024;
  const bytes = Number(match[1]) * factor;
  return Number.isInteger(bytes) ? bytes : Math.round(bytes);
}

/** 1536 -> "1.5 KiB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** A latency in ms with sensible precision: 0.042, 1.25, 37.1, 1204 */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** Right-aligned columns, the first left-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd())
    .join('\n');
}
