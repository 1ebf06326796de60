import { TOOL_CALL_LINKS, TOOL_OUTPUT_LINKS } from "../../policy/pairs";
import { PAIR_HINTS } from "../../store/stored-json";
import { TOKEN_COUNT_PREFIX } from "../../store/token-count";

/** The window rule in Lua (core's `windowStartBy` and `tokenWindowLimit`), for the scripts that trim. */

function luaLinks(links: Readonly<Record<string, readonly string[]>>): string {
  const entries = Object.entries(links).map(
    ([type, fields]) => `['${type}'] = {${fields.map((field) => `'${field}'`).join(", ")}}`,
  );
  return `{${entries.join(", ")}}`;
}

/**
 * `pair_role(element)`: core's `elementPairRole` in Lua: 'reasoning', 'call' or 'output' and
 * the link, or nil. Only an element that names a reasoning type or a link field is decoded:
 * about 1.5x-2x faster appends (`pnpm --filter @agents-memory/bench run append-window`).
 */
export const PAIR_ROLE = `
local CALL_LINKS = ${luaLinks(TOOL_CALL_LINKS)}
local OUTPUT_LINKS = ${luaLinks(TOOL_OUTPUT_LINKS)}
local PAIR_HINTS = {${PAIR_HINTS.map((hint) => `'${hint}'`).join(", ")}}
local function pair_role(value)
  local hinted = false
  for _, hint in ipairs(PAIR_HINTS) do
    if string.find(value, hint, 1, true) then hinted = true break end
  end
  if not hinted then return nil end
  local ok, item = pcall(cjson.decode, value)
  if not (ok and type(item) == 'table') then return nil end
  local kind, fields = nil, nil
  if item.type == 'reasoning' then return 'reasoning' end
  if item.type == 'hosted_tool_call' then
    local data = item.providerData
    if type(data) ~= 'table' then data = {} end
    local kind, link = data.type, nil
    if type(kind) ~= 'string' then kind = item.name end
    if kind == 'mcp_approval_request' then
      link = data.id
      if link == nil or link == cjson.null then link = item.id end
      kind = 'call'
    elseif kind == 'mcp_approval_response' then
      link = data.approval_request_id
      kind = 'output'
    else
      return nil
    end
    if type(link) == 'string' and link ~= '' then return kind, link end
    return nil
  end
  if type(item.type) ~= 'string' then return nil end
  if CALL_LINKS[item.type] then kind, fields = 'call', CALL_LINKS[item.type]
  elseif OUTPUT_LINKS[item.type] then kind, fields = 'output', OUTPUT_LINKS[item.type]
  else return nil end
  for _, field in ipairs(fields) do
    local link = item[field]
    if type(link) == 'string' and link ~= '' then return kind, link end
  end
  return nil
end

-- The pair-safe start of the newest limit items of the list at key (0-based): core's windowStartBy.
local function window_start(key, limit)
  local count = redis.call('LLEN', key)
  local start = math.max(0, count - limit)
  if start >= count then return start end
  -- The elements from the one before the window (when there is one) to the end.
  local base = math.max(0, start - 1)
  local elements = redis.call('LRANGE', key, base, -1)
  local roles = {}
  local function role(index)
    local known = roles[index]
    if known == nil then
      local kind, link = pair_role(elements[index - base + 1])
      known = {kind or false, link}
      roles[index] = known
    end
    return known[1], known[2]
  end
  local calls = {}
  local index = start
  while index < count do
    local moved = false
    if index == start and start > 0 and role(start - 1) == 'reasoning' then
      start = start + 1
      moved = true
    else
      local kind, link = role(index)
      if kind == 'output' and not calls[link] then
        start = index + 1
        calls = {}
        moved = true
      elseif kind == 'call' then
        calls[link] = true
      end
    end
    if moved then index = start else index = index + 1 end
  end
  return start
end`;

/**
 * The token budget's part of the window rule. `token_count(element)`: core's `storedTokenCount`
 * (0 for an element without a stored count: a script cannot count, the session's read does).
 * `token_limit(key, limit, max_tokens)`: core's `tokenWindowLimit` over the list at key, the
 * item limit that puts the window's floor where its suffix fits max_tokens (0: no budget), for
 * `window_start(key, token_limit(...))`.
 */
export const TOKENS = `
local TOKEN_PREFIX = '${TOKEN_COUNT_PREFIX}'
local function token_count(element)
  if string.sub(element, 1, #TOKEN_PREFIX) ~= TOKEN_PREFIX then return 0 end
  return tonumber(string.match(element, '^(%d+)[,}]', #TOKEN_PREFIX + 1)) or 0
end
local function token_limit(key, limit, max_tokens)
  if max_tokens <= 0 then return limit end
  local count = redis.call('LLEN', key)
  local elements = redis.call('LRANGE', key, math.max(0, count - limit), -1)
  local total = 0
  for i = #elements, 1, -1 do
    total = total + token_count(elements[i])
    if total > max_tokens then return #elements - i end
  end
  return limit
end`;
