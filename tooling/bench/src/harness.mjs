/**
 * @trisignal/bench — a macro-benchmark harness for servers. A variant is a command that starts a
 * server on `PORT` (env); a load function drives it. The harness runs every variant in its own fresh
 * child process per round, warms it up, measures it, and reads its CPU time and RSS from /proc (so the
 * server needs no cooperation: HTTP, gRPC, anything). Rounds are interleaved (the order rotates each
 * round) and every variant's throughput is divided by the baseline's of the same round, because on a
 * shared machine absolute numbers drift between rounds while ratios within a round hold.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { loadAverage, readProcStats } from './proc-stats.mjs';

/**
 * @typedef {object} Variant
 * @property {string} name              short id (`a`, `bare`…)
 * @property {string} label             what is measured, for the table
 * @property {string} script            path of the server script, run with this Node (`process.execPath`)
 * @property {string[]} [args]          extra arguments
 * @property {Record<string,string>} [env] extra environment
 * @property {Record<string, unknown>} [load] options handed to the load function for this variant
 */

/**
 * @typedef {object} LoadResult
 * @property {number} requests  completed requests in the window
 * @property {number} rps       requests per second
 * @property {number} p50       latency ms
 * @property {number} p99       latency ms
 * @property {number} [errors]  transport errors + timeouts
 * @property {number} [non2xx]
 */

/**
 * @callback LoadFunction
 * @param {{ port: number, durationSeconds: number, phase: 'warmup' | 'measure', variant: Variant, final?: boolean }} run
 *   `final` is false for every measured slice but a variant's last one (`sliceSeconds`): a load that keeps
 *   a client process per variant keeps it until then
 * @returns {Promise<LoadResult>}
 */

/**
 * @typedef {object} Service
 * @property {string} name
 * @property {string} script
 * @property {string} envVar  the variable that tells variants where the service listens (`http://127.0.0.1:<port>`)
 */

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port, child, timeoutMillis) {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before listening`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on ${port} within ${timeoutMillis} ms`);
}

/** Starts `script` with PORT set and waits until the port accepts connections. */
export async function startProcess(script, { args = [], env = {}, timeoutMillis = 20_000 } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const info = [];
  const collect = (chunk) => {
    const text = chunk.toString();
    output = (output + text).slice(-8000);
    for (const line of text.split('\n')) if (line.startsWith('BENCH_INFO ')) info.push(line.slice(11).trim());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  try {
    await waitForPort(port, child, timeoutMillis);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${script}: ${error.message}\n${output}`);
  }
  return { child, port, info, output: () => output };
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMillis`. */
export function stopProcess(child, graceMillis = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMillis);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU µs of the services' processes (the sink), summed. */
function servicesCpu(started) {
  return started.reduce((sum, s) => sum + (readProcStats(s.proc.child.pid)?.cpuMicros ?? 0), 0);
}

/** Starts one variant's server for a round and keeps its first BENCH_INFO lines. */
async function startVariant(variant, ctx) {
  const proc = await startProcess(variant.script, {
    args: variant.args,
    env: { ...ctx.serviceEnv, ...variant.env },
  });
  ctx.result.info[variant.name] ??= proc.info.join('; ');
  return proc;
}

/** CPU (all threads, and the main thread) spent between two `readProcStats` readings; NaN if one is missing. */
function cpuDelta(before, after) {
  if (!before || !after) return { cpu: NaN, mainCpu: NaN };
  return { cpu: after.cpuMicros - before.cpuMicros, mainCpu: after.mainCpuMicros - before.mainCpuMicros };
}

/** A latency in ms for the progress lines: at most two decimals (slice medians are not round numbers). */
function ms(value) {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : 'n/a';
}

/** The progress line of one variant's measurement in a round. */
function logMeasurement(ctx, name, m, suffix = '') {
  ctx.log(
    `round ${ctx.round + 1}/${ctx.rounds} ${name.padEnd(3)} ${Math.round(m.rps)} req/s ` +
      `p50 ${ms(m.p50)} ms p99 ${ms(m.p99)} ms cpu ${m.cpuMicrosPerRequest.toFixed(1)} ` +
      `(main thread ${m.mainCpuMicrosPerRequest.toFixed(1)}) µs/req ` +
      `rss ${(m.rssBytes / 1048576).toFixed(0)} MB errors ${m.errors ?? 0} non2xx ${m.non2xx ?? 0}${suffix}`,
  );
}

/** One round, each variant in one stretch: start, warm up, measure, stop, then the next. */
async function measureOneStretch(order, ctx) {
  const { load, durationSeconds, warmupSeconds, started } = ctx;
  const measurements = {};
  for (const variant of order) {
    const proc = await startVariant(variant, ctx);
    try {
      if (warmupSeconds > 0)
        await load({ port: proc.port, durationSeconds: warmupSeconds, phase: 'warmup', variant });
      const sinkBefore = servicesCpu(started);
      const before = readProcStats(proc.child.pid);
      const run = await load({ port: proc.port, durationSeconds, phase: 'measure', variant });
      const after = readProcStats(proc.child.pid);
      const { cpu, mainCpu } = cpuDelta(before, after);
      const m = {
        ...run,
        rssBytes: after?.rssBytes ?? NaN,
        cpuMicrosPerRequest: cpu / run.requests,
        mainCpuMicrosPerRequest: mainCpu / run.requests,
        serviceCpuMicrosPerRequest: (servicesCpu(started) - sinkBefore) / run.requests,
      };
      measurements[variant.name] = m;
      logMeasurement(ctx, variant.name, m);
    } finally {
      await stopProcess(proc.child);
    }
  }
  return measurements;
}

/** One round in slices (see `sliceSeconds`): every variant's process alive for the whole round. */
async function measureSliced(order, ctx) {
  const { load, durationSeconds, warmupSeconds, sliceSeconds, started } = ctx;
  const procs = [];
  const measurements = {};
  try {
    for (const variant of order) procs.push({ variant, proc: await startVariant(variant, ctx) });
    if (warmupSeconds > 0) {
      for (const { variant, proc } of procs) {
        await load({ port: proc.port, durationSeconds: warmupSeconds, phase: 'warmup', variant });
      }
    }
    const acc = new Map(
      procs.map(({ variant }) => [
        variant.name,
        {
          requests: 0,
          cpu: 0,
          mainCpu: 0,
          sinkCpu: 0,
          seconds: 0,
          p50s: [],
          p99s: [],
          errors: 0,
          non2xx: 0,
          rss: NaN,
          extra: {},
        },
      ]),
    );
    const slices = Math.max(1, Math.ceil(durationSeconds / sliceSeconds));
    for (let slice = 0; slice < slices; slice++) {
      const seconds = Math.min(sliceSeconds, durationSeconds - slice * sliceSeconds);
      for (let k = 0; k < procs.length; k++) {
        const { variant, proc } = procs[(k + slice) % procs.length];
        const a = acc.get(variant.name);
        const sinkBefore = servicesCpu(started);
        const before = readProcStats(proc.child.pid);
        const run = await load({
          port: proc.port,
          durationSeconds: seconds,
          phase: 'measure',
          variant,
          final: slice === slices - 1,
        });
        const after = readProcStats(proc.child.pid);
        a.sinkCpu += servicesCpu(started) - sinkBefore;
        a.requests += run.requests;
        const { cpu, mainCpu } = cpuDelta(before, after);
        a.cpu += cpu;
        a.mainCpu += mainCpu;
        a.seconds += seconds;
        a.p50s.push(run.p50);
        a.p99s.push(run.p99);
        a.errors += run.errors ?? 0;
        a.non2xx += run.non2xx ?? 0;
        a.rss = after?.rssBytes ?? NaN;
        // Other per-request figures a load reports (a client's CPU): averaged, weighted by requests.
        for (const [key, value] of Object.entries(run)) {
          if (key.endsWith('PerRequest') && typeof value === 'number') {
            a.extra[key] = (a.extra[key] ?? 0) + value * run.requests;
          }
        }
      }
    }
    for (const { variant } of procs) {
      const a = acc.get(variant.name);
      const m = {
        ...Object.fromEntries(Object.entries(a.extra).map(([key, sum]) => [key, sum / a.requests])),
        requests: a.requests,
        rps: a.requests / a.seconds,
        // Percentiles do not add up across slices: the median slice's.
        p50: median(a.p50s),
        p99: median(a.p99s),
        errors: a.errors,
        non2xx: a.non2xx,
        rssBytes: a.rss,
        cpuMicrosPerRequest: a.cpu / a.requests,
        mainCpuMicrosPerRequest: a.mainCpu / a.requests,
        serviceCpuMicrosPerRequest: a.sinkCpu / a.requests,
      };
      measurements[variant.name] = m;
      logMeasurement(ctx, variant.name, m, ` (${slices} slices of ${sliceSeconds} s)`);
    }
  } finally {
    for (const { proc } of procs) await stopProcess(proc.child);
  }
  return measurements;
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs the benchmark and returns every round's measurements plus the per-variant medians.
 * @param {object} options
 * @param {Variant[]} options.variants            the first one is the baseline unless `baseline` names another
 * @param {LoadFunction} options.load
 * @param {string} [options.baseline]
 * @param {number} [options.rounds]               default 3
 * @param {number} [options.durationSeconds]      measured window per variant and round, default 10
 * @param {number} [options.warmupSeconds]        default 3
 * @param {Service[]} [options.services]          started once, before the rounds (e.g. an OTLP sink)
 * @param {number} [options.sliceSeconds]         0 (default): each variant's window is one stretch. > 0: every
 *   round starts all variants' processes, warms each, then measures them in turns of `sliceSeconds`
 *   (rotating order) until each has had `durationSeconds`; a slow spell of the machine then falls on
 *   every variant alike instead of on whichever ran during it
 * @param {(line: string) => void} [options.log]
 */
export async function runBenchmark(options) {
  const {
    variants,
    load,
    rounds = 3,
    durationSeconds = 10,
    warmupSeconds = 3,
    services = [],
    sliceSeconds = 0,
    log = (line) => process.stderr.write(line + '\n'),
  } = options;
  const baseline = options.baseline ?? variants[0].name;
  const started = [];
  const serviceEnv = {};
  const result = { rounds: [], loadBefore: loadAverage(), loadAfter: '', info: {}, services: {} };
  try {
    for (const service of services) {
      const proc = await startProcess(service.script);
      started.push({ service, proc, before: readProcStats(proc.child.pid) });
      serviceEnv[service.envVar] = `http://127.0.0.1:${proc.port}`;
    }
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no variant always runs first (cold machine) or last.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]);
      const ctx = {
        round,
        rounds,
        load,
        durationSeconds,
        warmupSeconds,
        sliceSeconds,
        started,
        serviceEnv,
        result,
        log,
      };
      const measurements =
        sliceSeconds > 0 ? await measureSliced(order, ctx) : await measureOneStretch(order, ctx);
      const base = measurements[baseline];
      for (const m of Object.values(measurements)) {
        m.ratio = m.rps / base.rps;
        m.p99Ratio = m.p99 / base.p99;
      }
      result.rounds.push(measurements);
    }
  } finally {
    for (const s of started) await stopProcess(s.proc.child);
    result.loadAfter = loadAverage();
  }
  result.summary = variants.map((variant) => {
    const per = result.rounds.map((r) => r[variant.name]);
    return {
      name: variant.name,
      label: variant.label,
      rps: median(per.map((m) => m.rps)),
      ratio: median(per.map((m) => m.ratio)),
      ratios: per.map((m) => m.ratio),
      p50: median(per.map((m) => m.p50)),
      p99: median(per.map((m) => m.p99)),
      p99Ratio: median(per.map((m) => m.p99Ratio)),
      rssMB: median(per.map((m) => m.rssBytes)) / 1048576,
      cpuMicrosPerRequest: median(per.map((m) => m.cpuMicrosPerRequest)),
      mainCpuMicrosPerRequest: median(per.map((m) => m.mainCpuMicrosPerRequest)),
      serviceCpuMicrosPerRequest: median(per.map((m) => m.serviceCpuMicrosPerRequest)),
      errors: per.reduce((s, m) => s + (m.errors ?? 0), 0),
      non2xx: per.reduce((s, m) => s + (m.non2xx ?? 0), 0),
    };
  });
  return result;
}

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';

/** The summary as a markdown table (medians over rounds; ratios are medians of per-round ratios). */
export function formatSummary(result, { serviceColumn = 'sink CPU µs/req' } = {}) {
  const lines = [
    `| variant | req/s | ratio to baseline (per round) | p50 / p99 ms | p99 ratio | server RSS MB | server CPU µs/req (main thread) | ${serviceColumn} | errors / non-2xx |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of result.summary) {
    lines.push(
      `| (${s.name}) ${s.label} | ${fmt(s.rps)} | ${fmt(s.ratio, 2)} (${s.ratios.map((r) => fmt(r, 2)).join(', ')}) | ` +
        `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} | ${fmt(s.p99Ratio, 2)} | ${fmt(s.rssMB)} | ${fmt(s.cpuMicrosPerRequest, 1)} (${fmt(s.mainCpuMicrosPerRequest, 1)}) | ` +
        `${fmt(s.serviceCpuMicrosPerRequest, 1)} | ${s.errors} / ${s.non2xx} |`,
    );
  }
  return lines.join('\n');
}
