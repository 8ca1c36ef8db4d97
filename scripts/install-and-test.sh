#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine with Python 3.11, then run
# the linter and the whole test suite. This is the README's test command; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Chromium for the browser tests; the emoji font so screenshots show the page icons.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-color-emoji
fi
# --retries 0: where the PyTorch CPU index cannot be reached, fall back at once instead of
# retrying it for every package (minutes); torch then comes from PyPI or a local wheel.
python3 -m pip install -q --retries 0 -r requirements-dev.txt

python3 -m ruff check .
python3 -m pytest "$@"
