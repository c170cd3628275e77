#!/usr/bin/env bash
# Runs every nova test on a fresh machine (README's test command; .ci/run calls it).
#
# It makes sure what the tests need is there and running:
#   - PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres): started if down;
#   - the tansu Kafka-compatible broker: installed on first use (cached under
#     ${NOVA_CACHE:-~/.cache/nova}, a cold build takes ~20 min), started on
#     loopback for this run and stopped when the tests end;
#   - headless Chromium (Debian's `chromium`) for the HTML report's browser
#     test: installed with apt-get when missing.
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

# The browser test opens the HTML report in headless Chromium.
if [[ -z "${NOVA_CHROMIUM:-}" ]] && ! command -v chromium >/dev/null 2>&1 \
  && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "test.sh: installing chromium (apt-get)" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
fi

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
