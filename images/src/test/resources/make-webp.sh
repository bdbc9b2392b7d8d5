#!/usr/bin/env bash
# Makes the WebP fixtures of ImageProbeTest from webp-source.png (a 40×30 colour picture the test
# also reads), with Debian's cwebp (package webp). Run from this folder; the outputs are committed.
set -euo pipefail
cwebp -quiet -q 90 webp-source.png -o lossy.webp
cwebp -quiet -lossless webp-source.png -o lossless.webp
