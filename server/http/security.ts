import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { originAllowed } from '../guard.js';

/**
 * The demo page's content security policy: its own scripts, styles and sockets only (no inline
 * code), camera pictures as blob:/mediastream:, and nothing else.
 */
export const DEMO_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  mediaSrc: ["'self'", 'blob:', 'mediastream:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

/** Helmet's headers, with the demo's CSP. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: DEMO_CSP_DIRECTIVES },
    // The bundle and /healthz are meant to be loaded from other origins' pages.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Plain http on a LAN or localhost is a normal set-up; HSTS is the TLS proxy's business.
    strictTransportSecurity: false,
  });
}

/** CORS for the allowed origins (null: any), and a 403 for pages of other origins. */
export function originCheck(allowed: ReadonlySet<string> | null): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!originAllowed(origin, allowed)) {
      res.status(403).json({ error: { code: 'origin_not_allowed', message: 'This origin is not allowed' } });
      return;
    }
    res.vary('Origin');
    res.set('Access-Control-Allow-Origin', allowed && origin ? origin : '*');
    next();
  };
}
