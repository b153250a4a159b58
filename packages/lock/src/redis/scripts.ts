/*
 * The lease as Lua scripts, so that every check-then-act step runs atomically on the server.
 *
 * KEYS[1] is the lease, a hash { owner, token, record } with the TTL as its expiry; KEYS[2] is the
 * fencing-token counter, which never expires. Both carry the lock name as a `{hash tag}`, so they
 * live in one slot of a Redis Cluster.
 *
 * A new token is max(last token + 1, the server's clock in microseconds). The counter alone would
 * start again from 1 after a restart that lost the data (no persistence, or a failover to a replica
 * that had not seen the last INCR), handing a new holder a token lower than its predecessor's; the
 * clock keeps tokens growing across such a restart as long as the server's clock does not go back
 * and fewer than a million leases a second are granted. Tokens stay below 2^53 until the year 2255,
 * so Lua's doubles hold them exactly; they are formatted with %.0f, never tostring (which switches
 * to exponent notation past 1e14).
 */

/** ARGV: owner, ttlMs, record JSON. Returns {1, token} or {0, holder token, holder record, pttl}. */
export const ACQUIRE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, redis.call('HGET', KEYS[1], 'token')}
end
if owner or redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'token') or '', redis.call('HGET', KEYS[1], 'record') or '', redis.call('PTTL', KEYS[1])}
end
if redis.replicate_commands then redis.replicate_commands() end
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local token = string.format('%.0f', math.max(last + 1, floor))
redis.call('SET', KEYS[2], token)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token, 'record', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, token}
`;

/** ARGV: token, ttlMs. Returns 1 if the lease was still this token's and was extended, else 0. */
export const RENEW = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** ARGV: token. Returns 1 if the lease was this token's and is now deleted, else 0. */
export const RELEASE = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/** ARGV: owner. Deletes the lease if that owner holds it (an acquire whose answer never came). */
export const RELEASE_OWNER = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
