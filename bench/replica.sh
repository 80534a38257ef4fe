#!/usr/bin/env bash
# A streaming read replica of the machine's PostgreSQL on port 5433, for
# `DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/cchc_load bench/load.py`.
# Run as root on a machine of your own: `bench/replica.sh start`, then `stop`.
# It adds a loopback replication line to the cluster's pg_hba.conf (trust, as
# the machine's other lines) and keeps the copy in /srv/pgreplica.
set -euo pipefail
version="$(ls /etc/postgresql | sort -n | tail -1)"
conf="/etc/postgresql/$version/main"
bin="/usr/lib/postgresql/$version/bin"
data=/srv/pgreplica/data
case "${1:-}" in
  start)
    grep -q "^host replication all 127.0.0.1/32" "$conf/pg_hba.conf" || {
      echo "host replication all 127.0.0.1/32 trust" >> "$conf/pg_hba.conf"
      psql -h 127.0.0.1 -U postgres -Atqc "SELECT pg_reload_conf()" >/dev/null
    }
    rm -rf /srv/pgreplica && install -d -o postgres -g postgres -m 700 /srv/pgreplica
    su postgres -c "pg_basebackup -h 127.0.0.1 -U postgres -D $data -R -X stream"
    su postgres -c "touch $data/postgresql.conf && cp $conf/pg_hba.conf $conf/pg_ident.conf $data/"
    su postgres -c "$bin/pg_ctl -D $data -l /srv/pgreplica/log -w start \
      -o '-p 5433 -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp -c hot_standby_feedback=on'"
    psql -h 127.0.0.1 -p 5433 -U postgres -Atc "SELECT 'replica in recovery: ' || pg_is_in_recovery()"
    ;;
  stop)
    su postgres -c "$bin/pg_ctl -D $data -m fast stop"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
