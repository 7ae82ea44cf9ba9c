#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline.
# `prisma generate` only needs the path to exist; `prisma migrate` is replaced by @potluck/db's runner.
echo "prisma schema engine is not available offline; use 'npm run migrate'" >&2
exit 1
