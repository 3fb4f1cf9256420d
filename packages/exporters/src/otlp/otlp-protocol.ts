import type { DeliveryProtocol, Verdict } from '../delivery/sender.js';
import { parseRetryAfter } from '../delivery/retry.js';
import type { WarnOnce } from '../delivery/warn-once.js';
import type { ExporterMetrics } from '../metrics.js';
import type { HttpAttempt } from '../transport/http-transport.js';
import { decodePartialSuccessJson, decodePartialSuccessProto } from './partial-success.js';

/** The only statuses the OTLP/HTTP spec allows a client to retry. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Classifies one OTLP/HTTP attempt: 2xx success; 429/502/503/504 and no response retryable; everything else permanent. */
export function classifyOtlp(attempt: HttpAttempt): Verdict {
  if (attempt.kind === 'error') {
    return {
      outcome: 'retryable',
      status: undefined,
      errorType: attempt.errorType,
      retryAfterMillis: undefined,
    };
  }
  const status = attempt.status;
  if (status >= 200 && status < 300) return { outcome: 'success', status };
  if (RETRYABLE_STATUSES.has(status)) {
    return {
      outcome: 'retryable',
      status,
      errorType: String(status),
      retryAfterMillis: parseRetryAfter(attempt.headers['retry-after']),
    };
  }
  return { outcome: 'permanent', status, errorType: String(status) };
}

/**
 * The OTLP delivery rules, plus `partial_success`: a 200 whose body says some items were rejected is
 * not retried (the spec forbids it); the rejected count goes to `trisignal.exporter.items.rejected`
 * and the receiver's message is logged once.
 */
export function createOtlpProtocol(
  itemName: string,
  metrics: ExporterMetrics,
  warn: WarnOnce,
): DeliveryProtocol {
  return {
    classify: classifyOtlp,
    onSuccess(attempt, batch) {
      const body = attempt.body;
      if (body === undefined || body.length === 0) return 0;
      const type = String(attempt.headers['content-type'] ?? '');
      const ps = type.includes('json') ? decodePartialSuccessJson(body) : decodePartialSuccessProto(body);
      if (ps === undefined || (ps.rejected === 0 && ps.errorMessage === '')) return 0;
      const rejected = Math.min(ps.rejected, batch.items);
      metrics.addRejected(rejected);
      warn.warn(
        'partial_success',
        rejected > 0
          ? `the receiver rejected ${rejected} of ${batch.items} ${itemName}: ${ps.errorMessage || '(no message)'}`
          : `the receiver accepted the ${itemName} with a warning: ${ps.errorMessage}`,
      );
      return rejected;
    },
  };
}
