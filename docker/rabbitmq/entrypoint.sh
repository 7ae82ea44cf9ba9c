#!/bin/sh
# docker-compose.yml's RabbitMQ entrypoint: writes the broker's users and permissions from the
# environment (definitions.sh) to a tmpfs, where rabbitmq.conf's load_definitions (stack.conf)
# imports them at every start, then runs the image's own entrypoint. Passwords therefore come
# from .env, never reach the data volume or the repository, and change at the next restart.
# RabbitMQ seeds no default user (guest) when it has definitions to load.
set -eu

definitions=/run/potluck/definitions.json
umask 077
sh /etc/rabbitmq/potluck/definitions.sh >"$definitions.new"
mv "$definitions.new" "$definitions"
chown rabbitmq:rabbitmq "$definitions"
unset BROKER_ADMIN_USER BROKER_ADMIN_PASSWORD RECIPES_AMQP_PASSWORD COMMENTS_AMQP_PASSWORD GATEWAY_AMQP_PASSWORD
exec docker-entrypoint.sh "$@"
