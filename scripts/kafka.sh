#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, one combined broker/controller on 127.0.0.1) for tests, CI and local use.
#
#   scripts/kafka.sh fetch            download the jars from Maven Central with mvn (cached in .cache/kafka/libs)
#   scripts/kafka.sh start [DIR]      format DIR if new, start the broker, wait until it is ready
#   scripts/kafka.sh stop [DIR]       stop it (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh kill [DIR]       kill -9 it at once (fault tests)
#   scripts/kafka.sh status [DIR]
#
# KAFKA_VERSION (default 3.9.1) picks the release of org.apache.kafka:kafka_2.13 to fetch and run, each in a
# directory of its own (.cache/kafka/libs for the default, .cache/kafka/libs-VERSION for another): the Kafka
# suites run against a 4.x broker with KAFKA_VERSION=4.4.0 (README, "Kafka versions").
#
# KAFKA_PORT (default 9092) is the client port; the controller listens on KAFKA_PORT+1. DIR defaults to
# .cache/kafka/broker-$KAFKA_PORT and holds the data, the config, the log and the pid file.
#
# KAFKA_SECURITY sets what the client port asks of its clients, as managed Kafka services do (set it when DIR is
# new: the users are made when its storage is formatted):
#   plaintext   nothing (the default)
#   ssl         TLS, and a client certificate signed by the broker's CA (mutual TLS, as Aiven asks)
#   sasl_ssl    TLS, and a user name and password by SASL PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (as Confluent
#               Cloud, Amazon MSK and Redpanda Cloud ask): user `touchpoint`, password KAFKA_SASL_PASSWORD (default
#               touchpoint-secret); PLAIN also takes `collector` and `ingester`, with the same password. With
#               KAFKA_ACLS=true, the broker checks ACLs: those users may do nothing they are not granted, and
#               `admin` (PLAIN, the same password) may do anything
# KAFKA_BROKER_PROPS adds lines to the broker's server.properties (connections.max.reauth.ms=10000, say).
# A cluster is several of these, each with its own DIR and KAFKA_PORT, and the same KAFKA_CLUSTER_ID (used when
# DIR is formatted) and KAFKA_VOTERS (every node's `id@127.0.0.1:controller-port`, comma-separated), each with its
# own KAFKA_NODE_ID. Start them together: a node is ready only once a majority of the voters runs.
# For both, openssl writes a CA, the broker's certificate (for 127.0.0.1 and localhost) and a client certificate
# into DIR/tls: point KAFKA_SSL_CA at DIR/tls/ca.pem, and KAFKA_SSL_CERT/KAFKA_SSL_KEY at DIR/tls/client.pem and
# DIR/tls/client.key.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="${KAFKA_VERSION:-3.9.1}"
LIBS="$ROOT/.cache/kafka/libs"
if [ "$VERSION" != 3.9.1 ]; then LIBS="$LIBS-$VERSION"; fi
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT=$((PORT + 1))
DIR="${2:-$ROOT/.cache/kafka/broker-$PORT}"
HEAP="${KAFKA_HEAP:-512m}"
SECURITY="${KAFKA_SECURITY:-plaintext}"
SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-touchpoint-secret}"
NODE_ID="${KAFKA_NODE_ID:-1}"
VOTERS="${KAFKA_VOTERS:-$NODE_ID@127.0.0.1:$CONTROLLER_PORT}"

fetch() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  echo "fetching Apache Kafka from Maven Central into $LIBS" >&2
  rm -rf "$LIBS"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies -Dkafka.version="$VERSION" \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2
  touch "$LIBS/.complete"
}

java_cmd() {
  java -Xmx"$HEAP" -Xms128m -cp "$LIBS/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" "$@"
}

# A CA, the broker's key and certificate (one PEM file, as Kafka's PEM key store reads it) and a client's.
tls_files() {
  local tls="$DIR/tls"
  if [ -f "$tls/server.pem" ]; then return; fi
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=touchpoint test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=touchpoint $who" -keyout "$who.key" -out "$who.csr" 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$who.ext" -out "$who.crt" 2>/dev/null
    done
    cat server.key server.crt >server.pem
    cp client.crt client.pem
    chmod 600 ./*.key server.pem
  )
}

# The client listener's properties for KAFKA_SECURITY.
security_props() {
  case "$SECURITY" in
    plaintext) ;;
    ssl | sasl_ssl)
      cat <<PROPS
ssl.keystore.type=PEM
ssl.keystore.location=$DIR/tls/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
PROPS
      ;;
    *) echo "KAFKA_SECURITY must be plaintext, ssl or sasl_ssl, not $SECURITY" >&2; exit 2 ;;
  esac
  if [ "$SECURITY" = ssl ]; then echo "ssl.client.auth=required"; fi
  if [ "$SECURITY" = sasl_ssl ]; then
    cat <<PROPS
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$SASL_PASSWORD" user_admin="$SASL_PASSWORD" user_touchpoint="$SASL_PASSWORD" user_collector="$SASL_PASSWORD" user_ingester="$SASL_PASSWORD";
listener.name.client.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
    if [ "${KAFKA_ACLS:-false}" = true ]; then
      # the controller's own port is plaintext, so its principal is ANONYMOUS; only the client port is checked
      cat <<PROPS
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
PROPS
    fi
  fi
}

pid_alive() { [ -f "$DIR/broker.pid" ] && kill -0 "$(cat "$DIR/broker.pid")" 2>/dev/null; }

start() {
  fetch
  mkdir -p "$DIR"
  if pid_alive; then echo "broker already running on 127.0.0.1:$PORT (pid $(cat "$DIR/broker.pid"))"; return; fi
  if [ "$SECURITY" != plaintext ]; then tls_files; fi
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$VOTERS
listeners=CLIENT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=CLIENT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CLIENT:${SECURITY^^},CONTROLLER:PLAINTEXT
inter.broker.listener.name=CLIENT
log.dirs=$DIR/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
$(security_props)
${KAFKA_BROKER_PROPS:-}
PROPS
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local scram=()
    if [ "$SECURITY" = sasl_ssl ]; then
      scram=(--add-scram "SCRAM-SHA-256=[name=touchpoint,password=$SASL_PASSWORD]"
        --add-scram "SCRAM-SHA-512=[name=touchpoint,password=$SASL_PASSWORD]")
    fi
    java_cmd kafka.tools.StorageTool format -t "${KAFKA_CLUSTER_ID:-$(java_cmd kafka.tools.StorageTool random-uuid)}" \
      -c "$DIR/server.properties" "${scram[@]}" >/dev/null
  fi
  : >"$DIR/broker.log"
  nohup java -Xmx"$HEAP" -Xms128m -cp "$LIBS/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" \
    kafka.Kafka "$DIR/server.properties" >>"$DIR/broker.log" 2>&1 &
  echo $! >"$DIR/broker.pid"
  for _ in $(seq 1 240); do
    if grep -q "Transition from STARTING to STARTED" "$DIR/broker.log"; then
      echo "broker ready on 127.0.0.1:$PORT ($SECURITY, pid $(cat "$DIR/broker.pid"))"
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
  *) sed -n '2,/^set /{/^#/p}' "$0" >&2; exit 2 ;;
esac
