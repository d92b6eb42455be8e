import { existsSync, readFileSync } from 'node:fs';

/** GNU time reports a child's exact peak RSS; without it, /proc/<pid>/status VmHWM is polled. */
export const GNU_TIME = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** `Maximum resident set size (kbytes): N` from `time -v` output, in MiB. */
export function peakFromGnuTime(stderr: string): number | undefined {
  const matches = [...stderr.matchAll(/Maximum resident set size \(kbytes\): (\d+)/g)];
  const last = matches[matches.length - 1];
  return last?.[1] === undefined ? undefined : Number(last[1]) / 1024;
}

/** Polls VmHWM (the kernel's high-water mark of the RSS) of a live process; MiB. */
export class VmHwmSampler {
  private peakKiB = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match?.[1]) this.peakKiB = Math.max(this.peakKiB, Number(match[1]));
    } catch {
      // exited
    }
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakKiB / 1024;
  }
}
