declare const __TRISIGNAL_VERSION__: string | undefined;

/** The version of `@trisignal/exporters`: the self-metrics scope version and the `User-Agent` of every request. */
export const VERSION: string =
  typeof __TRISIGNAL_VERSION__ === 'string' ? __TRISIGNAL_VERSION__ : '0.0.0-dev';
