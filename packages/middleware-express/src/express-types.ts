import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The `next` callback Express passes to middleware. Declared structurally (not imported from
 * `@types/express`) so that the package types work with Express 4 and 5 and without `@types/express`.
 */
export type NextFunction = (err?: unknown) => void;

/** A request middleware, assignable to `express.RequestHandler` of Express 4 and 5. */
export type GoldenSignalsMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** An error middleware (four parameters), assignable to `express.ErrorRequestHandler`. */
export type ErrorHandlerMiddleware = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
) => void;
