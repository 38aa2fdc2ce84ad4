# Shared by the benchmark scripts. Source it; needs nginx (apt: nginx-light).

# start_mock_carrier DIR PORT: one nginx worker on 127.0.0.1:PORT answering POST /send with
# {"id":"<connection>-<request>","status":"accepted"}; its pid file is DIR/nginx.pid.
start_mock_carrier() {
    local dir=$1 port=$2
    mkdir -p "$dir/logs"
    cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $dir/body;
    server {
        listen 127.0.0.1:$port;
        location = /send { default_type application/json; return 200 '{"id":"\$connection-\$connection_requests","status":"accepted"}'; }
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
