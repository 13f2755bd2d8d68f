/**
 * The Lua scripts of the Redis webhook queue: each runs atomically in Redis, which is what makes
 * a claim exclusive and an ack that replaces a job all-or-nothing.
 *
 * Keys of one app, all under one hash tag so that they share a cluster slot:
 * - `due`: sorted set, job id → the time (ms) it is due; a claim moves it to the lease's end.
 * - `jobs`: hash, job id → the job's JSON.
 * - `owner`: hash, job id → the lease token of its current claim (absent: not claimed).
 * - `dead`: hash, letter id → the dead letter's JSON; `order`: list of letter ids, newest first.
 */

/** KEYS due, jobs · ARGV id, json, dueAt, maxJobs → 1 queued, 0 full. */
export const ENQUEUE = `
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/** KEYS due, jobs, owner · ARGV now, max, leaseUntil, lease → the claimed jobs' JSON. */
export const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, id in ipairs(ids) do
  local job = redis.call('HGET', KEYS[2], id)
  if job then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    redis.call('HSET', KEYS[3], id, ARGV[4])
    claimed[#claimed + 1] = job
  else
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[3], id)
  end
end
return claimed
`;

/**
 * KEYS due, jobs, owner · ARGV id, lease, then (id, json, dueAt) per job queued in its place
 * → 1 done, 0 lease lost. A retry is an ack that queues the same id again.
 */
export const ACK = `
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
end
return 1
`;

/** KEYS due, jobs, owner, dead, order · ARGV id, lease, letter, maxDeadLetters → 1, or 0 lease lost. */
export const BURY = `
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('LREM', KEYS[5], 0, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
redis.call('LPUSH', KEYS[5], ARGV[1])
local cap = tonumber(ARGV[4])
local dropped = redis.call('LRANGE', KEYS[5], cap, -1)
for _, id in ipairs(dropped) do redis.call('HDEL', KEYS[4], id) end
redis.call('LTRIM', KEYS[5], 0, cap - 1)
return 1
`;

/** KEYS due, jobs, owner · ARGV id → 1 removed, 0 claimed or absent. */
export const CANCEL = `
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS dead, order, due, jobs · ARGV id, job json, dueAt → 1 queued, 0 no such letter. The job
 * is built by the caller from the letter it read; letters never change, so that read is current.
 */
export const REVIVE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
`;
