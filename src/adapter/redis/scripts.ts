/**
 * Lua scripts that change the cluster's shared state in Redis. Redis runs each atomically, so the
 * "first socket of a user", "last subscriber" and roster-version decisions are made in one place
 * and concurrent changes on different nodes cannot both win. Key layout: keys.ts.
 *
 * Every key one script touches shares one hash tag (`{app:channel}` for a channel, `{app}` for an
 * app's sign-ins, `{nodes}` for liveness), so each script runs on one Redis Cluster slot. The
 * indexes on other slots (the app's channel set, the node's index) are kept by the adapter around
 * the scripts, in an order that never loses an entry still needed (adapter.ts, sync.ts).
 */

/**
 * Shared helpers, prepended to the channel scripts.
 * - `bump(ch)`: a new roster version, microseconds from Redis's clock and above the previous one,
 *   so versions keep growing even when Redis comes back empty.
 * - `member(ch, user, info, delta)`: changes a user's socket count; 1 when the user was added,
 *   -1 when removed, 0 otherwise.
 * - `subs(ch, delta)`: changes the subscription count.
 */
const HELPERS = `
local function bump(ch)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local v = tonumber(redis.call('HGET', ch, 'v') or '0')
  if now <= v then now = v + 1 end
  redis.call('HSET', ch, 'v', string.format('%.0f', now))
  return now
end
local function member(ch, user, info, delta)
  local n = redis.call('HINCRBY', ch, 'u:' .. user, delta)
  local before = n - delta
  if n <= 0 then redis.call('HDEL', ch, 'u:' .. user, 'i:' .. user) end
  if before <= 0 and n > 0 then
    redis.call('HSET', ch, 'i:' .. user, info)
    redis.call('HINCRBY', ch, 'members', 1)
    bump(ch)
    return 1
  end
  if before > 0 and n <= 0 then
    redis.call('HINCRBY', ch, 'members', -1)
    bump(ch)
    return -1
  end
  return 0
end
local function subs(ch, delta)
  local n = redis.call('HINCRBY', ch, 'subs', delta)
  if n <= 0 then redis.call('HDEL', ch, 'subs', 'members') end
  return n
end
local function version(ch) return tonumber(redis.call('HGET', ch, 'v') or '0') end
`;

/**
 * KEYS: channel, node share, log, gone set.
 * ARGV: channel, user ('' for none), info, max members (0 = none).
 * Returns {-1} when full, else {subs, added, roster version, last log id, roster (HGETALL)}.
 */
export const JOIN = `${HELPERS}
local ch, share, user = KEYS[1], KEYS[2], ARGV[2]
if user ~= '' and tonumber(redis.call('HGET', ch, 'u:' .. user) or '0') <= 0 then
  local max = tonumber(ARGV[4])
  if max > 0 and tonumber(redis.call('HGET', ch, 'members') or '0') >= max then return {-1} end
end
local n = subs(ch, 1)
if n == 1 then redis.call('DEL', KEYS[4]) end
redis.call('HINCRBY', share, '#', 1)
local added = 0
local roster = {}
if user ~= '' then
  redis.call('HINCRBY', share, 'u:' .. user, 1)
  redis.call('HSET', share, 'i:' .. user, ARGV[3])
  added = member(ch, user, ARGV[3], 1)
  if added == 1 then redis.call('SREM', KEYS[4], user) end
  roster = redis.call('HGETALL', ch)
end
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
local lastId = '0-0'
if #last > 0 then lastId = last[1][1] end
return {n, added, version(ch), lastId, roster}
`;

/**
 * KEYS: channel, node share. ARGV: channel, user.
 * Returns {subs, removed, roster version, 1 when this node's share is now empty}, or {-1, 0, 0, 0}
 * when this node's share no longer counts the socket (already reclaimed).
 */
export const LEAVE = `${HELPERS}
local ch, share, user = KEYS[1], KEYS[2], ARGV[2]
if tonumber(redis.call('HGET', share, '#') or '0') <= 0 then return {-1, 0, 0, 0} end
local removed = 0
if user ~= '' then
  if redis.call('HINCRBY', share, 'u:' .. user, -1) <= 0 then
    redis.call('HDEL', share, 'u:' .. user, 'i:' .. user)
  end
  if member(ch, user, '', -1) == -1 then removed = 1 end
end
local empty = 0
if redis.call('HINCRBY', share, '#', -1) <= 0 then
  redis.call('DEL', share)
  empty = 1
end
return {subs(ch, -1), removed, version(ch), empty}
`;

/**
 * Sets one node's share of a channel to exactly what it holds: resynchronization after an outage
 * (its local truth) and reclaiming a dead node (nothing).
 * KEYS: channel, node share, gone set.
 * ARGV: channel, (unused), subs, then user, count, info for each presence user.
 * Returns {subs, roster version, vacated (0/1), occupied (0/1), #added, added…, removed…}. The
 * caller announces the removals, so they go into the gone set: GONE will not repeat them.
 */
export const SHARE = `${HELPERS}
local ch, share = KEYS[1], KEYS[2]
local old = redis.call('HGETALL', share)
local oldSubs, oldUsers = 0, {}
for i = 1, #old, 2 do
  local f = old[i]
  if f == '#' then oldSubs = tonumber(old[i + 1])
  elseif string.sub(f, 1, 2) == 'u:' then oldUsers[string.sub(f, 3)] = tonumber(old[i + 1]) end
end
redis.call('DEL', share)
local added, removed, seen = {}, {}, {}
for i = 4, #ARGV, 3 do
  local user, count, info = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  seen[user] = true
  redis.call('HSET', share, 'u:' .. user, count, 'i:' .. user, info)
  local r = member(ch, user, info, count - (oldUsers[user] or 0))
  if r == 1 then table.insert(added, user) elseif r == -1 then table.insert(removed, user) end
end
for user, count in pairs(oldUsers) do
  if not seen[user] and member(ch, user, '', -count) == -1 then table.insert(removed, user) end
end
local newSubs = tonumber(ARGV[3])
if newSubs > 0 then redis.call('HSET', share, '#', newSubs) else redis.call('DEL', share) end
local delta = newSubs - oldSubs
local n = subs(ch, delta)
local vacated, occupied = 0, 0
if n <= 0 and n - delta > 0 then vacated = 1 end
if n > 0 and n - delta <= 0 then occupied = 1 end
if vacated == 1 then redis.call('SADD', KEYS[3], '#') end
for _, u in ipairs(removed) do redis.call('SADD', KEYS[3], u) end
if vacated == 1 or #removed > 0 then redis.call('PEXPIRE', KEYS[3], 60000) end
local out = {n, version(ch), vacated, occupied, #added}
for _, u in ipairs(added) do table.insert(out, u) end
for _, u in ipairs(removed) do table.insert(out, u) end
return out
`;

/**
 * A removal that happened while Redis was unreachable (or whose leave's reply was lost) is
 * announced once cluster-wide, and only if it still holds and nothing announced it yet.
 * KEYS: channel, gone set. ARGV: user ('' = vacated).
 * Returns the roster version to announce it with (1 for vacated), or 0 to stay silent.
 */
export const GONE = `${HELPERS}
local ch, gone, user = KEYS[1], KEYS[2], ARGV[1]
if user == '' then
  if tonumber(redis.call('HGET', ch, 'subs') or '0') > 0 then return 0 end
  if redis.call('SADD', gone, '#') == 0 then return 0 end
  redis.call('PEXPIRE', gone, 60000)
  return 1
end
if redis.call('HEXISTS', ch, 'u:' .. user) == 1 then return 0 end
if redis.call('SADD', gone, user) == 0 then return 0 end
redis.call('PEXPIRE', gone, 60000)
return bump(ch)
`;

/**
 * KEYS: app users hash, node's users share. ARGV: user, delta (1 or -1).
 * Returns the new count, or -1 for a sign-out this node's share no longer holds.
 */
export const SIGN = `
local delta = tonumber(ARGV[2])
if delta < 0 and tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') <= 0 then return -1 end
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
if count <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
if redis.call('HINCRBY', KEYS[2], ARGV[1], delta) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return count
`;

/**
 * Sets one node's share of an app's signed-in users to exactly `user, count` pairs.
 * KEYS: app users hash, node's users share. ARGV: (unused), then user, count…
 * Returns {#online, online…, offline…}: users that came online or went offline cluster-wide.
 */
export const USERS = `
local old = redis.call('HGETALL', KEYS[2])
local was, seen, online, offline = {}, {}, {}, {}
for i = 1, #old, 2 do was[old[i]] = tonumber(old[i + 1]) end
redis.call('DEL', KEYS[2])
local function change(user, delta)
  if delta == 0 then return end
  local n = redis.call('HINCRBY', KEYS[1], user, delta)
  if n <= 0 then redis.call('HDEL', KEYS[1], user) end
  if n - delta <= 0 and n > 0 then table.insert(online, user) end
  if n - delta > 0 and n <= 0 then table.insert(offline, user) end
end
for i = 2, #ARGV, 2 do
  local user, count = ARGV[i], tonumber(ARGV[i + 1])
  seen[user] = true
  redis.call('HSET', KEYS[2], user, count)
  change(user, count - (was[user] or 0))
end
for user, count in pairs(was) do
  if not seen[user] then change(user, -count) end
end
local out = {#online}
for _, u in ipairs(online) do table.insert(out, u) end
for _, u in ipairs(offline) do table.insert(out, u) end
return out
`;

/**
 * One publish: appended to the channel's capped log and sent on the bus in one step, so a node
 * whose pub/sub link dropped can read what it missed. KEYS: log, cache, the channel's pub/sub
 * channel. ARGV: PUBLISH or SPUBLISH (a cluster's sharded pub/sub), max log length, log ttl ms,
 * message, cache value ('' = none), cache ttl seconds, tag ('' = none: an API transaction's
 * first message carries one, kept with it in the log, for a node to learn whether a transaction
 * whose reply it lost ran, in-doubt.ts).
 * The bus carries `id` + message (the message starts with a newline). Returns the log id.
 */
export const PUBLISH = `
local id
if ARGV[7] == '' then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[4])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[4], 'p', ARGV[7])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[5] ~= '' then redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[6]) end
redis.call(ARGV[1], KEYS[3], id .. ARGV[4])
return id
`;

/**
 * A heartbeat. KEYS: nodes (sorted set, score = last beat in ms), epoch.
 * ARGV: node, timeout ms, epoch to set when Redis has none (it lost its data).
 * Returns {1 when this node was still registered, epoch, nodes silent longer than the timeout}.
 */
export const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local present = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch)
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return {present and 1 or 0, epoch, dead}
`;
