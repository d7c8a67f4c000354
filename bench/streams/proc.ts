// What a process costs, read from Linux's /proc: resident memory (VmRSS of /proc/<pid>/status)
// and CPU time (utime + stime of /proc/<pid>/stat, plus cutime + cstime: the CPU of children it
// has reaped, so that a PostgreSQL backend that exits during a phase still counts).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { ppid: Number(fields[1]), cpuMs: ticks * TICK_MS };
  } catch {
    return undefined; // gone
  }
}

/** VmRSS in bytes; 0 for a process that is gone. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants, as they are now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}

/** CPU time every process on the machine has used since boot (all cores; not idle, not iowait), in ms. */
export function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

export const cpuMsOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuMs ?? 0), 0);
export const rssOfAll = (pids: number[]) => pids.reduce((sum, pid) => sum + rssOf(pid), 0);
export const parentOf = (pid: number) => readStat(pid)?.ppid;

/** Highest summed RSS of the given processes, sampled every intervalMs until stop() is called. */
export function sampleRss(pids: () => number[], intervalMs = 50) {
  let peak = rssOfAll(pids());
  const timer = setInterval(() => (peak = Math.max(peak, rssOfAll(pids()))), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssOfAll(pids()));
      return peak;
    },
  };
}
