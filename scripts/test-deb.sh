#!/usr/bin/env bash
# Builds the Debian package with the Tauri CLI, installs it with apt, starts
# the installed app under a private X server and checks that its window opens
# and draws the library. Prints the package and a screenshot of the window.
#
#   scripts/test-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The CLI comes from npm (prebuilt); `cargo install tauri-cli` takes minutes.
[ -x ui/node_modules/.bin/tauri ] || npm --prefix ui ci --no-audit --no-fund
(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb --ci)

deb="$(ls -t target/release/bundle/deb/*.deb | head -1)"
echo "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n '/Package:/p;/Version:/p;/Depends:/p'
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
  install -y -qq --reinstall "$PWD/$deb" >/dev/null

# The installed binary, wherever the package put it.
bin="$(dpkg-deb --contents "$deb" | awk '{print $6}' | sed -E 's|^\.?/?|/|' | grep -m1 '^/usr/bin/.' || true)"
[ -x "$bin" ] || { echo "the package installed no program in /usr/bin" >&2; exit 1; }
echo "installed: $bin"
desktop="$(grep -l "Exec=$(basename "$bin")" /usr/share/applications/*.desktop 2>/dev/null || true)"
[ -n "$desktop" ] || { echo "the package installed no desktop entry for $bin" >&2; exit 1; }
echo "desktop entry: $desktop"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shot="${REHEARSE_E2E_SHOTS:-$PWD/target/e2e-screenshots}/deb-installed-app.png"
mkdir -p "$(dirname "$shot")"

# A fresh data folder and home: the installed app must start from nothing.
REHEARSE_DATA_DIR="$work/data" HOME="$work" BIN="$bin" SHOT="$shot" \
  xvfb-run -a -s "-screen 0 1280x860x24" bash -c '
    "$BIN" >"$HOME/app.log" 2>&1 &
    pid=$!
    for _ in $(seq 60); do
      sleep 1
      kill -0 "$pid" 2>/dev/null || { echo "the app exited:"; cat "$HOME/app.log"; exit 1; }
      xdotool search --name "^Rehearse$" >/dev/null 2>&1 && break
    done
    xdotool search --name "^Rehearse$" >/dev/null || { echo "no Rehearse window"; exit 1; }
    # Let the library load and draw.
    sleep 4
    import -window root "$SHOT"
    kill "$pid"
  '
colours="$(convert "$shot" -format %k info:)"
echo "screenshot: $shot ($colours colours)"
# A blank or failed webview is one or two flat colours; the library has many.
[ "$colours" -gt 50 ] || { echo "the window looks blank" >&2; exit 1; }
echo "the installed package starts and draws its window"
