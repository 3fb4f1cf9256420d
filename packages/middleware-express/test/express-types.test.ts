// Compile-time check (tsc runs over test/): the middlewares are accepted by Express 5's typings
// (@types/express) without casts; the runtime check keeps vitest honest about the file.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import { createTelemetry } from './harness.js';

describe('types', () => {
  it('are assignable to RequestHandler and ErrorRequestHandler', async () => {
    const t = createTelemetry({ registerGlobals: false });
    const app = express();
    const middleware: RequestHandler = goldenSignals({ obs: t.obs });
    const onError: ErrorRequestHandler = errorHandler({ obs: t.obs });
    app.use(goldenSignals({ obs: t.obs }));
    app.use(errorHandler({ obs: t.obs }));
    expect(middleware.length).toBe(3);
    // Express tells error middleware apart by arity.
    expect(onError.length).toBe(4);
    await t.shutdown();
  });
});
