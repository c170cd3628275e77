#!/usr/bin/env bash
# Make sure PostgreSQL accepts connections on 127.0.0.1:5432 (trust auth, user postgres).
# Usage: scripts/postgres.sh ensure
set -euo pipefail
host=127.0.0.1 port=5432

ready() { pg_isready -q -h "$host" -p "$port" -U postgres 2>/dev/null; }

case "${1:-ensure}" in
  ensure)
    if ready; then exit 0; fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      echo "postgres.sh: PostgreSQL is not running on $host:$port and is not installed;" >&2
      echo "postgres.sh: installing Debian's postgresql package" >&2
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
    echo "postgres.sh: PostgreSQL did not come up on $host:$port" >&2
    exit 1
    ;;
  *) echo "usage: $0 ensure" >&2; exit 2 ;;
esac
