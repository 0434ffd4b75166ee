#!/bin/sh
# Starts hookpost on the embedded store for local use (`make run`).
# Secrets not given in the environment are generated once and kept in
# .hookpost-dev.env, so tokens and encrypted data survive restarts.
set -e
bin=$1
env_file=.hookpost-dev.env
if [ ! -f "$env_file" ]; then
    rand() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
    {
        echo "DEV_API_KEY=$(rand)"
        echo "DEV_API_JWT_SECRET=$(rand)"
        echo "DEV_AES_ENCRYPTION_SECRET=$(rand)"
    } > "$env_file"
    chmod 600 "$env_file"
fi
. ./"$env_file"
export API_KEY="${API_KEY:-$DEV_API_KEY}"
export API_JWT_SECRET="${API_JWT_SECRET:-$DEV_API_JWT_SECRET}"
export AES_ENCRYPTION_SECRET="${AES_ENCRYPTION_SECRET:-$DEV_AES_ENCRYPTION_SECRET}"
export DATA_DIR="${DATA_DIR:-./data}"
echo "hookpost: API on http://localhost:${API_PORT:-3333}/api/v1"
echo "hookpost: admin API key: $API_KEY   (from $env_file unless API_KEY is set)"
exec "$bin" serve
