#!/usr/bin/env bash
# Transcribes the same ~90 s spoken answer with `rehearse transcribe` (whisper.cpp,
# tiny.en q8_0 imported from the faster-whisper weights) and with faster-whisper
# itself on the very same CTranslate2 tiny.en folder, same thread count, and
# prints wall time, peak RSS, WER and the time ratio. A figure, not a test.
#
#   bench/transcribe-vs-faster-whisper.sh [THREADS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS="${1:-1}"
RUNS="${2:-3}"
CACHE="${REHEARSE_CACHE:-$HOME/.cache/rehearse}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x /usr/bin/time ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq time >/dev/null
fi
CT2_DIR="$(scripts/get-test-model.sh)"
cargo build --release --locked -q
export REHEARSE_DATA_DIR="$WORK/data"
target/release/rehearse model import "$CT2_DIR" --quantize q8_0 --name bench-tiny.en-q8_0 >/dev/null
MODEL="$REHEARSE_DATA_DIR/models/bench-tiny.en-q8_0.bin"

VENV="$CACHE/bench-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet faster-whisper
fi

SCRIPT="In my last role I was responsible for the payments platform, and the business wanted a new checkout flow before the holiday season. \
The risk was obvious: checkout is where we make money, and a bad release would cost us far more than a late one. \
So I split the work by risk. The parts that touched card processing went behind a feature flag, with automated tests in the pipeline and a canary that sent five percent of traffic to the new code. \
The low risk parts, like copy changes and layout, shipped straight away. \
I agreed with the product manager on two numbers to watch: the checkout error rate and the time to complete a purchase. \
We built a dashboard for both and wrote down in advance that we would roll back if errors rose above half a percent. \
On the second day the canary showed a small rise in timeouts from one payment provider, so we turned the flag off in under a minute, fixed the retry logic, and tried again the next morning. \
We reached one hundred percent of traffic a week before the deadline. \
Conversion went up by three percent, and we had no checkout incidents over the holidays. \
What I took from it is that speed and quality are not opposites if you invest in the safety nets that let you undo a mistake quickly."
echo "$SCRIPT" > "$WORK/script.txt"
espeak-ng -v en-us -s 150 -w "$WORK/answer22k.wav" "$SCRIPT"
sox "$WORK/answer22k.wav" -r 16000 "$WORK/answer.wav"
DURATION=$(sox --i -D "$WORK/answer.wav")

cat > "$WORK/fw.py" <<'PY'
import sys
from faster_whisper import WhisperModel
model_dir, wav, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
segments, _ = model.transcribe(wav, language="en", beam_size=1, word_timestamps=True, vad_filter=False)
print(" ".join(s.text.strip() for s in segments))
PY

cat > "$WORK/wer.py" <<'PY'
import re, sys
def norm(t):
    t = t.lower().replace("%", " percent")
    return [w for w in re.sub(r"[^a-z0-9' ]", " ", t).split()]
ref, hyp = norm(open(sys.argv[1]).read()), norm(open(sys.argv[2]).read())
d = list(range(len(hyp) + 1))
for i, r in enumerate(ref):
    prev, d[0] = d[0], i + 1
    for j, h in enumerate(hyp):
        prev, d[j + 1] = d[j + 1], min(d[j + 1] + 1, d[j] + 1, prev + (r != h))
print(f"{d[-1] / len(ref) * 100:.1f}")
PY

measure() { # name, command...
  local name="$1"; shift
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > "$WORK/$name.txt" 2>/dev/null
    read -r secs kb < "$WORK/time.txt"
    times+=("$secs")
    [ "$kb" -gt "$rss" ] && rss="$kb"
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $rss"
}

read -r R_SECS R_RSS < <(measure rehearse target/release/rehearse transcribe "$WORK/answer.wav" --model "$MODEL" --threads "$THREADS")
read -r F_SECS F_RSS < <(measure faster "$VENV/bin/python" "$WORK/fw.py" "$CT2_DIR" "$WORK/answer.wav" "$THREADS")
R_WER=$(/usr/bin/python3 "$WORK/wer.py" "$WORK/script.txt" "$WORK/rehearse.txt")
F_WER=$(/usr/bin/python3 "$WORK/wer.py" "$WORK/script.txt" "$WORK/faster.txt")

printf 'audio: %.1f s espeak answer, %s thread(s), median of %s runs (whole process: load + decode + transcribe)\n' "$DURATION" "$THREADS" "$RUNS"
printf '%-40s %8s %10s %8s\n' "engine" "wall s" "peak MB" "WER %"
printf '%-40s %8.2f %10.0f %8s\n' "rehearse (whisper.cpp tiny.en q8_0)" "$R_SECS" "$((R_RSS / 1024))" "$R_WER"
printf '%-40s %8.2f %10.0f %8s\n' "faster-whisper (CT2 tiny.en int8)" "$F_SECS" "$((F_RSS / 1024))" "$F_WER"
awk -v r="$R_SECS" -v f="$F_SECS" 'BEGIN { printf "ratio rehearse / faster-whisper: %.2fx the time (%.2fx faster-whisper speed)\n", r / f, f / r }'
