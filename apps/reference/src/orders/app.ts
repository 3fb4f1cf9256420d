/**
 * The `orders` HTTP API (Express 5): reads (silver), checkout calling inventory over gRPC (gold), a
 * daily report streaming stock from inventory (bronze), a slow search, an error-prone recommendations
 * route and a health check. Instrumented by two middlewares and nothing else: `goldenSignals` first,
 * `errorHandler` last.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type * as grpc from '@grpc/grpc-js';
import type { Admission, Observability } from '@trisignal/core';
import { errorHandler, goldenSignals } from '@trisignal/middleware-express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Capacity } from '../capacity.js';
import type { FaultInjector } from '../faults.js';
import type { InventoryClient, ReserveReply, StockLevel } from '../inventory-proto.js';

export interface OrdersDeps {
  readonly obs: Observability;
  readonly admission: Admission | undefined;
  readonly inventory: InventoryClient;
  readonly faults: FaultInjector;
  /** The shared work pool (reads, search, reports); checkout has its own reserved capacity. */
  readonly capacity: Capacity;
  readonly random: () => number;
}

/** Deadline of calls to inventory. */
const RPC_DEADLINE_MILLIS = 2000;

type Handler = (req: Request, res: Response) => Promise<void>;

/** Express 5 forwards rejections to the error handler; this keeps the handlers' types plain. */
function route(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };
}

export function createOrdersApp(deps: OrdersDeps): Express {
  const { obs, inventory, faults, capacity, random } = deps;
  const work = (template: string, millis: number): Promise<void> =>
    capacity.work(millis * (0.8 + 0.4 * random()) + faults.extraLatencyMs(template));

  const reserve = (itemId: string, quantity: number, orderId: string): Promise<ReserveReply> =>
    new Promise((resolve, reject) => {
      inventory.Reserve(
        { itemId, quantity, orderId },
        { deadline: Date.now() + RPC_DEADLINE_MILLIS },
        (error: grpc.ServiceError | null, reply?: ReserveReply) =>
          error === null && reply !== undefined ? resolve(reply) : reject(error ?? new Error('empty reply')),
      );
    });

  const stockLevels = (limit: number): Promise<StockLevel[]> =>
    new Promise((resolve, reject) => {
      const levels: StockLevel[] = [];
      const stream = inventory.StreamStock({ limit }, { deadline: Date.now() + RPC_DEADLINE_MILLIS });
      stream.on('data', (level: StockLevel) => levels.push(level));
      stream.on('error', reject);
      stream.on('end', () => resolve(levels));
    });

  /** A query parameter as one string ('' when absent or repeated). */
  const param = (req: Request, name: string): string => {
    const v = req.query[name];
    return typeof v === 'string' ? v : '';
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(goldenSignals({ obs, admission: deps.admission }));
  app.use(express.json({ limit: '16kb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get(
    '/api/items',
    route(async (req, res) => {
      await work('/api/items', 25);
      const page = Math.max(1, Number(req.query['page']) || 1);
      const items = Array.from({ length: 10 }, (_, i) => ({
        id: `sku-${String((page - 1) * 10 + i + 1).padStart(3, '0')}`,
      }));
      res.json({ page, items });
    }),
  );

  app.get(
    '/api/items/:id',
    route(async (req, res) => {
      await work('/api/items/:id', 15);
      const id = String(req.params['id']);
      res.json({ id, name: `Item ${id}`, priceCents: 1999 });
    }),
  );

  // The slow route: a search that scans.
  app.get(
    '/api/search',
    route(async (req, res) => {
      await work('/api/search', 300);
      res.json({ query: param(req, 'q'), hits: Math.floor(random() * 20) });
    }),
  );

  // The error-prone route: a recommendation model that fails when the scenario says so.
  app.get(
    '/api/recommendations',
    route(async (req, res) => {
      await work('/api/recommendations', 20);
      if (faults.shouldFail('/api/recommendations')) {
        obs.logger.warn('recommendation model failed (injected)', { 'shop.item.id': param(req, 'item') });
        throw new Error('recommendation model unavailable');
      }
      res.json({ item: param(req, 'item'), recommended: ['sku-007', 'sku-013', 'sku-021'] });
    }),
  );

  app.post(
    '/api/checkout',
    route(async (req, res) => {
      const body = req.body as { itemId?: unknown; quantity?: unknown } | undefined;
      const itemId = typeof body?.itemId === 'string' ? body.itemId : undefined;
      const quantity = typeof body?.quantity === 'number' ? body.quantity : 1;
      if (itemId === undefined || !Number.isInteger(quantity) || quantity < 1) {
        res.status(400).json({ error: 'itemId (string) and quantity (positive integer) are required' });
        return;
      }
      const orderId = `o-${Date.now().toString(36)}-${Math.floor(random() * 1e6).toString(36)}`;
      // Checkout does not wait in the shared pool (a bulkhead keeps gold traffic off the queue).
      await obs.withSpan('price order', () =>
        sleep(2 + random() * 3 + faults.extraLatencyMs('/api/checkout')),
      );
      const reservation = await reserve(itemId, quantity, orderId);
      obs.logger.info('order placed', {
        'shop.order.id': orderId,
        'shop.item.id': itemId,
        'shop.reservation.id': reservation.reservationId,
      });
      res.status(201).json({ orderId, reservationId: reservation.reservationId });
    }),
  );

  app.get(
    '/reports/daily',
    route(async (_req, res) => {
      await work('/reports/daily', 150);
      const levels = await stockLevels(30);
      const low = levels.filter((l) => l.available < 900).length;
      res.json({ items: levels.length, lowStock: low });
    }),
  );

  // Answers errors as JSON with the trace id, after recording them on the span and in `trisignal.errors`.
  app.use(errorHandler({ obs, respond: true }));
  return app;
}
