#!/bin/sh
# Runs once, when the Postgres volume is empty (docker-entrypoint-initdb.d): each service
# gets its own database, owned by its own login role, with the password from its environment
# (.env in Compose; a Secret in deploy/k8s/overlays/local, which mounts this file through
# docker/postgres/kustomization.yaml).
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v recipes_password="$RECIPES_DB_PASSWORD" \
  -v comments_password="$COMMENTS_DB_PASSWORD" <<'SQL'
CREATE ROLE recipes LOGIN PASSWORD :'recipes_password';
CREATE DATABASE recipes OWNER recipes;
CREATE ROLE comments LOGIN PASSWORD :'comments_password';
CREATE DATABASE comments OWNER comments;
SQL
