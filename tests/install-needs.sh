#!/bin/sh
# Install what the test suite needs on a fresh Debian/Ubuntu machine: the Python packages and
# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
set -e
cd "$(dirname "$0")/.."
pip install -r requirements-test.txt
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi
