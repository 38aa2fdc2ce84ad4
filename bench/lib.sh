# Shared by the benchmark scripts. Source it; needs nginx (apt: nginx-light).

# start_mock_carrier DIR PORT [DELAY_MS]: one nginx worker on 127.0.0.1:PORT answering POST /send with
# {"id":"<connection>-<request>","status":"accepted"}, after DELAY_MS milliseconds when given (a carrier's own
# latency; needs nginx's echo module, which nginx-light pulls in); its pid file is DIR/nginx.pid.
start_mock_carrier() {
    local dir=$1 port=$2 delay=${3:-0}
    local module="" answer
    answer="default_type application/json; return 200 '{\"id\":\"\$connection-\$connection_requests\",\"status\":\"accepted\"}';"
    if [ "$delay" != 0 ]; then
        module="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
        answer="default_type application/json; echo_sleep $(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }'); echo '{\"id\":\"\$connection-\$connection_requests\",\"status\":\"accepted\"}';"
    fi
    start_nginx "$dir" 1 "$module" "" "
        listen 127.0.0.1:$port;
        location = /send { $answer }
        location = /nginx_status { stub_status; }"
}

# start_nginx DIR WORKERS MAIN_CONTEXT HTTP_CONTEXT SERVER_BLOCK: an nginx of WORKERS workers with its files in DIR
# (pid file DIR/nginx.pid, stopped by stop_mock_carrier DIR) and one server; no access log, long keep-alive.
start_nginx() {
    local dir=$1 workers=$2 main=$3 http=$4 server=$5
    mkdir -p "$dir/logs"
    cat > "$dir/nginx.conf" <<CONF
$main
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    $http
    server {$server
    }
}
CONF
    nginx -c "$dir/nginx.conf" -p "$dir"
    sleep 0.5
}

# stop_mock_carrier DIR
stop_mock_carrier() {
    [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null
    rm -f "$1/nginx.pid"
}

# mock_requests PORT: requests the mock has answered so far (stub_status), less the status polls themselves.
mock_requests() {
    curl -s "http://127.0.0.1:$1/nginx_status" | awk 'NR == 3 { print $3 - 1 }'
}

# start_relay DIR PORT UPSTREAM_PORT: nginx (two workers) relaying every request to the mock carrier on
# 127.0.0.1:UPSTREAM_PORT's /send over kept-alive connections. It stores nothing and applies no rules: the cheapest
# HTTP-in, HTTP-out relay this machine runs, so its rate is a ceiling for any relay measured beside it.
start_relay() {
    local dir=$1 port=$2 upstream=$3
    start_nginx "$dir" 2 "" \
        "upstream carrier { server 127.0.0.1:$upstream; keepalive 1024; keepalive_requests 1000000; }" "
        listen 127.0.0.1:$port;
        location = /send { proxy_pass http://carrier; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
}
