/**
 * A gRPC load function for @trisignal/bench's harness: each variant's client runs in its own process
 * (client.cjs), instrumented like the variant's server, so "server + client interceptors" is measured
 * on both sides. One client process serves a variant's warm-up and measured window (all its slices), then
 * stops.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const clientScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client.cjs');

function request(child, message, timeoutMillis) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`client did not answer ${message.cmd} in ${timeoutMillis} ms`)),
      timeoutMillis,
    );
    const onMessage = (reply) => {
      if (reply?.result === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply.result);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function startClient(port, variant, extraEnv) {
  return new Promise((resolve, reject) => {
    const child = fork(clientScript, {
      env: { ...process.env, ...variant.env, ...extraEnv, TARGET: `127.0.0.1:${port}` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error('client did not start within 20 s')), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
  });
}

/**
 * @param {{ concurrency?: number, env?: Record<string, string> }} [defaults]
 * @returns {import('@trisignal/bench').LoadFunction}
 */
export function createGrpcLoad(defaults = {}) {
  const concurrency = defaults.concurrency ?? 50;
  const clients = new Map();
  return async ({ port, durationSeconds, phase, variant, final }) => {
    let child = clients.get(port);
    if (child === undefined) {
      child = await startClient(port, variant, defaults.env ?? {});
      clients.set(port, child);
    }
    try {
      return await request(
        child,
        { cmd: 'run', seconds: durationSeconds, concurrency },
        durationSeconds * 1000 + 30_000,
      );
    } finally {
      // In sliced runs the client stays up until the variant's last slice.
      if (phase === 'measure' && final !== false) {
        clients.delete(port);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ cmd: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    }
  };
}
