// The Lua scripts that change room membership, each atomic across nodes, registered with
// node-redis (`createClient({ scripts: ROOM_SCRIPTS })`): the client sends EVALSHA and, when
// Redis does not know the script (first use, or after a restart), EVAL. Each definition encodes
// its arguments (`parseCommand`) and decodes its reply (`transformReply`), so callers see types.
// String.raw: the `\n` separators in the Lua are Lua escapes, not JavaScript ones.
import { defineScript, type CommandParser } from 'redis';
import type { MediaState } from '../../../protocol/index.js';
import type { AdmitOptions, Member, Purged } from '../store.js';
import { parseMembers, type RedisKeys, type StoredMember } from './keys.js';

/** Members of a dead node removed per script call, so that Redis is never blocked for long. */
export const PURGE_BATCH = 200;

/**
 * KEYS: members, capacity. ARGV: prefix, room, id, name, socketId, node, capacity, record JSON,
 * purge ('1': members of nodes without a heartbeat are removed; else they count as present),
 * resume ('1': the join came with a resume token), grace seats per IP ('0': no cap).
 * One seat per identity: another seat of the record's `sub` is released (a resume whose own seat
 * is gone is refused instead: 'taken'); a new seat of a member without `sub` releases the oldest
 * away seats of its `ip` so that fewer than the cap remain. Returns {ok, capacity, previous
 * socket, others JSON, purged JSON, released JSON (ok) or reason ('taken', '': full)}.
 */
const ADMIT = String.raw`
local prefix, room, id, node, purge = ARGV[1], ARGV[2], ARGV[3], ARGV[6], ARGV[9] == '1'
local resume, cap = ARGV[10] == '1', tonumber(ARGV[11]) or 0
local record = cjson.decode(ARGV[8])
local sub, ip = record.sub, record.ip
local all = redis.call('HGETALL', KEYS[1])
local alive, others, purged, released, held, previous = {}, {}, {}, {}, {}, nil
for i = 1, #all, 2 do
  local m = cjson.decode(all[i + 1])
  if m.id == id then
    previous = m
  else
    if alive[m.node] == nil then alive[m.node] = not purge or redis.call('EXISTS', prefix .. 'node:' .. m.node) == 1 end
    if not alive[m.node] then
      redis.call('HDEL', KEYS[1], m.id)
      redis.call('SREM', prefix .. 'node:' .. m.node .. ':members', room .. '\n' .. m.id)
      table.insert(purged, cjson.encode(m.id))
    else
      local entry = {m = m, raw = all[i + 1]}
      table.insert(others, entry)
      if sub ~= nil and m.sub == sub then
        table.insert(released, entry)
      elseif sub == nil and ip ~= nil and m.away == true and m.ip == ip then
        table.insert(held, entry)
      end
    end
  end
end
local capacity = tonumber(redis.call('GET', KEYS[2]))
if capacity == nil or (#others == 0 and previous == nil) then
  capacity = tonumber(ARGV[7])
  redis.call('SET', KEYS[2], capacity)
end
local function json(entries, skip)
  local out = {}
  for _, e in ipairs(entries) do
    if not (skip and skip[e.m.id]) then table.insert(out, e.raw) end
  end
  return '[' .. table.concat(out, ',') .. ']'
end
local purgedJson = '[' .. table.concat(purged, ',') .. ']'
if previous == nil and resume and #released > 0 then return {0, capacity, '', json(others), purgedJson, 'taken'} end
if previous == nil and sub == nil and ip ~= nil and cap > 0 and #held >= cap then
  table.sort(held, function(a, b) return a.m.seq < b.m.seq end)
  for j = 1, #held - cap + 1 do table.insert(released, held[j]) end
end
local gone = {}
for _, e in ipairs(released) do gone[e.m.id] = true end
if previous == nil and #others - #released >= capacity then return {0, capacity, '', json(others), purgedJson, ''} end
local othersJson = json(others, gone)
for _, e in ipairs(released) do
  redis.call('HDEL', KEYS[1], e.m.id)
  redis.call('SREM', prefix .. 'node:' .. e.m.node .. ':members', room .. '\n' .. e.m.id)
end
local seq = previous and previous.seq or redis.call('INCR', prefix .. 'seq')
if previous and previous.node ~= node then
  redis.call('SREM', prefix .. 'node:' .. previous.node .. ':members', room .. '\n' .. id)
end
record.id = id
record.name = ARGV[4]
record.socketId = ARGV[5]
record.node = node
record.seq = seq
record.away = false
redis.call('HSET', KEYS[1], id, cjson.encode(record))
redis.call('SADD', prefix .. 'node:' .. node .. ':members', room .. '\n' .. id)
redis.call('SADD', prefix .. 'nodes', node)
return {1, capacity, previous and previous.socketId or '', othersJson, purgedJson, json(released)}
`;

/** KEYS: members, capacity. ARGV: prefix, room, id, socketId ('' = whichever). Returns the members left, as JSON. */
const REMOVE = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[3])
if not raw then return '[]' end
local m = cjson.decode(raw)
if ARGV[4] ~= '' and m.socketId ~= ARGV[4] then return '[]' end
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('SREM', ARGV[1] .. 'node:' .. m.node .. ':members', ARGV[2] .. '\n' .. ARGV[3])
local rest = redis.call('HVALS', KEYS[1])
if #rest == 0 then redis.call('DEL', KEYS[2]) end
return '[' .. table.concat(rest, ',') .. ']'
`;

/** KEYS: members. ARGV: id, socketId. */
const MARK_AWAY = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local m = cjson.decode(raw)
if m.socketId ~= ARGV[2] then return 0 end
m.away = true
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
return 1
`;

/** KEYS: members. ARGV: id, media state as JSON. Returns the other members, as JSON. */
const SET_MEDIA = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return '[]' end
local m = cjson.decode(raw)
m.media = cjson.decode(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
local others = {}
for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
  if cjson.decode(value).id ~= ARGV[1] then table.insert(others, value) end
end
return '[' .. table.concat(others, ',') .. ']'
`;

/**
 * KEYS: members, capacity. ARGV: prefix, room, id, socketId, node. Removes the member only while
 * it is still this node's, on that socket. Returns {1, JSON of the members left} or {0}.
 */
const REMOVE_STALE = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[3])
if not raw then return {0} end
local m = cjson.decode(raw)
if m.socketId ~= ARGV[4] or m.node ~= ARGV[5] then return {0} end
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('SREM', ARGV[1] .. 'node:' .. m.node .. ':members', ARGV[2] .. '\n' .. ARGV[3])
local rest = redis.call('HVALS', KEYS[1])
if #rest == 0 then redis.call('DEL', KEYS[2]) end
return {1, '[' .. table.concat(rest, ',') .. ']'}
`;

/**
 * ARGV: prefix, node, batch size. Once the node's heartbeat is gone, takes up to `batch` entries
 * of its member set (SPOP) and removes those members that are still its own (not resumed on
 * another node). Returns done (1: nothing left, or the node is alive), then id, JSON of the
 * members left in its room, id, …. Called again until done, so that Redis is never blocked for
 * long by a node that had thousands of members. Each batch is atomic: of several nodes sweeping
 * at once, each gets different members (and tells the others).
 */
const PURGE_NODE = String.raw`
local prefix, node, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', prefix .. 'node:' .. node) == 1 then return {1} end
local set = prefix .. 'node:' .. node .. ':members'
local out = {0}
for _, entry in ipairs(redis.call('SPOP', set, batch)) do
  local nl = string.find(entry, '\n', 1, true)
  local room, id = string.sub(entry, 1, nl - 1), string.sub(entry, nl + 1)
  local key = prefix .. 'room:{' .. room .. '}:members'
  local raw = redis.call('HGET', key, id)
  if raw and cjson.decode(raw).node == node then
    redis.call('HDEL', key, id)
    local rest = redis.call('HVALS', key)
    if #rest == 0 then redis.call('DEL', prefix .. 'room:{' .. room .. '}:capacity') end
    table.insert(out, id)
    table.insert(out, '[' .. table.concat(rest, ',') .. ']')
  end
end
if redis.call('SCARD', set) == 0 then
  redis.call('SREM', prefix .. 'nodes', node)
  out[1] = 1
end
return out
`;

/** KEYS: the node's heartbeat. ARGV: its expiry in ms. Writes it; returns 1 if it was still there, 0 if not. */
const HEARTBEAT = String.raw`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return existed
`;

/** An admission as the script answers it; `purged`: ids of dead nodes' members it removed from the room. */
export interface AdmitReply {
  ok: boolean;
  capacity: number;
  previousSocketId?: string;
  /** The other members, in join order (without those released). */
  others: StoredMember[];
  purged: string[];
  /** Refused: a resume whose seat another seat of its `sub` took over. */
  taken?: true;
  /** Admitted: the seats it released (the same `sub`'s, or its IP's oldest held in grace). */
  released?: StoredMember[];
}

/** A member's record besides id, name and bookkeeping: what the others see (from its access token), and its IP when capped. */
const stored = ({ sub, publish, ip }: Member) =>
  JSON.stringify({ ...(sub !== undefined ? { sub } : {}), ...(publish === false ? { publish } : {}), ...(ip !== undefined ? { ip } : {}) });

/**
 * The scripts, for `createClient({ scripts })`; each becomes a method of the client:
 * `client.roomAdmit(keys, room, member, node, capacity, purge)` etc. (arguments after `parser`).
 */
export const ROOM_SCRIPTS = {
  /** `purge`: members of nodes without a heartbeat are removed on the way in (else they count as present). */
  roomAdmit: defineScript({
    SCRIPT: ADMIT,
    NUMBER_OF_KEYS: 2,
    parseCommand(
      parser: CommandParser,
      keys: RedisKeys,
      room: string,
      member: Member,
      node: string,
      capacity: number,
      purge: boolean,
      options: AdmitOptions = {},
    ) {
      parser.pushKey(keys.members(room));
      parser.pushKey(keys.capacity(room));
      parser.push(keys.prefix, room, member.id, member.name, member.socketId, node, String(capacity), stored(member), purge ? '1' : '0');
      parser.push(options.resume ? '1' : '0', String(options.graceSeatsPerIp ?? 0));
    },
    transformReply(reply: [number, number, string, string, string, string?]): AdmitReply {
      const [ok, capacity, previousSocketId, others, purged, last] = reply;
      const released = ok === 1 && last ? parseMembers(last) : [];
      return {
        ok: ok === 1,
        capacity: Number(capacity),
        ...(previousSocketId ? { previousSocketId } : {}),
        others: parseMembers(others),
        purged: JSON.parse(purged) as string[],
        ...(ok !== 1 && last === 'taken' ? { taken: true as const } : {}),
        ...(released.length ? { released } : {}),
      };
    },
  }),
  /** `socketId` '': whichever socket. Resolves with the members left (none when nothing was removed). */
  roomRemove: defineScript({
    SCRIPT: REMOVE,
    NUMBER_OF_KEYS: 2,
    parseCommand(parser: CommandParser, keys: RedisKeys, room: string, id: string, socketId: string) {
      parser.pushKey(keys.members(room));
      parser.pushKey(keys.capacity(room));
      parser.push(keys.prefix, room, id, socketId);
    },
    transformReply: (reply: string): StoredMember[] => parseMembers(reply),
  }),
  /** Resolves with whether the member was marked (false: not on that socket). */
  roomMarkAway: defineScript({
    SCRIPT: MARK_AWAY,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser: CommandParser, keys: RedisKeys, room: string, id: string, socketId: string) {
      parser.pushKey(keys.members(room));
      parser.push(id, socketId);
    },
    transformReply: (reply: number): boolean => reply === 1,
  }),
  /** Resolves with the other members. */
  roomSetMedia: defineScript({
    SCRIPT: SET_MEDIA,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser: CommandParser, keys: RedisKeys, room: string, id: string, media: MediaState) {
      parser.pushKey(keys.members(room));
      parser.push(id, JSON.stringify(media));
    },
    transformReply: (reply: string): StoredMember[] => parseMembers(reply),
  }),
  /** Removes the member only while it is `node`'s, on `socketId`; resolves with the members left, or null if it did not. */
  roomRemoveStale: defineScript({
    SCRIPT: REMOVE_STALE,
    NUMBER_OF_KEYS: 2,
    parseCommand(parser: CommandParser, keys: RedisKeys, room: string, id: string, socketId: string, node: string) {
      parser.pushKey(keys.members(room));
      parser.pushKey(keys.capacity(room));
      parser.push(keys.prefix, room, id, socketId, node);
    },
    transformReply: (reply: [number, string?]): StoredMember[] | null => (reply[0] === 1 ? parseMembers(reply[1]!) : null),
  }),
  /** One batch of a dead node's members removed; `done`: nothing is left, or the node is alive. */
  nodePurge: defineScript({
    SCRIPT: PURGE_NODE,
    NUMBER_OF_KEYS: 0,
    parseCommand(parser: CommandParser, keys: RedisKeys, node: string, batch: number = PURGE_BATCH) {
      parser.push(keys.prefix, node, String(batch));
    },
    transformReply(reply: [number, ...string[]]): { done: boolean; purged: Purged } {
      const [done, ...out] = reply;
      const purged: Purged = [];
      for (let i = 0; i < out.length; i += 2) purged.push({ id: out[i]!, others: parseMembers(out[i + 1]!) });
      return { done: done === 1, purged };
    },
  }),
  /** Writes the node's heartbeat (expiring in `ttlMs`); resolves with whether it was still there. */
  nodeHeartbeat: defineScript({
    SCRIPT: HEARTBEAT,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser: CommandParser, keys: RedisKeys, node: string, ttlMs: number) {
      parser.pushKey(keys.heartbeat(node));
      parser.push(String(ttlMs));
    },
    transformReply: (reply: number): boolean => reply === 1,
  }),
};

export type RoomScripts = typeof ROOM_SCRIPTS;
