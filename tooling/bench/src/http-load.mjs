/**
 * An HTTP load function for the harness: autocannon used as a library, plus an optional scraper that
 * GETs a path (e.g. `/metrics`) every `scrapeIntervalMillis` while the load runs, the way Prometheus
 * would (variant option `load: { scrapePath: '/metrics' }`).
 */
import autocannon from 'autocannon';

/**
 * @param {object} [defaults]
 * @param {string} [defaults.path]           request path, default `/api/items/42`
 * @param {number} [defaults.connections]    default 50
 * @param {number} [defaults.pipelining]     default 1
 * @param {number} [defaults.scrapeIntervalMillis] default 1000
 * @param {number} [defaults.rate]          fixed total request rate (req/s) instead of saturation: at the same
 *   rate every variant does the same work per event-loop turn, so CPU µs/request compares cleanly
 * @returns {import('./harness.mjs').LoadFunction}
 */
export function createHttpLoad(defaults = {}) {
  const path = defaults.path ?? '/api/items/42';
  const connections = defaults.connections ?? 50;
  const pipelining = defaults.pipelining ?? 1;
  const scrapeIntervalMillis = defaults.scrapeIntervalMillis ?? 1000;
  const rate = defaults.rate;
  return async ({ port, durationSeconds, variant }) => {
    const scrapePath = variant.load?.scrapePath;
    let scrapes = 0;
    let scrapeFailures = 0;
    let timer;
    if (typeof scrapePath === 'string') {
      timer = setInterval(() => {
        fetch(`http://127.0.0.1:${port}${scrapePath}`)
          .then((r) => r.arrayBuffer().then(() => (r.ok ? scrapes++ : scrapeFailures++)))
          .catch(() => scrapeFailures++);
      }, scrapeIntervalMillis);
    }
    try {
      const result = await autocannon({
        url: `http://127.0.0.1:${port}${path}`,
        connections,
        pipelining,
        duration: durationSeconds,
        ...(rate === undefined ? {} : { overallRate: rate }),
      });
      return {
        requests: result.requests.total,
        rps: result.requests.total / durationSeconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        scrapes,
        scrapeFailures,
      };
    } finally {
      if (timer) clearInterval(timer);
    }
  };
}
