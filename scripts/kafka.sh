#!/usr/bin/env bash
# Kafka for nova's tests: the tansu Kafka-compatible broker (Apache-2.0, crates.io),
# with its log in a SQLite file so it keeps its data across a restart.
#
# Usage:
#   scripts/kafka.sh install   # build tansu into the cache if missing (~20 min cold)
#   scripts/kafka.sh start     # start on 127.0.0.1; prints KAFKA_BOOTSTRAP=127.0.0.1:PORT
#   scripts/kafka.sh stop      # stop the broker started by `start`, delete its data
#   scripts/kafka.sh status    # print the state file, exit 1 if not running
#   scripts/kafka.sh path      # print the tansu binary path
#   scripts/kafka.sh create-topic NAME [PARTITIONS]
#
# `start` prints only shell assignments on stdout (eval them); progress goes to stderr.
# Environment: NOVA_CACHE (default ~/.cache/nova), NOVA_TANSU (binary override),
# KAFKA_PORT (port to use; default 9092 if free, else the first free one from 19092).
# Notes on this broker version: topics are not auto-created; Kafka transactions
# are not supported for isolation (aborted records are not filtered).
set -euo pipefail

TANSU_VERSION=0.6.0
NOVA_CACHE="${NOVA_CACHE:-$HOME/.cache/nova}"
TANSU_ROOT="$NOVA_CACHE/tansu-$TANSU_VERSION-libsql"
TANSU="${NOVA_TANSU:-$TANSU_ROOT/bin/tansu}"
STATE_DIR="$NOVA_CACHE/kafka"
STATE="$STATE_DIR/state"

log() { echo "kafka.sh: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_tansu() {
  if [[ -x "$TANSU" ]]; then return 0; fi
  if [[ -n "${NOVA_TANSU:-}" ]]; then
    log "NOVA_TANSU=$NOVA_TANSU is not an executable"; exit 1
  fi
  mkdir -p "$NOVA_CACHE"
  # One build at a time, even when several runs start together.
  exec 9>"$NOVA_CACHE/tansu-install.lock"
  flock 9
  if [[ -x "$TANSU" ]]; then return 0; fi
  log "installing tansu $TANSU_VERSION (libsql) into $TANSU_ROOT; a cold build takes ~20 min"
  log "build log: $NOVA_CACHE/tansu-install.log"
  if ! cargo install tansu --version "$TANSU_VERSION" --features libsql --locked \
      --root "$TANSU_ROOT" --target-dir "$NOVA_CACHE/tansu-build" \
      >"$NOVA_CACHE/tansu-install.log" 2>&1; then
    tail -n 30 "$NOVA_CACHE/tansu-install.log" >&2
    log "tansu install failed"; exit 1
  fi
  [[ -x "$TANSU" ]] || { log "tansu install produced no binary at $TANSU"; exit 1; }
}

pick_port() {
  if [[ -n "${KAFKA_PORT:-}" ]]; then echo "$KAFKA_PORT"; return; fi
  local p
  for p in 9092 $(seq 19092 19392); do
    if ! port_open "$p"; then echo "$p"; return; fi
  done
  log "no free port found"; exit 1
}

running() {
  [[ -f "$STATE" ]] || return 1
  local pid; pid="$(sed -n 's/^PID=//p' "$STATE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start() {
  install_tansu
  mkdir -p "$STATE_DIR"
  if running; then
    log "stopping the broker left over from an earlier run"
    stop
  fi
  local port data pid
  port="$(pick_port)"
  data="$(mktemp -d "$STATE_DIR/run-XXXXXX")"
  (
    cd "$data"
    exec setsid "$TANSU" broker \
      --cluster-id nova-test \
      --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" \
      --storage-engine "sqlite://tansu.db" \
      </dev/null >"$data/broker.log" 2>&1
  ) &
  pid=$!
  printf 'PID=%s\nBOOTSTRAP=127.0.0.1:%s\nDATA=%s\n' "$pid" "$port" "$data" >"$STATE"
  for _ in $(seq 1 150); do
    if port_open "$port"; then
      log "tansu (pid $pid) listening on 127.0.0.1:$port, data in $data"
      echo "KAFKA_BOOTSTRAP=127.0.0.1:$port"
      echo "export NOVA_TANSU=$TANSU"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  tail -n 20 "$data/broker.log" >&2 || true
  log "tansu did not start on 127.0.0.1:$port"
  stop
  exit 1
}

stop() {
  [[ -f "$STATE" ]] || return 0
  local pid data
  pid="$(sed -n 's/^PID=//p' "$STATE")"
  data="$(sed -n 's/^DATA=//p' "$STATE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  if [[ -n "$data" && "$data" == "$STATE_DIR"/run-* ]]; then rm -rf "$data"; fi
  rm -f "$STATE"
  log "tansu stopped"
}

case "${1:-}" in
  install) install_tansu; echo "$TANSU" ;;
  path) echo "$TANSU" ;;
  start) start ;;
  stop) stop ;;
  status) if running; then cat "$STATE"; else echo "not running" >&2; exit 1; fi ;;
  create-topic)
    [[ -n "${2:-}" ]] || { log "usage: $0 create-topic NAME [PARTITIONS]"; exit 2; }
    running || { log "broker not running"; exit 1; }
    bootstrap="$(sed -n 's/^BOOTSTRAP=//p' "$STATE")"
    "$TANSU" topic create --broker "tcp://$bootstrap" --partitions "${3:-3}" "$2" ;;
  *) echo "usage: $0 install|start|stop|status|path|create-topic NAME [PARTITIONS]" >&2; exit 2 ;;
esac
