/** The `shop.Inventory` gRPC service definition, loaded from `src/proto/inventory.proto`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface ReserveRequest {
  itemId: string;
  quantity: number;
  orderId: string;
}
export interface ReserveReply {
  reservationId: string;
  remaining: number;
}
export interface StockRequest {
  limit: number;
}
export interface StockLevel {
  itemId: string;
  available: number;
}

/** A typed client of `shop.Inventory`. */
export interface InventoryClient extends grpc.Client {
  Reserve(
    request: ReserveRequest,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: ReserveReply) => void,
  ): grpc.ClientUnaryCall;
  StreamStock(request: StockRequest, options: grpc.CallOptions): grpc.ClientReadableStream<StockLevel>;
}

type InventoryClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => InventoryClient;

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'proto', 'inventory.proto');

/** Loads the service definition and the client constructor. */
export function loadInventory(): {
  service: grpc.ServiceDefinition;
  Client: InventoryClientConstructor;
} {
  const definition = protoLoader.loadSync(PROTO, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    shop: { Inventory: InventoryClientConstructor & { service: grpc.ServiceDefinition } };
  };
  return { service: loaded.shop.Inventory.service, Client: loaded.shop.Inventory };
}
