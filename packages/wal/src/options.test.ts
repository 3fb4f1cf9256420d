import { describe, expect, it } from 'vitest';
import { WAL_DEFAULTS, resolveWalOptions } from './options.js';
import { isWalError } from './errors.js';

describe('resolveWalOptions', () => {
  it('applies every default', () => {
    expect(resolveWalOptions({ dir: '/x' })).toEqual({
      dir: '/x',
      ...WAL_DEFAULTS,
      meter: undefined,
      logger: undefined,
    });
  });

  it('treats an explicit undefined as "use the default"', () => {
    const o = resolveWalOptions({
      dir: '/x',
      fsync: undefined,
      maxSegmentBytes: undefined,
      compressionLevel: undefined,
    });
    expect(o.fsync).toBe(WAL_DEFAULTS.fsync);
    expect(o.maxSegmentBytes).toBe(WAL_DEFAULTS.maxSegmentBytes);
    expect(o.compressionLevel).toBe(3);
  });

  it.each([
    [{ dir: '' }, 'Expected `dir` to be a non-empty string, got `""`'],
    [
      { dir: '/x', maxSegmentBytes: 10 },
      'Expected `maxSegmentBytes` to be an integer from 64 to 4294967296, got `10`',
    ],
    [
      { dir: '/x', fsync: 'sometimes' },
      "Expected `fsync` to be one of 'always', 'interval', 'never', got `\"sometimes\"`",
    ],
    [
      { dir: '/x', compressionLevel: 0 },
      'Expected `compressionLevel` to be an integer from 1 to 22, got `0`',
    ],
    [
      { dir: '/x', maxBytes: 100, maxSegmentBytes: 1000 },
      'Expected `maxBytes` to be at least `maxSegmentBytes` (1000), got `100`',
    ],
    [
      { dir: '/x', maxAgeMillis: 0 },
      'Expected `maxAgeMillis` to be a positive number of milliseconds (or Infinity), got `0`',
    ],
    [
      { dir: '/x', maxQueueBytes: 30, maxRecordBytes: 20 },
      'Expected `maxQueueBytes` to be at least `maxRecordBytes` + 24 (44), got `30`',
    ],
    [{ dir: '/x', verifyOnOpen: 'yes' }, 'Expected `verifyOnOpen` to be a boolean, got `"yes"`'],
  ])('rejects %j with a message naming field, expectation and value', (options, message) => {
    let caught: unknown;
    try {
      resolveWalOptions(options as never);
    } catch (error) {
      caught = error;
    }
    expect(isWalError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'TRISIGNAL_WAL_INVALID_OPTION', message });
  });
});
