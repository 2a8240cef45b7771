-- One benchmark scenario for wrk (bench/serve.py runs it; see docs/performance.md).
--
-- Read from the environment, so one script serves every scenario:
--   BENCH_PATHS    a file of request paths, one a line, taken in turn by each thread
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     a file holding the body of every request (POST)
--   BENCH_HEADERS  a file of "Name: value" lines sent with every request
--   BENCH_OUT      where done() writes the figures as JSON
-- The server sits behind a TLS proxy in production; the X-Forwarded-Proto header says
-- so, as nginx would.

local function lines(path)
  local found = {}
  if path == nil or path == "" then
    return found
  end
  for line in io.lines(path) do
    if line ~= "" then
      found[#found + 1] = line
    end
  end
  return found
end

local function slurp(path)
  if path == nil or path == "" then
    return nil
  end
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local paths, position, method, body, headers

function init(args)
  paths = lines(os.getenv("BENCH_PATHS"))
  if #paths == 0 then
    paths = { "/healthz" }
  end
  method = os.getenv("BENCH_METHOD") or "GET"
  body = slurp(os.getenv("BENCH_BODY"))
  headers = { ["X-Forwarded-Proto"] = "https" }
  for _, line in ipairs(lines(os.getenv("BENCH_HEADERS"))) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  if body then
    headers["Content-Type"] = "application/json"
  end
  -- Threads start at different places in the list.
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format(method, paths[position], headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format(
    '{"requests": %d, "seconds": %.6f, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}',
    summary.requests, summary.duration / 1e6, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000
  ))
  out:close()
end
