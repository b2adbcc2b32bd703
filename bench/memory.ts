/**
 * Memory sampling shared by the benchmarks: peaks of `process.memoryUsage()` per phase, and (with `--expose-gc`) the heap
 * retained after a full collection at the end of a phase.
 */

/** Runs two full collections when `--expose-gc` is on. */
export function collect(): void {
  if (typeof gc === 'function') {
    gc();
    gc();
  }
}

/** Peak memory of one phase, in bytes. */
export interface PhaseMemory {
  /** Peak RSS seen during the phase, bytes. */
  rss: number;
  /** Peak heapUsed seen during the phase, bytes. */
  heapUsed: number;
  /** heapUsed after a full collection at the end of the phase, bytes (when gc is exposed and the phase is settled). */
  retained?: number;
}

/** Samples `process.memoryUsage()` and keeps the peaks per phase (a phase may be entered several times). */
export class MemoryTracker {
  public readonly baseline: NodeJS.MemoryUsage;
  public readonly phases = new Map<string, PhaseMemory>();
  private current: PhaseMemory | undefined;

  constructor() {
    collect();
    this.baseline = process.memoryUsage();
  }

  public enter(phase: string): void {
    let p = this.phases.get(phase);
    if (!p) {
      p = { rss: 0, heapUsed: 0 };
      this.phases.set(phase, p);
    }
    this.current = p;
    this.sample();
  }

  public sample(): void {
    const m = process.memoryUsage();
    if (!this.current) return;
    this.current.rss = Math.max(this.current.rss, m.rss);
    this.current.heapUsed = Math.max(this.current.heapUsed, m.heapUsed);
  }

  /** Ends the current phase: a last sample, then (with gc exposed) the heap retained after a full collection. */
  public settle(): void {
    this.sample();
    if (this.current && typeof gc === 'function') {
      collect();
      this.current.retained = process.memoryUsage().heapUsed;
    }
    this.current = undefined;
  }
}
