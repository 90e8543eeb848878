#!/usr/bin/env bash
# Runs every test of Amends on a fresh machine: installs what the tests need (PostgreSQL, Chromium, Dovecot) from Debian's
# packages when missing, starts a throw-away PostgreSQL cluster, runs `dotnet test` on the solution, and ends with
# one line "N passed, N failed, N skipped". Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The e-mail tests read a real IMAP mailbox: Dovecot, started by the tests on a free port with its own configuration.
[ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "Installing ${missing[*]} from Debian's packages"
    # Another apt (unattended upgrades, a machine's first boot) may hold the lock: wait for it rather than fail.
    apt_wait=(-o DPkg::Lock::Timeout=600)
    for attempt in $(seq 1 30); do
      apt-get "${apt_wait[@]}" update -qq && break
      echo "apt-get update failed (attempt $attempt; another apt may hold the lock); retrying in 10 s" >&2
      sleep 10
    done
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}: run ./test.sh as root once, or install them with apt-get." >&2
    exit 1
  fi
fi

# A private PostgreSQL cluster: its own data and socket directories and a free port; stopped on exit, whatever happens.
PG="$(pg_bin)"
work="$(mktemp -d /tmp/amends-test.XXXXXX)"
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  chown postgres "$work"
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)"

cleanup() {
  "${as_pg[@]}" "$PG/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Everything the tests write to the temp folder lands under $work and goes with it.
mkdir -p "$work/tmp"
chmod 1777 "$work/tmp"
export TMPDIR="$work/tmp"

log "Starting a throw-away PostgreSQL on port $port"
"${as_pg[@]}" mkdir -p "$work/data" "$work/sock"
"${as_pg[@]}" "$PG/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --no-locale >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$PG/pg_ctl" -D "$work/data" -l "$work/data/server.log" -w \
  -o "-p $port -k $work/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
export AMENDS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"

log "Building"
dotnet build Amends.slnx -c Debug -nologo -v q

# The production tests run the app as the README's production section does: published once, here, for all of them.
log "Publishing the app for the production tests"
dotnet publish src/Amends.Web -c Release -o "$work/publish" -nologo -v q
export AMENDS_PUBLISHED="$work/publish"

log "Running the tests"
set +e
dotnet test --solution Amends.slnx --no-build -c Debug 2>&1 | tee "$work/test.log"
status=${PIPESTATUS[0]}
set -e

# Microsoft Testing Platform prints one summary block per run; add up its counts.
sum() { grep -E "^[[:space:]]+$1: [0-9]+" "$work/test.log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(sum succeeded)
failed=$(sum failed)
skipped=$(sum skipped)
total=$(sum total)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=$(( total > passed + skipped ? total - passed - skipped : 1 ))
fi
# CI keeps only the end of the output: name each failed test again there, with the first lines of why.
if [ "$failed" -ne 0 ]; then
  echo
  echo "Failed tests:"
  awk '/^failed / { n = 8; print; next } n > 0 && /^(passed|failed|skipped) / { n = 0 } n > 0 { print; n-- }' "$work/test.log" \
    | cut -c1-300 | head -n 90
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
