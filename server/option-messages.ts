// Messages of the options schema: templates whose `{}` is the name of the value at fault, filled
// in with an option's name (createRtcServer) or an environment variable's (config.ts).
import type { z } from 'zod';

/** A path as a readable name: `turn.urls`, `iceServers[0.urls]` (an entry's field). */
export type Namer = (path: readonly PropertyKey[]) => string;

/** The option's own name: `roomCapacity`, `turn.urls`, `iceServers[0.urls]`. */
export const optionName: Namer = (path) => {
  const keys = path.map(String);
  const at = path.findIndex((k) => typeof k === 'number');
  if (at < 0 || at === path.length - 1) return keys.slice(0, at < 0 ? undefined : at).join('.');
  return `${keys.slice(0, at).join('.')}[${keys.slice(at).join('.')}]`;
};

type Issue = z.core.$ZodIssue;

/**
 * The issue to report: the first one, or for a value that matched no member of a union, the issue
 * of the member it came closest to (the deepest path: `rateLimits.signal.perSocket`, not `rateLimits`).
 */
export function mainIssue(issues: readonly Issue[], base: readonly PropertyKey[] = []): { message: string; path: PropertyKey[] } {
  const issue = issues[0]!;
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { message: issue.message, path };
  const candidates = issue.errors.filter((branch) => branch.length > 0).map((branch) => mainIssue(branch, path));
  if (candidates.length === 0) return { message: issue.message, path };
  return candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a));
}

/** A message template with the names filled in: `{}` is `path`'s, `{twilio.authToken}` another's. */
export function fillNames(message: string, path: readonly PropertyKey[], name: Namer): string {
  const template = message.includes('{') ? message : `{}: ${message}`;
  return template.replace(/\{([\w.]*)\}/g, (_, other: string) => name(other ? other.split('.') : path));
}
