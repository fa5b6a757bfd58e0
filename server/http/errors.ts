import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Any path no route took: a 404 with a JSON body. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
};

/** A failed request: its status with a JSON body; details stay in the log (5xx only). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err: error }, 'http request failed');
    const notFound = status === 404;
    res
      .status(status)
      .json({ error: { code: notFound ? 'not_found' : 'internal', message: notFound ? 'Not found' : 'Internal server error' } });
  };
}
