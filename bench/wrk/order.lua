-- wrk script: POST /v1/orders with the fixed 10-field order of order.json
-- (path in BENCH_ORDER_JSON, set by run.sh).
local path = os.getenv("BENCH_ORDER_JSON") or "bench/wrk/order.json"
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
