#!/usr/bin/env bash
# Runs every nova test on a fresh machine (README's test command; .ci/run calls it).
#
# It makes sure what the tests need is there and running:
#   - PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres): started if down;
#   - the tansu Kafka-compatible broker: installed on first use (cached under
#     ${NOVA_CACHE:-~/.cache/nova}, a cold build takes ~20 min), started on
#     loopback for this run and stopped when the tests end.
# Builds go to ${CARGO_TARGET_DIR:-~/.cache/nova/target}, outside the clone, so
# repeated runs on the same machine reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."

export NOVA_CACHE="${NOVA_CACHE:-$HOME/.cache/nova}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$NOVA_CACHE/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$NOVA_CACHE"

scripts/postgres.sh ensure
export NOVA_PG_URL="${NOVA_PG_URL:-postgres://postgres@127.0.0.1:5432}"

# Start the broker for this run; always stop it, whatever happens.
kafka_env="$(scripts/kafka.sh start)"
trap 'scripts/kafka.sh stop || true' EXIT
eval "$kafka_env"
export KAFKA_BOOTSTRAP
echo "test.sh: PostgreSQL at $NOVA_PG_URL, Kafka (tansu) at $KAFKA_BOOTSTRAP"

# cargo-nextest is on this kind of machine; install it where it is not.
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "test.sh: installing cargo-nextest" >&2
  cargo install cargo-nextest --locked
fi
cargo nextest run --workspace --locked "$@"
