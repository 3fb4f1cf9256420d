#!/usr/bin/env node
// Makes `prometheus` and `promtool` (Prometheus 2.42 from Debian) available for the tests that use the
// real thing: promtool for generated rules and exposition checks, Prometheus for end-to-end tests.
// Installs with apt when missing and running as root; otherwise fails with a clear message.
// Nothing is started here: tests start Prometheus themselves on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Returns `{ prometheus, promtool }` paths, installing the Debian package first if needed. */
export function ensurePrometheus({ quiet = false } = {}) {
  let prometheus = which('prometheus');
  let promtool = which('promtool');
  if (prometheus && promtool) return { prometheus, promtool };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      'Prometheus 2.42 and promtool are needed by these tests and are not installed. ' +
        'Install them with `sudo apt-get update && sudo apt-get install -y prometheus` (Debian 12), ' +
        'or run the tests as root so the test script can install them.',
    );
  }
  const log = quiet ? 'ignore' : 'inherit';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'prometheus']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', log, 'inherit'], env });
    if (r.status !== 0) throw new Error(`\`apt-get ${args.join(' ')}\` failed with status ${r.status}`);
  }
  // The Debian package enables a systemd unit; on machines with systemd it would start a server on :9090.
  // Tests start their own on loopback, so the packaged one is left alone (nothing runs without systemd).
  prometheus = which('prometheus');
  promtool = which('promtool');
  if (!prometheus || !promtool)
    throw new Error('apt-get installed prometheus but prometheus/promtool are not on PATH');
  return { prometheus, promtool };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const paths = ensurePrometheus();
  const v = spawnSync(paths.promtool, ['--version'], { encoding: 'utf8' });
  process.stdout.write(`${paths.prometheus}\n${paths.promtool}\n${(v.stdout || v.stderr).split('\n')[0]}\n`);
}
