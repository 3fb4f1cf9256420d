import { describe, expect, it } from 'vitest';
import {
  knownSeriesNames,
  LABEL_SLO_CLASS,
  PROM_EVENTLOOP_DELAY_P99,
  PROM_EVENTLOOP_UTILIZATION,
  PROM_HEAP_USED,
  PROM_HTTP_SERVER_ACTIVE,
  PROM_HTTP_SERVER_DURATION,
  PROM_RPC_SERVER_DURATION,
  PROM_SLO_BREAKER_STATE,
  PROM_SLO_HEALTH_SCORE,
  PROM_SLO_SHED,
  toPrometheusLabel,
  toPrometheusName,
} from './names.js';

describe('OpenTelemetry → Prometheus names', () => {
  it('maps the golden signals and runtime metrics as the exporters and the OTLP translation do', () => {
    expect(PROM_HTTP_SERVER_DURATION.prometheus).toBe('http_server_request_duration_seconds');
    expect(PROM_RPC_SERVER_DURATION.prometheus).toBe('rpc_server_call_duration_seconds');
    expect(PROM_HTTP_SERVER_ACTIVE.prometheus).toBe('http_server_active_requests');
    expect(PROM_EVENTLOOP_DELAY_P99.prometheus).toBe('nodejs_eventloop_delay_p99_seconds');
    expect(PROM_EVENTLOOP_UTILIZATION.prometheus).toBe('nodejs_eventloop_utilization_ratio');
    expect(PROM_HEAP_USED.prometheus).toBe('v8js_memory_heap_used_bytes');
    expect(PROM_SLO_HEALTH_SCORE.prometheus).toBe('trisignal_slo_health_score_ratio');
    expect(PROM_SLO_BREAKER_STATE.prometheus).toBe('trisignal_slo_breaker_state');
    expect(PROM_SLO_SHED.prometheus).toBe('trisignal_slo_shed_total');
    expect(knownSeriesNames()).toContain('http_server_request_duration_seconds_bucket');
  });

  it('applies the unit and type suffix rules', () => {
    expect(toPrometheusName('process.cpu.time', 's', 'counter')).toBe('process_cpu_time_seconds_total');
    expect(toPrometheusName('trisignal.errors', '{error}', 'counter')).toBe('trisignal_errors_total');
    expect(toPrometheusName('x.ratio', '1', 'counter')).toBe('x_ratio_total');
    expect(toPrometheusName('x.throughput', 'By/s', 'gauge')).toBe('x_throughput_bytes_per_seconds');
    expect(toPrometheusName('http.server.request.body.size', 'By', 'histogram')).toBe(
      'http_server_request_body_size_bytes',
    );
    expect(toPrometheusName('already_seconds', 's', 'gauge')).toBe('already_seconds');
  });

  it('maps attributes to labels', () => {
    expect(toPrometheusLabel('http.request.method')).toBe('http_request_method');
    expect(toPrometheusLabel('rpc.grpc.status_code')).toBe('rpc_grpc_status_code');
    expect(LABEL_SLO_CLASS).toBe('trisignal_slo_class');
  });
});
