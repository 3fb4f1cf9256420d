/** Runs the real `promtool` on generated files: `check rules` and `test rules`. */
import { spawn } from 'node:child_process';
import { SloError } from './errors.js';

/** Options of {@link runPromtool}. */
export interface PromtoolOptions {
  /** The promtool binary. @default process.env.PROMTOOL, else 'promtool' on PATH */
  readonly promtool?: string | undefined;
  /** Working directory (rule files in a test file resolve against the test file's folder anyway). */
  readonly cwd?: string | undefined;
  /** Kill promtool after this long. @default 300000 */
  readonly timeoutMillis?: number | undefined;
}

/** What promtool said. */
export interface PromtoolResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly command: string;
}

/** Runs promtool with `args`; resolves with its output, rejects with `TRISIGNAL_SLO_PROMTOOL` when it cannot start or times out. */
export function runPromtool(args: readonly string[], options: PromtoolOptions = {}): Promise<PromtoolResult> {
  const bin = options.promtool ?? process.env['PROMTOOL'] ?? 'promtool';
  const timeoutMillis = options.timeoutMillis ?? 300_000;
  const command = [bin, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new SloError(
          'TRISIGNAL_SLO_PROMTOOL',
          `Expected \`${command}\` to finish within ${timeoutMillis} ms, got no exit`,
        ),
      );
    }, timeoutMillis);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new SloError(
          'TRISIGNAL_SLO_PROMTOOL',
          error.code === 'ENOENT'
            ? `Expected promtool at \`${bin}\`, got none: install Prometheus (Debian/Ubuntu: \`apt-get install prometheus\`) or pass --promtool / set PROMTOOL`
            : `Expected to start \`${command}\`, got ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ ok: exitCode === 0, exitCode, stdout, stderr, command });
    });
  });
}

/** `promtool check rules <files>`. */
export function checkRules(files: readonly string[], options?: PromtoolOptions): Promise<PromtoolResult> {
  return runPromtool(['check', 'rules', ...files], options);
}

/** `promtool test rules <files>`. */
export function testRules(files: readonly string[], options?: PromtoolOptions): Promise<PromtoolResult> {
  return runPromtool(['test', 'rules', ...files], options);
}
