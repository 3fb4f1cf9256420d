/**
 * `@trisignal/exporters/prometheus`: a scrape handler for `node:http` and Express and a standalone
 * server (port 9464), rendering metrics as Prometheus text 0.0.4 or OpenMetrics 1.0 (with exemplars)
 * by `Accept` negotiation, with optional bearer or basic auth.
 */
export { prometheusScrape, startPrometheusServer, PROMETHEUS_SERVER_DEFAULTS } from './prometheus/scrape.js';
export type {
  ScrapeSource,
  ScrapeHandler,
  PrometheusScrapeOptions,
  PrometheusServerOptions,
  PrometheusServer,
} from './prometheus/scrape.js';
export type { ScrapeAuth } from './prometheus/auth.js';
export { serializeMetrics, CONTENT_TYPES } from './prometheus/serialize.js';
export type { ExpositionFormat, ExpositionOptions } from './prometheus/serialize.js';
export { negotiateFormat } from './prometheus/negotiate.js';
export { sanitizeMetricName, sanitizeLabelName, unitSuffix, familyName } from './prometheus/naming.js';
