/**
 * Lua scripts that keep cluster-wide channel, presence and sign-in state in Redis, each run
 * atomically by Redis itself: the "first socket of a user" and "last subscriber" decisions are
 * made inside one script, so concurrent joins on different nodes cannot both win.
 *
 * Layout under PREFIX:
 * - `PREFIX:{app}:ch:{channel}` hash: `subs` (subscriptions), `members` (distinct presence users),
 *   `u:{user}` (that user's sockets), `i:{user}` (its user_info JSON, '' for none).
 * - `PREFIX:{app}:channels` set of occupied channel names.
 * - `PREFIX:{app}:users` hash: user id → signed-in sockets.
 * - `PREFIX:own:{node}` hash: what one node holds, keyed by a JSON array (`["c",app,channel,user]`
 *   or `["u",app,user]`) → count, so that a dead node's share can be taken back by another node.
 *   A leave or sign-out whose own field is gone (already reclaimed) changes nothing shared.
 * Scripts touch keys they derive from PREFIX; that is fine on a single Redis or a replica set
 * (not on Redis Cluster, whose hash slots would need every key declared).
 */

/** KEYS: channel hash, channels set, own hash. ARGV: channel, user ('' for none), info, max members (0 = no limit), own field. */
export const JOIN = `
local user = ARGV[2]
if user ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[1], 'u:' .. user) or '0')
  local members = tonumber(redis.call('HGET', KEYS[1], 'members') or '0')
  local max = tonumber(ARGV[4])
  if current <= 0 and max > 0 and members >= max then return {-1, 0} end
end
local subs = redis.call('HINCRBY', KEYS[1], 'subs', 1)
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
if user == '' then return {subs, 0} end
local added = 0
if redis.call('HINCRBY', KEYS[1], 'u:' .. user, 1) == 1 then
  redis.call('HSET', KEYS[1], 'i:' .. user, ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'members', 1)
  added = 1
end
return {subs, added, redis.call('HGETALL', KEYS[1])}
`;

/** KEYS: channel hash, channels set, own hash. ARGV: channel, user ('' for none), own field. */
export const LEAVE = `
if tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0') <= 0 then return {-1, 0} end
if redis.call('HINCRBY', KEYS[3], ARGV[3], -1) <= 0 then redis.call('HDEL', KEYS[3], ARGV[3]) end
local removed = 0
local user = ARGV[2]
if user ~= '' and redis.call('HINCRBY', KEYS[1], 'u:' .. user, -1) <= 0 then
  redis.call('HDEL', KEYS[1], 'u:' .. user, 'i:' .. user)
  redis.call('HINCRBY', KEYS[1], 'members', -1)
  removed = 1
end
local subs = redis.call('HINCRBY', KEYS[1], 'subs', -1)
if subs <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[1])
end
return {subs, removed}
`;

/**
 * KEYS: users hash, own hash. ARGV: user, own field, delta (1 or -1). Returns the new count, or
 * -1 for a sign-out this node no longer holds.
 */
export const SIGN = `
local delta = tonumber(ARGV[3])
if delta < 0 and tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0') <= 0 then return -1 end
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
if count <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
if redis.call('HINCRBY', KEYS[2], ARGV[2], delta) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return count
`;

/**
 * Takes back everything a dead node held. KEYS: its own hash. ARGV: PREFIX.
 * Returns a flat list: 'm', app, channel, user for each presence member that left, 'v', app,
 * channel for each channel left empty, and 'o', app, user for each user that went offline, so
 * the caller can tell the survivors.
 */
export const RECLAIM = `
local prefix = ARGV[1]
local entries = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #entries, 2 do
  local parts = cjson.decode(entries[i])
  local count = tonumber(entries[i + 1])
  if parts[1] == 'c' then
    local app, channel, user = parts[2], parts[3], parts[4]
    local key = prefix .. ':' .. app .. ':ch:' .. channel
    if user ~= '' and redis.call('HINCRBY', key, 'u:' .. user, -count) <= 0 then
      redis.call('HDEL', key, 'u:' .. user, 'i:' .. user)
      redis.call('HINCRBY', key, 'members', -1)
      table.insert(out, 'm'); table.insert(out, app); table.insert(out, channel); table.insert(out, user)
    end
    if redis.call('HINCRBY', key, 'subs', -count) <= 0 then
      redis.call('DEL', key)
      redis.call('SREM', prefix .. ':' .. app .. ':channels', channel)
      table.insert(out, 'v'); table.insert(out, app); table.insert(out, channel)
    end
  elseif parts[1] == 'u' then
    local app, user = parts[2], parts[3]
    local key = prefix .. ':' .. app .. ':users'
    if redis.call('HINCRBY', key, user, -count) <= 0 then
      redis.call('HDEL', key, user)
      table.insert(out, 'o'); table.insert(out, app); table.insert(out, user)
    end
  end
end
redis.call('DEL', KEYS[1])
return out
`;
