declare const __TRISIGNAL_VERSION__: string | undefined;

/** The version of `@trisignal/middleware-grpc`, put on the instrumentation scope of its spans and meters. */
export const VERSION: string =
  typeof __TRISIGNAL_VERSION__ === 'string' ? __TRISIGNAL_VERSION__ : '0.0.0-dev';
