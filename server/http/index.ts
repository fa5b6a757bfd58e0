// The HTTP side: security headers and origin check, /healthz, /metrics, the bundle and demo, 404s.
import express from 'express';
import type { Logger } from 'pino';
import type { RtcMetrics } from '../metrics.js';
import { errorHandler, notFound } from './errors.js';
import { healthz, type HealthOptions } from './healthz.js';
import { originCheck, securityHeaders } from './security.js';
import { staticFiles } from './static.js';

export { DEMO_CSP_DIRECTIVES } from './security.js';

export interface HttpAppOptions extends HealthOptions {
  logger: Logger;
  /** Origins whose pages may use the server; null: any. */
  allowed: ReadonlySet<string> | null;
  /** The registry behind `GET /metrics`, read when scraped; null: no route. */
  metrics: (() => RtcMetrics) | null;
  bundleDir?: string | undefined;
  demoDir?: string | undefined;
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Each route answers at its exact path only: `/metrics/` and `/METRICS` are 404s, so a proxy
  // rule for the exact path (`location = /metrics`) covers every way to reach it.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // JSON answers may quote a request's path: < > & go out as \u003c etc., never as markup.
  app.set('json escape', true);
  app.use(securityHeaders());
  app.use(originCheck(options.allowed));
  app.get('/healthz', healthz(options));
  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      const registry = metrics();
      res.type(registry.registry.contentType).send(await registry.render());
    });
  }
  app.use(staticFiles(options));
  app.use(notFound);
  app.use(errorHandler(options.logger));
  return app;
}
