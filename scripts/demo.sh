#!/usr/bin/env bash
# Walks the reference story against the stack that scripts/stack.sh runs (in
# another terminal) and prints each step: register and log in two users, post,
# upload media for the post, see it in the feed with the author's name and the
# media (all through events), a refused edit, a refused token, and a message
# reaching an open realtime-chat stream.
set -euo pipefail
cd "$(dirname "$0")/.."
export NOVA_CACHE="${NOVA_CACHE:-$HOME/.cache/nova}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$NOVA_CACHE/target}"
cargo build -q -p nova-stack --bin nova-demo
exec "$CARGO_TARGET_DIR/debug/nova-demo"
