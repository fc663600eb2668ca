#!/usr/bin/env bash
# Installs what building and testing Rehearse needs on Debian/Ubuntu: the C/C++
# toolchain whisper.cpp builds with, audio libraries, the speech and sound
# tools the tests use, and a Rust toolchain when none is present.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"

packages=(
  # whisper-rs builds whisper.cpp with cmake and generates bindings with clang
  build-essential cmake clang libclang-dev pkg-config
  # audio capture (cpal → ALSA)
  libasound2-dev
  # test speech and audio conversion; mp3 support for the format tests
  espeak-ng sox libsox-fmt-mp3
  # a private PulseAudio server as the tests' virtual microphone
  pulseaudio pulseaudio-utils libasound2-plugins
  # the desktop shell (Tauri v2 on WebKitGTK)
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev file wget
  # the UI's browser tests; a display and a WebDriver for the real-window test
  chromium xvfb xauth webkit2gtk-driver procps xdotool imagemagick
  # the test model comes from PyPI
  python3 python3-pip python3-numpy unzip curl ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $APT update -qq
  $APT install -y -qq "${missing[@]}" >/dev/null
fi

# The UI builds with Vite, which needs Node.js 20 or newer.
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [ -z "$node_major" ] || [ "$node_major" -lt 20 ]; then
  echo "installing Node.js from the distribution (Vite needs 20 or newer; found ${node_major:-none})"
  $APT install -y -qq nodejs npm >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "cargo is in ~/.cargo/bin; add it to PATH"
  else
    echo "installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  fi
fi
