declare const __TRISIGNAL_VERSION__: string | undefined;

/** The version of `@trisignal/slo` (replaced at build time). */
export const VERSION: string =
  typeof __TRISIGNAL_VERSION__ === 'string' ? __TRISIGNAL_VERSION__ : '0.0.0-dev';
