#!/usr/bin/env bash
# How models/garments-rgb224.onnx was made (./pipeline run --demo-rgb serves it): the built-in vgg-rgb224
# trained from scratch on Fashion-MNIST colourised at 224×224 (no colour photo dataset can be downloaded
# here), with torchvision's evaluation pre-processing (shorter side to 256, centre crop 224), then
# written as ONNX (classes, normalisation and resize policy in its metadata), the form a team's own
# model arrives in. About 25 minutes on two cores.
#   models/make-garments-rgb224.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=${1:-$(mktemp -d)}
./pipeline convnet colourise --out "$work/photos" --size 224 --classes 0-9 --train 800 --test 100
./pipeline convnet train --arch vgg-rgb224 --data "$work/photos/train" --val "$work/photos/test" --resize centre-crop:0.875 \
  --epochs 12 --batch 64 --lr 0.05 --optimizer nesterov --schedule cosine --augment flip,resized-crop,jitter --seed 1 \
  --name garments-rgb --out "$work/garments-rgb224.model"
./pipeline convnet export "$work/garments-rgb224.model" --out models/garments-rgb224.onnx
