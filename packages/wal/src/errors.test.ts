import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WAL_ERROR_CODES, WalError, ioError, isWalError } from './errors.js';

describe('WalError', () => {
  it('carries a code and the @trisignal/error brand that core’s isTrisignalError checks', () => {
    const error = new WalError('TRISIGNAL_WAL_CLOSED', 'closed', { cause: 'x' });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('TRISIGNAL_WAL_CLOSED');
    expect(error.name).toBe('WalError');
    expect(error.cause).toBe('x');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('@trisignal/error')]).toBe(true);
    expect(isWalError(error)).toBe(true);
    expect(isWalError(new Error('x'))).toBe(false);
    expect(isWalError({ code: 'TRISIGNAL_WAL_CLOSED' })).toBe(false);
  });

  it('maps ENOSPC and EDQUOT to DISK_FULL and other failures to IO_ERROR', () => {
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(ioError('write', '/f', enospc).code).toBe('TRISIGNAL_WAL_DISK_FULL');
    expect(ioError('write', '/f', Object.assign(new Error('q'), { code: 'EDQUOT' })).code).toBe(
      'TRISIGNAL_WAL_DISK_FULL',
    );
    const eio = ioError('write', '/f', Object.assign(new Error('io'), { code: 'EIO' }));
    expect(eio.code).toBe('TRISIGNAL_WAL_IO_ERROR');
    expect(eio.message).toBe('Failed to write /f: io');
  });

  it('documents every code in the README Errors table', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Errors'),
      readme.indexOf('\n## ', readme.indexOf('## Errors') + 1),
    );
    for (const code of WAL_ERROR_CODES)
      expect(section, code).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });
});
