import { SpanKind, trace } from '@opentelemetry/api';
import type { ErrorClassification } from '@trisignal/core';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ErrorHandlerMiddleware, NextFunction } from './express-types.js';
import { requestStateOf } from './golden-signals.js';
import { ExpressMiddlewareMetrics } from './metrics.js';
import { type ErrorHandlerOptions, resolveErrorHandlerOptions } from './options.js';
import { VERSION } from './version.js';

const NON_RECORDING_SPAN = trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 });

/** The status an error asks for (`status` / `statusCode` of http-errors and friends), when it is 4xx/5xx. */
function explicitStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const e = error as { status?: unknown; statusCode?: unknown };
    const status = typeof e.status === 'number' ? e.status : e.statusCode;
    return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
      ? status
      : undefined;
  } catch {
    return undefined;
  }
}

function fromClassification(classification: ErrorClassification | undefined): number {
  const status = classification?.httpStatus;
  return status !== undefined && status >= 400 && status <= 599 ? status : 500;
}

/**
 * Creates the Express error middleware (four parameters) that records what the handlers threw,
 * rejected (Express 5) or passed to `next(err)` on the request's span: classification by core,
 * exception event, `error.type`, status ERROR for server errors only (a 4xx stays UNSET, per semconv),
 * and one count on `trisignal.errors`. It then passes the error on, or answers it with `respond: true`.
 * Mount it after the routes. Never throws per request.
 * @example
 * app.use(goldenSignals({ obs }));
 * app.get('/api/items/:id', handler);
 * app.use(errorHandler({ obs, respond: true }));
 */
export function errorHandler(options: ErrorHandlerOptions): ErrorHandlerMiddleware {
  const resolved = resolveErrorHandlerOptions(options);
  const obs = resolved.obs;
  const metrics = new ExpressMiddlewareMetrics(
    obs.meterProvider.getMeter('@trisignal/middleware-express', VERSION),
  );
  return function trisignalErrorHandler(
    err: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
    next: NextFunction,
  ): void {
    let classification: ErrorClassification | undefined;
    try {
      const state = requestStateOf(res);
      if (state !== undefined && !state.done) {
        classification = state.recordError(err);
      } else {
        // No goldenSignals() in front: still classify, count, and annotate whatever span is active.
        classification = obs.recordError(trace.getActiveSpan() ?? NON_RECORDING_SPAN, err, {
          spanKind: SpanKind.SERVER,
        });
      }
    } catch {
      metrics.addInternalError('error_handler');
    }
    if (!resolved.respond || res.headersSent) {
      next(err);
      return;
    }
    try {
      const status = explicitStatus(err) ?? fromClassification(classification);
      const traceId = requestStateOf(res)?.span?.spanContext().traceId;
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: STATUS_CODES[status] ?? 'Error', traceId }));
    } catch (error) {
      metrics.addInternalError('error_handler');
      next(error);
    }
  };
}
