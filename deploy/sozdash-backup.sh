#!/bin/sh
# Backup of the sozdash database into BACKUP_DIR/YYYY-MM-DD/ (default /var/backups/sozdash):
#   sozdash.pgdump  PostgreSQL's own format (pg_restore), the whole database;
#   jsonl/          `python -m sozdash dump` (JSON lines, `python -m sozdash restore`), independent of
#                   the PostgreSQL version.
# Backups older than KEEP_DAYS (default 14) are removed. Needs DATABASE_URL (PostgreSQL) in the
# environment; run by deploy/sozdash-backup.service, or by hand: deploy/sozdash-backup.sh [BACKUP_DIR [KEEP_DAYS]]
set -eu
cd "$(dirname "$0")/.."
root=${1:-/var/backups/sozdash}
keep=${2:-14}
: "${DATABASE_URL:?DATABASE_URL fehlt (PostgreSQL-Adresse wie in /etc/sozdash/sozdash.env)}"
# libpq knows postgresql://… only, SQLAlchemy's URL names the driver: postgresql+psycopg://…
libpq_url=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')
dir="$root/$(date +%Y-%m-%d)"
rm -rf "$dir.part"
mkdir -p "$dir.part"
pg_dump --format=custom --no-owner --file="$dir.part/sozdash.pgdump" --dbname="$libpq_url"
.venv/bin/python -m sozdash dump "$dir.part/jsonl"
rm -rf "$dir"
mv "$dir.part" "$dir"
find "$root" -mindepth 1 -maxdepth 1 -type d -name '20*' -mtime "+$keep" -exec rm -rf {} +
echo "Sicherung fertig: $dir"
