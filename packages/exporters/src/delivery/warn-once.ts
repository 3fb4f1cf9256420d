import { diag } from '@opentelemetry/api';

/**
 * Logs each kind of problem once per exporter through `diag.warn` (later occurrences go to
 * `diag.debug`): a receiver that rejects every batch must not flood the application's log. The
 * metrics count every occurrence.
 */
export class WarnOnce {
  readonly #prefix: string;
  readonly #seen = new Set<string>();

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  warn(key: string, message: string): void {
    if (this.#seen.has(key)) {
      diag.debug(`${this.#prefix}: ${message}`);
      return;
    }
    if (this.#seen.size < 100) this.#seen.add(key);
    diag.warn(`${this.#prefix}: ${message} (logged once; see the trisignal.exporter.* metrics for counts)`);
  }
}
