declare const __TRISIGNAL_VERSION__: string | undefined;

/** The version of `@trisignal/core`, put on the instrumentation scope of everything core produces. */
export const VERSION: string =
  typeof __TRISIGNAL_VERSION__ === 'string' ? __TRISIGNAL_VERSION__ : '0.0.0-dev';
