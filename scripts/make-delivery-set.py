#!/usr/bin/python3
"""Synthesise the Rehearse delivery development set.

Usage:
    /usr/bin/python3 scripts/make-delivery-set.py OUT_DIR
    /usr/bin/python3 scripts/make-delivery-set.py --check          # validate the TOML only

Reads tests/fixtures/delivery/answers.toml and writes, for every answer,
OUT_DIR/<id>.wav (16 kHz, mono, 16-bit PCM) and OUT_DIR/<id>.json (gold
labels), plus OUT_DIR/index.json. The output is deterministic: the same
input, espeak-ng and sox give the same bytes.

Needs only espeak-ng (the CLI and its shared library libespeak-ng.so.1, which
the CLI itself links against), sox, and Python 3.11+ with numpy. See
tests/fixtures/delivery/README.md for the gold format.
"""

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import tomllib
import wave
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TOML = REPO / "tests" / "fixtures" / "delivery" / "answers.toml"

SR = 16000                 # output sample rate
EDGE_S = 0.3               # silence at the start and the end of every file
PAUSE_MIN_S = 0.3          # silent gaps at least this long are listed as pauses
SPEECH_GAIN = 0.5          # espeak peaks near full scale; leave headroom (-6 dB)
FILLER_GAIN = 0.42         # filled pauses a little softer than words
NOISE_DBFS = -70.0         # RMS of the deterministic noise floor over the whole file
SILENT_ABS = 16            # |int16| at or below this (espeak's own rate) is silence
FILLER_PAD_MS = (80, 150)  # silence before and after every filled pause
FILLER_BEND_CENTS = (100, 200)
FILLER_FADE_IN_S = 0.012
FILLER_FADE_OUT_S = 0.035
FILLER_OVERSHOOT_S = 0.06

# What espeak-ng is asked to say for each filled pause (checked with `espeak-ng -x`:
# umm -> 'Vm, uh -> 'V, er -> '3:, ah -> 'A:, hmm -> h'@m).
FILLER_TEXT = {"um": "umm", "uh": "uh", "er": "er", "ah": "ah", "hmm": "hmm"}

ANSWER_KEYS = {"id", "voice", "wpm", "note", "parts", "discourse", "hedges", "traps"}
REQUIRED_KEYS = {"id", "voice", "wpm", "parts"}
WORD_RE = re.compile(r"^[A-Za-z][A-Za-z']*[.,?!;:]?$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SetError(Exception):
    pass


def norm(word):
    return re.sub(r"[^a-z0-9']", "", word.lower())


# ---------------------------------------------------------------- validation

def validate(doc, path):
    """Checks the TOML and returns the list of answers (dicts) in file order."""
    errs = []

    def err(where, msg):
        errs.append(f"{path}: {where}: {msg}")

    extra = set(doc) - {"answer"}
    if extra:
        err("top level", f"unknown keys {sorted(extra)}")
    answers = doc.get("answer")
    if not isinstance(answers, list) or not answers:
        raise SetError(f"{path}: no [[answer]] tables")
    seen = set()
    for n, a in enumerate(answers):
        where = f"answer #{n + 1} ({a.get('id', '?')})"
        unknown = set(a) - ANSWER_KEYS
        if unknown:
            err(where, f"unknown keys {sorted(unknown)}")
        missing = REQUIRED_KEYS - set(a)
        if missing:
            err(where, f"missing keys {sorted(missing)}")
            continue
        if not isinstance(a["id"], str) or not ID_RE.match(a["id"]):
            err(where, "id must match [a-z0-9][a-z0-9-]*")
        elif a["id"] in seen:
            err(where, "duplicate id")
        seen.add(a.get("id"))
        if not isinstance(a["voice"], str) or not re.match(r"^[A-Za-z0-9+_-]+$", a["voice"]):
            err(where, "voice must be an espeak-ng voice name")
        if not isinstance(a["wpm"], int) or not 80 <= a["wpm"] <= 300:
            err(where, "wpm must be an integer in 80..300")
        parts = a["parts"]
        if not isinstance(parts, list) or not parts:
            err(where, "parts must be a non-empty list")
            continue
        words = []
        kinds = []
        for i, p in enumerate(parts):
            pw = f"{where} part {i}"
            if not isinstance(p, dict):
                err(pw, "not a table")
                kinds.append("?")
                continue
            if "say" in p:
                kinds.append("say")
                if set(p) != {"say"}:
                    err(pw, f"a say part takes only 'say', got {sorted(p)}")
                t = p["say"]
                if not isinstance(t, str) or not t.strip():
                    err(pw, "empty say text")
                    continue
                if not t.isascii():
                    err(pw, "say text must be ASCII")
                for w in t.split():
                    if not WORD_RE.match(w):
                        err(pw, f"word {w!r}: use letters/apostrophes with optional trailing "
                                "punctuation (no digits, hyphens or free-standing symbols, so "
                                "espeak-ng's word events map 1:1 onto words)")
                words += t.split()
            elif "filler" in p:
                kinds.append("filler")
                if set(p) != {"filler", "seconds"}:
                    err(pw, f"a filler part takes 'filler' and 'seconds', got {sorted(p)}")
                    continue
                if p["filler"] not in FILLER_TEXT:
                    err(pw, f"filler must be one of {sorted(FILLER_TEXT)}")
                s = p["seconds"]
                if not isinstance(s, (int, float)) or not 0.3 <= s <= 0.7:
                    err(pw, "filler seconds must be in 0.3..0.7")
            elif "pause" in p:
                kinds.append("pause")
                if set(p) != {"pause"}:
                    err(pw, f"a pause part takes only 'pause', got {sorted(p)}")
                s = p["pause"]
                if not isinstance(s, (int, float)) or not 0.3 <= s <= 3.0:
                    err(pw, "pause must be in 0.3..3.0 seconds")
            else:
                kinds.append("?")
                err(pw, f"unknown part kind {sorted(p)}")
        for i in range(1, len(kinds)):
            if kinds[i] == kinds[i - 1] and kinds[i] in ("say", "pause"):
                err(f"{where} parts {i - 1}-{i}", f"two adjacent {kinds[i]} parts: merge them")
        if kinds and (kinds[0] == "pause" or kinds[-1] == "pause"):
            err(where, "an answer may not start or end with a pause")
        if "say" not in kinds:
            err(where, "no say part")
        if not 40 <= len(words) <= 120:
            err(where, f"{len(words)} spoken words; want 40..120")
        used = {}
        for key in ("discourse", "hedges", "traps"):
            spans = a.get(key, [])
            if not isinstance(spans, list):
                err(where, f"{key} must be a list")
                continue
            for j, s in enumerate(spans):
                sw = f"{where} {key}[{j}]"
                allowed = {"words", "text", "mimics"} if key == "traps" else {"words", "text"}
                if not isinstance(s, dict) or set(s) - allowed or not {"words", "text"} <= set(s):
                    err(sw, f"want keys {sorted(allowed)} (mimics optional)")
                    continue
                idx = s["words"]
                if (not isinstance(idx, list) or not idx
                        or not all(isinstance(k, int) for k in idx)):
                    err(sw, "words must be a non-empty list of integers")
                    continue
                if idx != list(range(idx[0], idx[0] + len(idx))):
                    err(sw, f"word indices {idx} must be consecutive and ascending")
                if idx[0] < 0 or idx[-1] >= len(words):
                    err(sw, f"word indices {idx} out of range 0..{len(words) - 1}")
                    continue
                got = [norm(words[k]) for k in idx]
                want = [norm(w) for w in str(s["text"]).split()]
                if got != want:
                    err(sw, f"words {idx} are {' '.join(words[k] for k in idx)!r}, "
                            f"not {s['text']!r}")
                for k in idx:
                    if k in used:
                        err(sw, f"word {k} ({words[k]!r}) is already labelled in {used[k]}")
                    used[k] = key
    if errs:
        raise SetError("invalid answers file:\n  " + "\n  ".join(errs))
    return answers


# ---------------------------------------------------------------- tools

def run(cmd, data=None):
    """Runs cmd, returns stdout; any failure or sox warning is an error."""
    try:
        r = subprocess.run(cmd, input=data, capture_output=True, check=False)
    except OSError as e:
        raise SetError(f"cannot run {cmd[0]}: {e}") from e
    err = r.stderr.decode(errors="replace").strip()
    if r.returncode != 0:
        raise SetError(f"{' '.join(cmd)} failed ({r.returncode}): {err}")
    if cmd[0] == "sox" and "WARN" in err:
        raise SetError(f"{' '.join(cmd)} warned: {err}")
    return r.stdout


def check_voices(answers):
    """espeak-ng quietly falls back to a near match for unknown voices ("en-zz");
    insist on names that `espeak-ng --voices` and `--voices=variant` list."""
    bases, variants = set(), set()
    for line in run(["espeak-ng", "--voices"]).decode().splitlines()[1:]:
        f = line.split()
        if len(f) < 5 or f[4].startswith("mb/"):      # mbrola voices need extra packages
            continue
        bases |= {f[1].lower(), f[3].lower(), f[4].rsplit("/", 1)[-1].lower()}
        bases |= {m.lower() for m in re.findall(r"\(([^ )]+) \d+\)", line)}
    for line in run(["espeak-ng", "--voices=variant"]).decode().splitlines()[1:]:
        f = line.split()
        if len(f) >= 5 and f[4].startswith("!v/"):
            variants.add(f[4][3:].lower())
    for a in answers:
        base, _, variant = a["voice"].lower().partition("+")
        if base not in bases or (variant and variant not in variants):
            raise SetError(f"{a['id']}: espeak-ng has no voice {a['voice']!r} "
                           "(see espeak-ng --voices=en and --voices=variant)")


def espeak_cli(voice, wpm, text, tmp, ssml=False):
    """espeak-ng -v VOICE -s WPM -w tmp.wav TEXT -> (int16 samples, rate)."""
    out = Path(tmp) / "espeak.wav"
    run(["espeak-ng", *(["-m"] if ssml else []), "-v", voice, "-s", str(wpm), "-w", str(out), text])
    with wave.open(str(out), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SetError("espeak-ng wrote an unexpected WAV format")
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()
    if not np.any(np.abs(x.astype(np.int32)) > SILENT_ABS):
        raise SetError(f"espeak-ng produced silence for {text!r} ({voice})")
    return x, rate


def sox_to_16k(x, rate, gain, effects=()):
    """int16 samples at `rate` -> float samples at 16 kHz, scaled by gain (first, so
    sox never clips), then through sox effects."""
    cmd = ["sox", "-D", "-R", "-t", "raw", "-r", str(rate), "-e", "signed-integer", "-b", "16",
           "-c", "1", "-L", "-", "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1",
           "-L", "-", "vol", f"{gain}", "rate", "-h", str(SR), *effects]
    y = np.frombuffer(run(cmd, x.astype("<i2").tobytes()), dtype="<f4")
    return y.astype(np.float64)


# Runs in a fresh interpreter for every say part: libespeak-ng keeps synthesis state
# (e.g. the glottal source phase) from one call to the next, so only the first
# synthesis in a process matches the CLI sample for sample.
_EVENTS_HELPER = r'''
import ctypes, ctypes.util, json, sys
voice, wpm, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]
class Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", Id)]
CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))
lib = ctypes.CDLL(ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1")
lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
lib.espeak_SetSynthCallback.argtypes = [CB]
lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                             ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
rate = lib.espeak_Initialize(2, 0, None, 0)          # AUDIO_OUTPUT_SYNCHRONOUS
if rate <= 0:
    sys.exit("espeak_Initialize failed")
pcm, words = [], []
def callback(wav, n, ev):
    if n > 0:
        pcm.append(ctypes.string_at(wav, 2 * n))
    i = 0
    while ev[i].type != 0:                           # espeakEVENT_LIST_TERMINATED
        if ev[i].type == 1:                          # espeakEVENT_WORD
            words.append([ev[i].text_position, ev[i].sample])
        i += 1
    return 0
cb = CB(callback)
lib.espeak_SetSynthCallback(cb)
class Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p),
                ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte),
                ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte),
                ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]
lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(Voice)]
# as the CLI: by name, else by language ("en-gb+m4" is a language plus a variant)
if (lib.espeak_SetVoiceByName(voice.encode()) != 0
        and lib.espeak_SetVoiceByProperties(ctypes.byref(Voice(languages=voice.encode()))) != 0):
    sys.exit(f"unknown voice {voice!r}")
lib.espeak_SetParameter(1, wpm, 0)                   # espeakRATE
b = text.encode()
# flags as the CLI: espeakCHARS_UTF8 | espeakPHONEMES | espeakENDPAUSE
if lib.espeak_Synth(b, len(b) + 1, 0, 1, 0, 0x1 | 0x100 | 0x1000, None, None) != 0:
    sys.exit("espeak_Synth failed")
sys.stdout.buffer.write(json.dumps({"rate": rate, "words": words}).encode() + b"\n" + b"".join(pcm))
'''


def espeak_events(voice, wpm, text):
    """Word onsets from libespeak-ng, the library the espeak-ng CLI is built on.

    The CLI cannot print word times, so the part is synthesised again through the
    library (same voice, rate and flags, fresh process) -> (int16 samples, rate,
    [(1-based text position, sample index)] per WORD event). The caller checks the
    samples equal the CLI's, so the event positions are exact for the CLI audio.
    """
    out = run([sys.executable, "-c", _EVENTS_HELPER, voice, str(wpm), text])
    head, _, body = out.partition(b"\n")
    meta = json.loads(head)
    x = np.frombuffer(body, dtype=np.int16).copy()
    return x, meta["rate"], [tuple(w) for w in meta["words"]]


def silent_runs(loud, lo, hi, min_len):
    """[(start, end)] runs of not-loud samples of at least min_len inside [lo, hi)."""
    q = np.concatenate(([True], loud[lo:hi], [True]))
    edges = np.flatnonzero(np.diff(q.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]     # falling edge = silence starts
    return [(lo + int(s), lo + int(e)) for s, e in zip(starts, ends) if e - s >= min_len]


def to_out(sample, rate):
    return int(round(sample * SR / rate))


# ---------------------------------------------------------------- synthesis

def synth_say(a, text, tmp, exact_words):
    """-> (audio float64 @16k, words [(text, start, end, estimated)] relative
    to the audio, internal silences [(start, end)] relative, all in 16 kHz samples)."""
    x, rate = espeak_cli(a["voice"], a["wpm"], text, tmp)
    loud = np.abs(x.astype(np.int32)) > SILENT_ABS
    nz = np.flatnonzero(loud)
    lo, hi = int(nz[0]), int(nz[-1]) + 1
    y = sox_to_16k(x, rate, SPEECH_GAIN)
    s16, e16 = math.floor(lo * SR / rate), min(len(y), math.ceil(hi * SR / rate))
    audio = y[s16:e16]
    n = len(audio)

    def rel(sample):
        return min(max(to_out(sample, rate) - s16, 0), n)

    gaps = [(rel(s), rel(e)) for s, e in silent_runs(loud, lo, hi, int(PAUSE_MIN_S * rate))]
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    words = []
    if not exact_words:
        # Fallback: lay the words end to end over the part's speech (its long
        # silences skipped), each taking a share proportional to its letters.
        bounds = [0] + [b for g in gaps for b in g] + [n]
        spans = list(zip(bounds[0::2], bounds[1::2]))
        chars = [len(norm(t[2])) for t in tokens]
        speech = sum(e - s for s, e in spans)
        acc = 0
        for (_, _, tok), c in zip(tokens, chars):
            t0 = acc / sum(chars) * speech
            acc += c
            t1 = acc / sum(chars) * speech
            words.append((tok, _speech_to_abs(t0, spans, True), _speech_to_abs(t1, spans, False),
                          True))
        return audio, words, gaps
    lx, lrate, events = espeak_events(a["voice"], a["wpm"], text)
    if lrate != rate or not np.array_equal(lx, x):
        raise SetError(f"libespeak-ng audio differs from the espeak-ng CLI for {text!r}; "
                       "cannot use its word events (use --estimate-word-times)")
    # espeak-ng joins some unstressed words to their neighbour ("on the", "for a")
    # and then emits one WORD event for the group. Such groups get exact outer
    # edges, and inner boundaries shared out by character count (estimated).
    groups = []                                   # [onset, [token indices]]
    for k, (c0, c1, tok) in enumerate(tokens):
        hits = [smp for pos, smp in events if c0 <= pos - 1 < c1]
        if hits:
            groups.append([hits[0], [k]])
        elif groups:
            groups[-1][1].append(k)
        else:
            raise SetError(f"no espeak-ng word event for {tok!r} in {text!r}")
    onsets = [g[0] for g in groups]
    if onsets != sorted(onsets):
        raise SetError(f"espeak-ng word events out of order in {text!r}")
    for g, (onset, members) in enumerate(groups):
        nxt = onsets[g + 1] if g + 1 < len(groups) else hi
        seg = np.flatnonzero(loud[onset:nxt])
        if len(seg) == 0:
            raise SetError(f"{' '.join(tokens[k][2] for k in members)!r} in {text!r} is silent")
        start, end = onset + int(seg[0]), onset + int(seg[-1]) + 1
        if len(members) == 1:
            words.append((tokens[members[0]][2], rel(start), rel(end), False))
            continue
        chars = [len(norm(tokens[k][2])) for k in members]
        acc = 0
        for k, c in zip(members, chars):
            s0 = start + (end - start) * acc / sum(chars)
            acc += c
            s1 = start + (end - start) * acc / sum(chars)
            words.append((tokens[k][2], rel(s0), rel(s1), True))
    return audio, words, gaps


def _speech_to_abs(t, spans, is_start):
    """Maps a position on the speech-only time axis back into the part; a start
    exactly at the end of a stretch goes to the beginning of the next one."""
    for s, e in spans:
        if t < e - s or (t == e - s and not is_start):
            return int(round(s + t))
        t -= e - s
    return spans[-1][1]


def synth_filler(a, word, target_s, salt, tmp):
    """-> (audio float64 @16k, bend cents)."""
    # x-low pitch range: espeak's word intonation would otherwise fall ~5 semitones;
    # a filled pause is held on a near-level pitch, then `bend` lets it sag a little.
    text = f'<prosody range="x-low">{FILLER_TEXT[word]}</prosody>'
    x, rate = espeak_cli(a["voice"], a["wpm"], text, tmp, ssml=True)
    nz = np.flatnonzero(np.abs(x.astype(np.int32)) > SILENT_ABS)
    x = x[nz[0]:nz[-1] + 1]
    lo_c, hi_c = FILLER_BEND_CENTS
    cents = lo_c + salt % (hi_c - lo_c + 1)
    want = int(round(target_s * SR))
    # Stretch a little past the target (the quiet onset and decay are trimmed
    # off), then cut the audible part to the target exactly.
    stretch_to = target_s + FILLER_OVERSHOOT_S
    for _ in range(4):
        factor = (len(x) / rate) / stretch_to
        if not 0.2 <= factor <= 5:
            raise SetError(f"filler {word!r}: tempo factor {factor:.3f} out of range")
        effects = ["tempo", "-s", f"{factor:.6f}",
                   "bend", "-f", "50", f"{0.45 * target_s:.4f},-{cents},{0.5 * target_s:.4f}"]
        y = sox_to_16k(x, rate, FILLER_GAIN, effects)
        lo, hi = audible(y)
        if hi - lo >= want:
            break
        stretch_to *= want / max(hi - lo, 1) * 1.02
    else:
        raise SetError(f"filler {word!r}: cannot stretch to {target_s} s")
    y = y[lo:lo + want].copy()
    fi, fo = int(FILLER_FADE_IN_S * SR), int(FILLER_FADE_OUT_S * SR)
    y[:fi] *= np.linspace(0.0, 1.0, fi, endpoint=False)
    y[-fo:] *= np.linspace(1.0, 0.0, fo + 1)[1:] ** 2 if fo else 1
    return y, cents


def audible(y, rel_db=-30.0, frame=SR // 100):
    """[lo, hi) of the 10 ms frames within rel_db of the loudest frame."""
    n = len(y) // frame
    rms = np.sqrt(np.mean(y[: n * frame].reshape(n, frame) ** 2, axis=1))
    idx = np.flatnonzero(rms >= rms.max() * 10 ** (rel_db / 20))
    return int(idx[0]) * frame, (int(idx[-1]) + 1) * frame


def secs(samples):
    return round(samples / SR, 7)


def build(a, tmp, exact_words):
    aid = a["id"]
    chunks, cursor = [], 0
    timeline, sounds, words, fillers, gaps_int = [], [], [], [], []

    def add(arr):
        nonlocal cursor
        chunks.append(arr)
        cursor += len(arr)

    add(np.zeros(int(round(EDGE_S * SR))))
    for i, p in enumerate(a["parts"]):
        salt = zlib.crc32(f"{aid}/{i}".encode())
        if "say" in p:
            audio, ws, gaps = synth_say(a, p["say"], tmp, exact_words)
            start = cursor
            add(audio)
            timeline.append({"part": i, "kind": "say", "start": secs(start), "end": secs(cursor)})
            bounds = [start] + [start + b for g in gaps for b in g] + [cursor]
            for s, e in zip(bounds[0::2], bounds[1::2]):
                sounds.append((s, e, "say"))
            for s, e in gaps:
                gaps_int.append((start + s, start + e))
            for tok, s, e, est in ws:
                words.append({"text": tok, "start": start + s, "end": start + e, "estimated": est})
        elif "filler" in p:
            lo, hi = FILLER_PAD_MS
            pre = int(round((lo + salt % (hi - lo + 1)) / 1000 * SR))
            post = int(round((lo + (salt >> 8) % (hi - lo + 1)) / 1000 * SR))
            audio, cents = synth_filler(a, p["filler"], float(p["seconds"]), salt >> 16, tmp)
            pad_start = cursor
            add(np.zeros(pre))
            start = cursor
            add(audio)
            end = cursor
            add(np.zeros(post))
            sounds.append((start, end, "filler"))
            fillers.append({"text": p["filler"], "start": secs(start), "end": secs(end),
                            "duration_s": secs(end - start), "target_s": float(p["seconds"]),
                            "pitch_bend_cents": -cents})
            timeline.append({"part": i, "kind": "filler", "text": p["filler"],
                             "start": secs(pad_start), "end": secs(cursor),
                             "sound_start": secs(start), "sound_end": secs(end)})
        else:
            start = cursor
            add(np.zeros(int(round(float(p["pause"]) * SR))))
            timeline.append({"part": i, "kind": "pause", "start": secs(start),
                             "end": secs(cursor)})
    add(np.zeros(int(round(EDGE_S * SR))))
    signal = np.concatenate(chunks)

    peak = float(np.max(np.abs(signal)))
    if peak >= 0.99:
        raise SetError(f"{aid}: peak {peak:.3f} would clip")
    rng = np.random.RandomState(zlib.crc32(aid.encode()))   # legacy generator: frozen stream
    signal = signal + rng.standard_normal(len(signal)) * 10 ** (NOISE_DBFS / 20)
    pcm = np.clip(np.round(signal * 32767), -32768, 32767).astype("<i2")

    # pauses: every gap >= PAUSE_MIN_S between consecutive sounds
    sounds.sort()
    pause_parts = [(t["start"], t["end"]) for t in timeline if t["kind"] == "pause"]
    pauses = []
    for (s0, e0, k0), (s1, e1, k1) in zip(sounds, sounds[1:]):
        if s1 - e0 < int(round(PAUSE_MIN_S * SR)):
            continue
        if (e0, s1) in gaps_int:
            source = "tts_punctuation"
        elif any(ps >= secs(e0) and pe <= secs(s1) for ps, pe in pause_parts):
            source = "pause_part"
        else:
            source = "filler_padding"
        before = [w for w in words if w["end"] <= e0]
        mid = bool(before) and not before[-1]["text"].endswith((".", "?", "!"))
        pauses.append({"start": secs(e0), "end": secs(s1), "duration_s": secs(s1 - e0),
                       "kind": "around_filler" if "filler" in (k0, k1) else "silence",
                       "source": source, "mid_sentence": mid})

    def spans(key):
        out = []
        for s in a.get(key, []):
            idx = s["words"]
            item = {"text": s["text"], "words": idx,
                    "start": secs(words[idx[0]]["start"]), "end": secs(words[idx[-1]]["end"])}
            if "mimics" in s:
                item["mimics"] = s["mimics"]
            out.append(item)
        return out

    say_sounds = [(s, e) for s, e, k in sounds if k == "say"]
    span = (say_sounds[-1][1] - say_sounds[0][0]) / SR
    gold = {
        "id": aid,
        "voice": a["voice"],
        "wpm": a["wpm"],
        "duration_s": secs(len(pcm)),
        "sample_rate": SR,
        "text": " ".join(p["say"] for p in a["parts"] if "say" in p),
        "words": [dict(w, start=secs(w["start"]), end=secs(w["end"])) for w in words],
        "filled_pauses": fillers,
        "discourse": spans("discourse"),
        "hedges": spans("hedges"),
        "traps": spans("traps"),
        "pauses": pauses,
        "speech_s": secs(sum(e - s for s, e in say_sounds)),
        "reference_wpm": round(len(words) / span * 60, 3),
        "timeline": timeline,
        "note": a.get("note", ""),
    }
    return pcm, gold


def write_wav(path, pcm):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def tool_version(cmd):
    r = subprocess.run(cmd, capture_output=True, check=True)
    text = (r.stdout + r.stderr).decode(errors="replace").strip()
    return text.splitlines()[0] if text else "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?", help="where to write <id>.wav, <id>.json, index.json")
    ap.add_argument("--toml", default=str(DEFAULT_TOML), help="answers file (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="validate the answers file and exit")
    ap.add_argument("--estimate-word-times", action="store_true",
                    help="do not use libespeak-ng word events; spread words over each part's "
                         "speech by character count (words get estimated: true)")
    args = ap.parse_args()
    try:
        with open(args.toml, "rb") as f:
            answers = validate(tomllib.load(f), args.toml)
        check_voices(answers)
        if args.check:
            print(f"{args.toml}: {len(answers)} answers OK")
            return 0
        if not args.out_dir:
            ap.error("OUT_DIR is required (or --check)")
        out = Path(args.out_dir).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        exact_words = not args.estimate_word_times
        ids, total = [], 0.0
        with tempfile.TemporaryDirectory(prefix="delivery-set-") as tmp:
            for a in answers:
                pcm, gold = build(a, tmp, exact_words)
                write_wav(out / f"{a['id']}.wav", pcm)
                (out / f"{a['id']}.json").write_text(json.dumps(gold, indent=1) + "\n")
                ids.append(a["id"])
                total += gold["duration_s"]
                print(f"{a['id']}: {gold['duration_s']:.2f} s, {len(gold['words'])} words, "
                      f"{len(gold['filled_pauses'])} filled pauses, {len(gold['pauses'])} pauses")
        index = {"ids": ids, "sample_rate": SR, "total_duration_s": round(total, 4),
                 "word_times": "espeak_events" if exact_words else "estimated",
                 "espeak_ng": tool_version(["espeak-ng", "--version"]),
                 "sox": tool_version(["sox", "--version"])}
        (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")
        print(f"{len(ids)} answers, {total:.1f} s of audio -> {out}")
        return 0
    except SetError as e:
        print(f"make-delivery-set: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
