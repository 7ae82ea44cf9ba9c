#!/bin/sh
# Prints the RabbitMQ definitions docker-compose.yml's broker loads at every start (see
# entrypoint.sh): the vhost, the management login, one user per service with the least it
# needs (brokerPermissions in packages/messaging/src/topology.ts for the subgraphs,
# gatewayBrokerPermissions in gateway/src/subscriptions/streamTopology.ts for the gateway;
# docker/test checks they agree); and the services' events exchanges and their consumers'
# queues and bindings, so that no service waits for another's first start and no event is
# published before the queue that keeps it for its consumer exists.
# Every password comes from the environment (.env), none from this repository.
#
#   AMQP_PREFIX                the services' AMQP_PREFIX
#   BROKER_ADMIN_USER          the management login (administrator; not used by the services)
#   BROKER_ADMIN_PASSWORD      its password
#   RECIPES_AMQP_PASSWORD      the password of RabbitMQ user `recipes`
#   COMMENTS_AMQP_PASSWORD     the password of RabbitMQ user `comments`
#   GATEWAY_AMQP_PASSWORD      the password of RabbitMQ user `gateway` (the subscription stream)
set -eu

fail() {
  echo "definitions.sh: $*" >&2
  exit 1
}

# Passwords and names go into JSON and AMQP URLs unescaped: the characters .env.example allows.
safe() {
  case "$2" in
    '' | *[!A-Za-z0-9._~-]*) fail "$1 must be set, with only letters, digits, '.', '_', '~' and '-'" ;;
  esac
}

safe BROKER_ADMIN_USER "${BROKER_ADMIN_USER:-}"
safe BROKER_ADMIN_PASSWORD "${BROKER_ADMIN_PASSWORD:-}"
safe RECIPES_AMQP_PASSWORD "${RECIPES_AMQP_PASSWORD:-}"
safe COMMENTS_AMQP_PASSWORD "${COMMENTS_AMQP_PASSWORD:-}"
safe GATEWAY_AMQP_PASSWORD "${GATEWAY_AMQP_PASSWORD:-}"
case "${AMQP_PREFIX:-}" in
  '' | [!A-Za-z0-9]* | *[!A-Za-z0-9._-]*) fail "AMQP_PREFIX must be 1-100 letters, digits, '.', '_' or '-'" ;;
esac
[ "${#AMQP_PREFIX}" -le 100 ] || fail "AMQP_PREFIX must be 1-100 letters, digits, '.', '_' or '-'"
case "$BROKER_ADMIN_USER" in
  recipes | comments | gateway | guest) fail "BROKER_ADMIN_USER must not be a service's user or guest" ;;
esac

# A regular expression matching exactly these names ('.' is a prefix's only metacharacter).
exactly() {
  printf '^('
  separator=''
  for name in "$@"; do
    printf '%s%s' "$separator" "$(printf '%s' "$name" | sed 's/[.]/[.]/g')"
    separator='|'
  done
  printf ')$'
}

# The permissions of <service>, which consumes <producer>'s events: it may read the producer's
# exchange but not configure it (that would let it delete it).
permissions() {
  own="$AMQP_PREFIX.$1"
  printf '{"user": "%s", "vhost": "/", "configure": "%s", "write": "%s", "read": "%s"}' "$1" \
    "$(exactly "$own.events" "$own.work" "$own.retry" "$own.parked")" \
    "$(exactly "$own.events" "$own.work" amq.default)" \
    "$(exactly "$own.work" "$own.retry" "$own.parked" "$AMQP_PREFIX.$2.events")"
}

# The gateway's subscription stream: declare it and its marks exchange (configure); bind the
# stream and publish marks (write); consume the stream and bind from the events exchanges (read).
# It may write to no events exchange, so it can publish no event, and configure none.
gateway_permissions() {
  stream="$AMQP_PREFIX.gateway.stream"
  marks="$AMQP_PREFIX.gateway.marks"
  recipes="$AMQP_PREFIX.recipes.events"
  comments="$AMQP_PREFIX.comments.events"
  printf '{"user": "gateway", "vhost": "/", "configure": "%s", "write": "%s", "read": "%s"}' \
    "$(exactly "$stream" "$marks")" \
    "$(exactly "$stream" "$marks")" \
    "$(exactly "$stream" "$marks" "$recipes" "$comments")"
}

# A service's events exchange, declared here too so that no service waits for another to start:
# the consumers and the gateway only check that it exists (missingExchanges in topology.ts).
exchange() {
  printf '{"name": "%s", "vhost": "/", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}' \
    "$AMQP_PREFIX.$1.events"
}

# The queues <consumer> owns, with exactly the arguments its consumer declares them with
# (consumerQueueDeclarations in packages/messaging/src/topology.ts; RabbitMQ refuses a
# redeclaration with others), the work queue's delivery limit the services' default
# EVENT_DELIVERY_LIMIT, which docker-compose.yml leaves alone.
DELIVERY_LIMIT=10
queues() {
  queue="$AMQP_PREFIX.$1"
  printf '{"name": "%s.parked", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "classic"}},\n    ' "$queue"
  printf '{"name": "%s.work", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "quorum", "x-delivery-limit": %s, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "%s.parked"}},\n    ' "$queue" "$DELIVERY_LIMIT" "$queue"
  printf '{"name": "%s.retry", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "classic", "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "%s.work"}}' "$queue" "$queue"
}

# <consumer>'s work queue bound to each event type it consumes (CONSUMED_BY in the event
# contract) on <producer>'s exchange.
bindings() {
  consumer="$1"
  producer="$2"
  shift 2
  separator=''
  for type in "$@"; do
    printf '%s{"source": "%s", "vhost": "/", "destination": "%s", "destination_type": "queue", "routing_key": "%s", "arguments": {}}' \
      "$separator" "$AMQP_PREFIX.$producer.events" "$AMQP_PREFIX.$consumer.work" "$type"
    separator=',
    '
  done
}

cat <<JSON
{
  "vhosts": [{"name": "/"}],
  "users": [
    {"name": "$BROKER_ADMIN_USER", "password": "$BROKER_ADMIN_PASSWORD", "tags": ["administrator"]},
    {"name": "recipes", "password": "$RECIPES_AMQP_PASSWORD", "tags": []},
    {"name": "comments", "password": "$COMMENTS_AMQP_PASSWORD", "tags": []},
    {"name": "gateway", "password": "$GATEWAY_AMQP_PASSWORD", "tags": []}
  ],
  "permissions": [
    {"user": "$BROKER_ADMIN_USER", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    $(permissions recipes comments),
    $(permissions comments recipes),
    $(gateway_permissions)
  ],
  "exchanges": [
    $(exchange recipes),
    $(exchange comments)
  ],
  "queues": [
    $(queues comments),
    $(queues recipes)
  ],
  "bindings": [
    $(bindings comments recipes recipe.created recipe.updated recipe.deleted),
    $(bindings recipes comments comment.added comment.deleted)
  ]
}
JSON
