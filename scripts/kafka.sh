#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, one combined broker/controller on 127.0.0.1) for tests, CI and local use.
#
#   scripts/kafka.sh fetch            download the jars from Maven Central with mvn (cached in .cache/kafka/libs)
#   scripts/kafka.sh start [DIR]      format DIR if new, start the broker, wait until it is ready
#   scripts/kafka.sh stop [DIR]       stop it (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh kill [DIR]       kill -9 it at once (fault tests)
#   scripts/kafka.sh status [DIR]
#
# KAFKA_PORT (default 9092) is the client port; the controller listens on KAFKA_PORT+1. DIR defaults to
# .cache/kafka/broker-$KAFKA_PORT and holds the data, the config, the log and the pid file.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIBS="$ROOT/.cache/kafka/libs"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT=$((PORT + 1))
DIR="${2:-$ROOT/.cache/kafka/broker-$PORT}"
HEAP="${KAFKA_HEAP:-512m}"

fetch() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  echo "fetching Apache Kafka from Maven Central into $LIBS" >&2
  rm -rf "$LIBS"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2
  touch "$LIBS/.complete"
}

java_cmd() {
  java -Xmx"$HEAP" -Xms128m -cp "$LIBS/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" "$@"
}

pid_alive() { [ -f "$DIR/broker.pid" ] && kill -0 "$(cat "$DIR/broker.pid")" 2>/dev/null; }

start() {
  fetch
  mkdir -p "$DIR"
  if pid_alive; then echo "broker already running on 127.0.0.1:$PORT (pid $(cat "$DIR/broker.pid"))"; return; fi
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
PROPS
  if [ ! -f "$DIR/data/meta.properties" ]; then
    java_cmd kafka.tools.StorageTool format -t "$(java_cmd kafka.tools.StorageTool random-uuid)" \
      -c "$DIR/server.properties" >/dev/null
  fi
  : >"$DIR/broker.log"
  nohup java -Xmx"$HEAP" -Xms128m -cp "$LIBS/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    kafka.Kafka "$DIR/server.properties" >>"$DIR/broker.log" 2>&1 &
  echo $! >"$DIR/broker.pid"
  for _ in $(seq 1 240); do
    if grep -q "Transition from STARTING to STARTED" "$DIR/broker.log"; then
      echo "broker ready on 127.0.0.1:$PORT (pid $(cat "$DIR/broker.pid"))"
      return
    fi
    if ! pid_alive; then echo "broker exited; log:" >&2; tail -30 "$DIR/broker.log" >&2; exit 1; fi
    sleep 0.25
  done
  echo "broker not ready after 60 s; log:" >&2
  tail -30 "$DIR/broker.log" >&2
  exit 1
}

stop() {
  if ! pid_alive; then echo "broker not running"; return; fi
  local pid
  pid="$(cat "$DIR/broker.pid")"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$DIR/broker.pid"; echo "broker stopped"; return; }
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$DIR/broker.pid"
  echo "broker killed after 30 s"
}

kill_now() {
  if ! pid_alive; then echo "broker not running"; return; fi
  local pid
  pid="$(cat "$DIR/broker.pid")"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$DIR/broker.pid"
  echo "broker killed"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  kill) kill_now ;;
  status) if pid_alive; then echo "running (pid $(cat "$DIR/broker.pid"))"; else echo "stopped"; exit 1; fi ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
