#!/bin/sh
# Install what the test suite needs on a fresh Debian/Ubuntu machine: the Python packages,
# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own)
# and redis-server for the test of several server processes.
set -e
cd "$(dirname "$0")/.."
pip install -r requirements-test.txt
MISSING=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || MISSING="chromium"
command -v redis-server >/dev/null 2>&1 || MISSING="$MISSING redis-server"
if [ -n "$MISSING" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $MISSING
fi
