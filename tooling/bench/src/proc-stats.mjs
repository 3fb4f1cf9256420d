import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks;

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux almost always). */
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time (user + system, µs) and RSS (bytes) of a process, read from /proc without its cooperation,
 * so any server (HTTP, gRPC, another language) can be a variant. Linux only; elsewhere returns undefined.
 * `mainCpuMicros` is the main thread's share (the thread whose id is the pid: for Node, the event loop),
 * so the rest (V8's GC helpers, the libuv pool) can be told apart.
 * @param {number} pid
 * @returns {{ cpuMicros: number, mainCpuMicros: number, rssBytes: number } | undefined}
 */
export function readProcStats(pid) {
  try {
    const cpuMicros = statCpuMicros(`/proc/${pid}/stat`);
    let mainCpuMicros = NaN;
    try {
      mainCpuMicros = statCpuMicros(`/proc/${pid}/task/${pid}/stat`);
    } catch {
      // No per-thread figures (not Linux, or the task directory is hidden): the total still counts.
    }
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { cpuMicros, mainCpuMicros, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** User + system CPU (µs) of a /proc `stat` file. */
function statCpuMicros(file) {
  const stat = readFileSync(file, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond()) * 1e6;
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
