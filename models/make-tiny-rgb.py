"""Writes tiny-rgb.onnx: a small torchvision-style classifier (ResNet basic blocks, batch-norm, 1×1
projection shortcuts, global average pooling) taking 224×224 RGB, for tests and the README's recipe of
bringing an ONNX model. Its weights are torch's initialisation with batch-norm statistics gathered on
random images (seed 7), so it is deterministic, not trained: the tests compare the engine with
itself through the pipeline, not with a ground truth.

    /usr/bin/python3 models/make-tiny-rgb.py models/tiny-rgb.onnx
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "convnet", "tools"))
from torch_reference import BasicBlock  # noqa: E402  (ResNet's basic block, as the engine's reference tests build it)

torch.set_default_dtype(torch.float32)  # the reference tools compute in double; a served model is float


class TinyRgb(nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))                       # [16, 56, 56]
        self.layer1 = BasicBlock(16, 32, 2)                                     # [32, 28, 28]
        self.layer2 = BasicBlock(32, 64, 2)                                     # [64, 14, 14]
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer2(self.layer1(self.stem(x)))), 1))


def main(out):
    torch.manual_seed(7)
    model = TinyRgb()
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.rand(16, 3, 224, 224) * 2 - 1)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), out, opset_version=13, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tiny-rgb.onnx")
