-- Write one key's state into the Redis view unless the view already holds a newer changelog
-- position for it: replays, retries and a late writer can never move a key backwards.
-- Positions are fixed-width digit strings (state/position.ts), so string order is position order.
-- KEYS[1] the key's hash, KEYS[2] the partition's key set
-- ARGV[1] changelog position, ARGV[2] state JSON, ARGV[3] member name in the key set
local current = redis.call('HGET', KEYS[1], 'pos')
if current and current > ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'pos', ARGV[1], 'value', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1
