import { describe, expect, it } from 'vitest';
import { escapeLabelValue, familyName, sanitizeLabelName, sanitizeMetricName, unitSuffix } from './naming.js';

describe('Prometheus naming', () => {
  it('sanitises metric names: invalid characters to one underscore, no leading digit', () => {
    expect(sanitizeMetricName('http.server.request.duration')).toBe('http_server_request_duration');
    expect(sanitizeMetricName('a..b--c')).toBe('a_b_c');
    expect(sanitizeMetricName('9lives')).toBe('_9lives');
    expect(sanitizeMetricName('ns:metric')).toBe('ns:metric');
    expect(sanitizeMetricName('日本')).toBe('_');
  });

  it('sanitises label names, keeping __ for Prometheus', () => {
    expect(sanitizeLabelName('http.request.method')).toBe('http_request_method');
    expect(sanitizeLabelName('0day')).toBe('key_0day');
    expect(sanitizeLabelName('__secret')).toBe('key__secret');
    expect(sanitizeLabelName('a:b')).toBe('a_b');
  });

  it('turns UCUM units into suffixes', () => {
    expect(unitSuffix('s', false)).toBe('seconds');
    expect(unitSuffix('ms', false)).toBe('milliseconds');
    expect(unitSuffix('By', false)).toBe('bytes');
    expect(unitSuffix('{request}', false)).toBe('');
    expect(unitSuffix('1', true)).toBe('ratio');
    expect(unitSuffix('1', false)).toBe('');
    expect(unitSuffix('By/s', false)).toBe('bytes_per_second');
    expect(unitSuffix('{packet}/s', false)).toBe('per_second');
    expect(unitSuffix('Cel', true)).toBe('celsius');
    expect(unitSuffix('furlong', true)).toBe('furlong');
  });

  it('builds family names with the unit once and without _total', () => {
    expect(familyName('http.server.request.duration', 's', false)).toEqual({
      family: 'http_server_request_duration_seconds',
      unit: 'seconds',
    });
    expect(familyName('process.cpu.time', 's', false).family).toBe('process_cpu_time_seconds');
    expect(familyName('latency_seconds', 's', false).family).toBe('latency_seconds');
    expect(familyName('requests_total', '{request}', false).family).toBe('requests');
    expect(familyName('cpu.utilization', '1', true).family).toBe('cpu_utilization_ratio');
    expect(familyName('x', '', true, 'app').family).toBe('app_x');
  });

  it('escapes label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});
