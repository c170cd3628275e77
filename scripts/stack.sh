#!/usr/bin/env bash
# One command runs the whole reference system (services/) on this machine:
#   - PostgreSQL on 127.0.0.1:5432 (scripts/postgres.sh ensure); each service
#     creates its own database (nova_identity, nova_content, nova_feed,
#     nova_media, nova_messaging, nova_chat) if absent and migrates it;
#   - the tansu broker the tests use (installed on first use), started if this
#     script's broker is not already running (its own state under
#     $NOVA_CACHE/stack, so it never stops the test broker); topics are created
#     by the services at start;
#   - every service, with its outbox relay and consumers, in one process
#     (nova-stack), printing where each listens. Ctrl-C stops it gracefully.
#
# The broker stays up for the next run; stop it with `scripts/stack.sh stop-broker`.
# Environment: the services' variables (see services/README.md), KAFKA_BOOTSTRAP
# to use another broker, NOVA_CACHE, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

export NOVA_CACHE="${NOVA_CACHE:-$HOME/.cache/nova}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$NOVA_CACHE/target}"
stack_cache="$NOVA_CACHE/stack"

broker() {
  NOVA_CACHE="$stack_cache" NOVA_TANSU="$tansu" scripts/kafka.sh "$@"
}

tansu="$(scripts/kafka.sh install)"
if [[ "${1:-}" == "stop-broker" ]]; then
  broker stop
  exit 0
fi

scripts/postgres.sh ensure
export NOVA_PG_URL="${NOVA_PG_URL:-postgres://postgres@127.0.0.1:5432}"

if [[ -z "${KAFKA_BOOTSTRAP:-}" ]]; then
  if broker status >/dev/null 2>&1; then
    KAFKA_BOOTSTRAP="$(broker status | sed -n 's/^BOOTSTRAP=//p')"
    echo "stack.sh: reusing the broker at $KAFKA_BOOTSTRAP" >&2
  else
    eval "$(broker start)"
  fi
fi
export KAFKA_BOOTSTRAP

echo "stack.sh: building nova-stack" >&2
cargo build -q -p nova-stack --bin nova-stack --bin nova-demo
echo "stack.sh: PostgreSQL $NOVA_PG_URL, Kafka $KAFKA_BOOTSTRAP; Ctrl-C stops" >&2
exec "$CARGO_TARGET_DIR/debug/nova-stack"
