import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.js';

export interface HealthSource {
  /** The process is up and serving HTTP. */
  live(): boolean;
  /** Workers are running and the daemon accepts orders (false while starting or stopping). */
  ready(): boolean;
  /** Extra detail for /ready (markets, workers, reason when not ready). */
  readyDetail(): Record<string, unknown>;
  metricsText(): string;
}

function send(res: HttpResponse, status: string, contentType: string, body: string): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', contentType).writeHeader('cache-control', 'no-store').end(body);
  });
}

/** GET /health (liveness), GET /ready (readiness), GET /metrics (Prometheus text). */
export function attachOpsRoutes(app: TemplatedApp, src: HealthSource): void {
  app.get('/health', (res) => {
    send(res, src.live() ? '200 OK' : '503 Service Unavailable', 'application/json', JSON.stringify({ status: src.live() ? 'ok' : 'down' }));
  });
  app.get('/ready', (res) => {
    const ok = src.ready();
    send(res, ok ? '200 OK' : '503 Service Unavailable', 'application/json', JSON.stringify({ status: ok ? 'ready' : 'not-ready', ...src.readyDetail() }));
  });
  app.get('/metrics', (res) => {
    send(res, '200 OK', PROMETHEUS_CONTENT_TYPE, src.metricsText());
  });
}
