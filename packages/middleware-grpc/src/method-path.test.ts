import { describe, expect, it } from 'vitest';
import { parseHostPort, parseMethodPath } from './method-path.js';

describe('parseMethodPath', () => {
  it('splits /package.Service/Method', () => {
    expect(parseMethodPath('/shop.v1.Inventory/Reserve')).toEqual({
      service: 'shop.v1.Inventory',
      method: 'Reserve',
      fullMethod: 'shop.v1.Inventory/Reserve',
    });
  });

  it('keeps malformed paths whole as the method name', () => {
    expect(parseMethodPath('/weird')).toEqual({ service: '', method: 'weird', fullMethod: 'weird' });
    expect(parseMethodPath('/a.B/')).toEqual({ service: '', method: 'a.B/', fullMethod: 'a.B/' });
    expect(parseMethodPath('')).toEqual({ service: '', method: '', fullMethod: '' });
  });
});

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:50051', { address: '127.0.0.1', port: 50051 }],
    ['inventory', { address: 'inventory', port: undefined }],
    ['[::1]:443', { address: '::1', port: 443 }],
    ['[::1]', { address: '::1', port: undefined }],
    ['::1:50051', { address: '::1', port: 50051 }],
    ['host:notaport', { address: 'host:notaport', port: undefined }],
    ['host:99999', { address: 'host:99999', port: undefined }],
  ])('%s', (input, expected) => {
    expect(parseHostPort(input)).toEqual(expected);
  });

  it('has nothing for empty or unknown peers', () => {
    expect(parseHostPort('')).toBeUndefined();
    expect(parseHostPort('unknown')).toBeUndefined();
  });
});
