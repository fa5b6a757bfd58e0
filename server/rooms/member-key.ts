/**
 * The key of one member of one room (`room\nid`), for maps of members across rooms. A newline
 * cannot appear in a room name or a member id (protocol/ refuses control characters), so the key
 * is unambiguous; the Redis store's member sets and Lua scripts use the same form.
 */
export function memberKey(room: string, id: string): string {
  return `${room}\n${id}`;
}

/** The room and member id of a key made by `memberKey`: room names have no newline, so it splits at the first. */
export function parseMemberKey(key: string): { room: string; id: string } {
  const at = key.indexOf('\n');
  if (at < 0) throw new TypeError('not a member key');
  return { room: key.slice(0, at), id: key.slice(at + 1) };
}
