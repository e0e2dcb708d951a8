/*
 * What the bench reads of a process (/proc) and how it sums up the load generators' reports,
 * shared by the bench's modes.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { LATENCY_BUCKETS } from './load-worker';

export const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

export const sleep = async (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of `pid`, in clock ticks. */
export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** A quantile (0–1) of a latency histogram in 0.1 ms buckets (load-worker's), in ms. */
export function percentile(histogram: readonly number[], fraction: number): number {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return NaN;
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket];
    if (seen >= total * fraction) return bucket / 10;
  }
  return LATENCY_BUCKETS / 10;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** The first lines of every bench's output: what it ran on. */
export function machineLine(): string {
  const cpus = os.cpus();
  return (
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Linux ${os.release()}, Node ${process.version}`
  );
}

/**
 * CPU ticks the machine spent working (/proc/stat: user, nice, system, irq and softirq; not idle,
 * nor time stolen by the hypervisor). Loopback TCP runs its receiving side in softirq, which
 * /proc/stat counts apart but a process's stime may include: with the bench's own processes taken
 * out, what remains is others' work (and some of the kernel's on the bench's behalf).
 */
export function machineTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  return [1, 2, 3, 6, 7].reduce((sum, index) => sum + Number(fields[index]), 0);
}
