-- Advance a partition's restore mark: a restore replays the changelog from here, so the mark may
-- only exist while the view holds every key changed up to it. A missing mark (Redis flushed or
-- lost) is set again only by a writer that rewrote the whole partition in the same MULTI
-- (ARGV[2] = '1'); any other writer gets -1 and must do that rewrite. Never lowers the mark.
-- KEYS[1] the mark; ARGV[1] changelog position, ARGV[2] '1' when the whole partition was written
local current = redis.call('GET', KEYS[1])
if not current and ARGV[2] ~= '1' then return -1 end
if current and current > ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
