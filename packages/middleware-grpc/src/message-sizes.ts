import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** A call whose response messages are being charged to it. */
export interface SizedCall {
  responseBytes: number;
}

// Serialized sizes travel beside the messages, keyed by the message objects themselves: a weak map
// entry per message in flight, gone with the message if it is never delivered.
const requestSizes = new WeakMap<object, number>();
const responseOwners = new WeakMap<object, SizedCall>();
const measured = new WeakSet<(...args: never[]) => unknown>();

/** True when a method's deserializer came from {@link measureMessageSizes}. */
export function isMeasured(deserialize: unknown): boolean {
  return typeof deserialize === 'function' && measured.has(deserialize as (...args: never[]) => unknown);
}

/** The wire size of a request message the measured deserializer produced (read once). */
export function takeRequestSize(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const size = requestSizes.get(message);
  if (size !== undefined) requestSizes.delete(message);
  return size;
}

/** Charges the next serialization of `message` to `call`. */
export function chargeResponse(message: unknown, call: SizedCall): void {
  if (typeof message === 'object' && message !== null) responseOwners.set(message, call);
}

function measureDeserialize<TMessage>(deserialize: (bytes: Buffer) => TMessage): (bytes: Buffer) => TMessage {
  if (measured.has(deserialize)) return deserialize;
  const wrapped = (bytes: Buffer): TMessage => {
    const message = deserialize(bytes);
    if (typeof message === 'object' && message !== null) requestSizes.set(message, bytes.length);
    return message;
  };
  measured.add(wrapped);
  return wrapped;
}

function measureSerialize<TMessage>(serialize: (value: TMessage) => Buffer): (value: TMessage) => Buffer {
  if (measured.has(serialize)) return serialize;
  const wrapped = (value: TMessage): Buffer => {
    const bytes = serialize(value);
    if (typeof value === 'object' && value !== null) {
      const owner = responseOwners.get(value);
      if (owner !== undefined) {
        owner.responseBytes += bytes.length;
        responseOwners.delete(value);
      }
    }
    return bytes;
  };
  measured.add(wrapped);
  return wrapped;
}

/**
 * Returns a copy of a service definition whose (de)serializers also report message sizes to
 * {@link serverInterceptor}, which then records `rpc.server.request.size` and `rpc.server.response.size`
 * (uncompressed protobuf bytes per call). grpc-js gives interceptors deserialized messages only, so
 * sizes need this one extra step; it costs a weak-map write per message and no second serialization.
 * @example
 * server.addService(measureMessageSizes(proto.shop.Inventory.service), implementation);
 */
export function measureMessageSizes<TService extends ServiceDefinition>(service: TService): TService {
  const out: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, definition] of Object.entries(
    service as Record<string, MethodDefinition<unknown, unknown>>,
  )) {
    out[name] = {
      ...definition,
      requestDeserialize: measureDeserialize(definition.requestDeserialize),
      responseSerialize: measureSerialize(definition.responseSerialize),
    };
  }
  return out as unknown as TService;
}
