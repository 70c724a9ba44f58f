#!/bin/sh
# Regenerates sounds/<lang>/callrec/*.wav: 8 kHz mono 16-bit PCM WAV, what Asterisk plays
# without transcoding. Needs Debian's espeak-ng and sox. Deterministic: no dither (-D), fixed
# voices and speed, so a rerun with the same package versions gives the same bytes.
set -eu
cd "$(dirname "$0")/.."
command -v espeak-ng >/dev/null && command -v sox >/dev/null || {
  echo "make-sounds: needs espeak-ng and sox (apt-get install -y espeak-ng sox)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { # lang voice name text
  mkdir -p "sounds/$1/callrec"
  espeak-ng -v "$2" -s 165 -w "$tmp/raw.wav" "$4"
  # gain -n -2: espeak-ng peaks at full scale and resampling would clip a few samples.
  sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "sounds/$1/callrec/$3.wav" gain -n -2
}

beep() { # lang
  mkdir -p "sounds/$1/callrec"
  sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "sounds/$1/callrec/beep.wav" synth 0.25 sine 1000 vol 0.4
}

en_notice="This call may be recorded for quality and training purposes."
say en en-us announce "$en_notice"
say en en-us opt-in "$en_notice Press 1 to agree to recording, or 2 to continue without recording."
say en en-us opt-out "$en_notice Press 9 if you do not want to be recorded."
say en en-us paused "Recording paused."
say en en-us resumed "Recording resumed."
say en en-us started "Recording started."
say en en-us not-recorded "This call will not be recorded."
beep en

es_notice="Esta llamada puede ser grabada con fines de calidad y formación."
say es es announce "$es_notice"
say es es opt-in "$es_notice Pulse 1 para aceptar la grabación, o 2 para continuar sin grabación."
say es es opt-out "$es_notice Pulse 9 si no desea ser grabado."
say es es paused "Grabación en pausa."
say es es resumed "Grabación reanudada."
say es es started "Grabación iniciada."
say es es not-recorded "Esta llamada no será grabada."
beep es

du -sh sounds
