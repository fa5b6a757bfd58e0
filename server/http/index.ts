// The HTTP side: security headers and origin check, /healthz, /metrics, the bundle and demo; and
// for the standalone server only, the JSON 404 and error answers.
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

export interface HttpApps {
  /** The routes alone, to mount in another app: headers and origin check on them only, `next()` for the rest. */
  readonly app: express.Express;
  /** The same routes as a whole site (the server's own HTTP server): headers on every answer, JSON 404s. */
  readonly standalone: express.Express;
}

function baseApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Each route answers at its exact path only: `/metrics/` and `/METRICS` are 404s, so a proxy
  // rule for the exact path (`location = /metrics`) covers every way to reach it.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // JSON answers may quote a request's path: < > & go out as \u003c etc., never as markup.
  app.set('json escape', true);
  return app;
}

/** `GET /metrics` in the Prometheus text format. */
function metricsRoute(metrics: () => RtcMetrics): express.RequestHandler {
  return async (_req, res) => {
    const registry = metrics();
    res.type(registry.registry.contentType).send(await registry.render());
  };
}

export function createHttpApps(options: HttpAppOptions): HttpApps {
  const guard = express.Router().use(securityHeaders(), originCheck(options.allowed));
  const routes = express.Router({ caseSensitive: true, strict: true });
  routes.get('/healthz', healthz(options));
  const { metrics } = options;
  if (metrics) routes.get('/metrics', metricsRoute(metrics));
  const files = staticFiles(options);
  routes.use(files.router);
  const owns = (path: string) => path === '/healthz' || (!!metrics && path === '/metrics') || files.owns(path);

  const app = baseApp();
  app.use((req, res, next) => (owns(req.path) ? guard(req, res, next) : next()));
  app.use(routes);

  const standalone = baseApp();
  standalone.use(guard, routes, notFound, errorHandler(options.logger));
  return { app, standalone };
}

/** `GET /metrics` alone, for its own port (`metricsPort`). */
export function createMetricsApp(metrics: RtcMetrics, logger: Logger): express.Express {
  const app = baseApp();
  app.use(securityHeaders());
  app.get(
    '/metrics',
    metricsRoute(() => metrics),
  );
  app.use(notFound, errorHandler(logger));
  return app;
}
