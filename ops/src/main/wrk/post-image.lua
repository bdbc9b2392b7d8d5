-- wrk (Debian's wrk) posting one image per request to the gateway's POST /v1/images:
--
--   IMAGE=some.png API_KEY=$(cat .local-stack/api-key) wrk -t2 -c32 -d20s --latency \
--       -s ops/src/main/wrk/post-image.lua 'http://127.0.0.1:8080/v1/images'        (add ?wait=5s for predictions)
--
-- IMAGE    the image file sent as every request's body (required)
-- TYPE     its media type (default: from the file's extension: png, jpg/jpeg, bmp, gif)
-- API_KEY  the key sent as 'Authorization: Bearer <key>' (required)
--
-- wrk counts answers that are not 2xx ("Non-2xx or 3xx responses"); a rate-limited run shows them.

local function required(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set; see the comment at the top of post-image.lua")
  end
  return value
end

local path = required("IMAGE")
local file = assert(io.open(path, "rb"), "cannot read IMAGE " .. path)
local body = file:read("*a")
file:close()

local types = { png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", bmp = "image/bmp", gif = "image/gif",
                tif = "image/tiff", tiff = "image/tiff", webp = "image/webp" }
local extension = string.lower(string.match(path, "%.(%w+)$") or "")
local media = os.getenv("TYPE") or types[extension]
if media == nil then
  error("cannot tell the media type of " .. path .. "; set TYPE (e.g. image/png)")
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = media
wrk.headers["Authorization"] = "Bearer " .. required("API_KEY")
