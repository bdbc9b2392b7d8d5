#!/usr/bin/python3
"""Torchvision's classic architectures as ONNX files, for the importer's check against ONNX Runtime.

Run with Debian's own Python (python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 convnet-onnx/tools/torchvision_onnx.py OUT_DIR [MODEL ...]
No pretrained weights can be downloaded here, so the weights are random (seeded); a few forward passes
in training mode give the batch-norm layers running statistics of their own, as a trained model has.
Each model is exported with torch.onnx.export at 224x224, opset 13, the batch dimension dynamic.
"""
import os
import sys

import torch
import torchvision.models as models

MODELS = {
    "resnet18": models.resnet18,
    "resnet50": models.resnet50,
    "mobilenet_v2": models.mobilenet_v2,
    "squeezenet1_1": models.squeezenet1_1,
    "vgg16": models.vgg16,
    "alexnet": models.alexnet,
    "densenet121": models.densenet121,
}


def export(name, out_dir):
    torch.manual_seed(0)
    model = MODELS[name](weights=None)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, 224, 224))
    model.eval()
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print("wrote", path, file=sys.stderr)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in sys.argv[2:] or MODELS:
        if name not in MODELS:
            sys.exit("unknown model %s; expected one of %s" % (name, ", ".join(MODELS)))
        export(name, out_dir)


if __name__ == "__main__":
    main()
