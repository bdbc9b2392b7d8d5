#!/usr/bin/python3
"""Reference numbers from PyTorch for the engine's tests.

Run with Debian's own Python (python3-torch 1.13): /usr/bin/python3 convnet/tools/torch_reference.py
It writes convnet/src/test/resources/torch-reference/<case>.txt; the Java tests read those files and
never need Python.

Inputs, weights and the upstream gradient are not stored: both sides compute them from the same
closed form (see fill()), so only results are written, each line `name count v1 v2 ...`. References
are computed in float64; the engine runs in float32 and is held to them within a tolerance.
Whole networks store the logits, the loss, and for every gradient its sum, its L2 norm and 8 values.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "torch-reference")


def fill(shape, salt, kind):
    """The closed form shared with the Java tests (TorchReferenceTest.fill)."""
    n = math.prod(shape)
    if kind == "weight":
        fan_in = n // shape[0]
        scale = 1.0 / math.sqrt(fan_in)
        values = [math.sin(0.37 * i + 1.3 * salt) * scale for i in range(n)]
    elif kind == "gamma":
        values = [1.0 + 0.1 * math.sin(0.37 * i + 1.3 * salt) for i in range(n)]
    elif kind == "small":
        values = [0.1 * math.sin(0.37 * i + 1.3 * salt) for i in range(n)]
    else:  # input and upstream gradient
        values = [math.sin(0.37 * i + 1.3 * salt) + 0.5 * math.cos(0.11 * i * (salt + 1)) for i in range(n)]
    return torch.tensor(values).reshape(shape)


def kind_of(name, param):
    if param.dim() > 1:
        return "weight"
    return "gamma" if name.endswith("gamma") or (name.endswith("weight") and param.dim() == 1) else "small"


def set_params(module):
    for salt, (name, p) in enumerate(module.named_parameters()):
        with torch.no_grad():
            p.copy_(fill(tuple(p.shape), salt + 10, kind_of(name, p)))


def write(case, entries):
    with open(os.path.join(OUT, case + ".txt"), "w") as f:
        for name, tensor in entries:
            flat = tensor.detach().reshape(-1).tolist()
            f.write(name + " " + str(len(flat)) + " " + " ".join(repr(float(v)) for v in flat) + "\n")


def layer_case(case, module, in_shape, train=True):
    set_params(module)
    module.train(train)
    x = fill(in_shape, 1, "input").requires_grad_(True)
    y = module(x)
    g = fill(tuple(y.shape), 2, "input")
    y.backward(g)
    entries = [("output", y), ("grad_input", x.grad)]
    entries += [("grad_" + n, p.grad) for n, p in module.named_parameters()]
    if isinstance(module, nn.BatchNorm2d):
        entries += [("running_mean", module.running_mean), ("running_var", module.running_var)]
    write(case, entries)


class AsymmetricPool(nn.Module):
    """Pooling with padding (top, left, bottom, right), which PyTorch's layers take only symmetric: the
    input padded explicitly (−∞ for max, 0 for average), then pooled without padding. Average without
    the padding counted divides the padded sums by the pooled count of ones."""

    def __init__(self, kind, kernel, stride, pads):
        super().__init__()
        self.kind, self.kernel, self.stride = kind, kernel, stride
        top, left, bottom, right = pads
        self.pad = (left, right, top, bottom)

    def forward(self, x):
        if self.kind == "max":
            return F.max_pool2d(F.pad(x, self.pad, value=-math.inf), self.kernel, self.stride)
        sums = F.avg_pool2d(F.pad(x, self.pad), self.kernel, self.stride)
        if self.kind == "avg":
            return sums
        return sums / F.avg_pool2d(F.pad(torch.ones_like(x), self.pad), self.kernel, self.stride)


def summary(name, tensor):
    flat = tensor.detach().reshape(-1)
    picks = [flat[(i * 7919) % flat.numel()] for i in range(8)]
    return [(name + ".sum", flat.sum()), (name + ".norm", flat.norm()), (name + ".picks", torch.stack(picks))]


def network_case(case, net, labels):
    set_params(net)
    net.train(True)
    x = fill((len(labels), 1, 28, 28), 1, "input").requires_grad_(True)
    logits = net(x)
    loss = F.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    entries = [("logits", logits), ("loss", loss.reshape(1))] + summary("grad_input", x.grad)
    for i, (n, p) in enumerate(net.named_parameters()):
        entries += summary("grad_param%d" % i, p.grad)
    write(case, entries)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


def resnet20():
    layers = [nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for cout, stride in [(16, 1), (32, 2), (64, 2)]:
        for b in range(3):
            layers.append(BasicBlock(cin, cout, stride if b == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block as torchvision builds it (the engine's inverted-residual line)."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return self.block(x) + x if self.residual else self.block(x)


def mobilenet_blocks():
    """convnet/src/test/resources/specs/mobilenet-blocks.net."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),
                         InvertedResidual(8, 8, 1, 1), InvertedResidual(8, 12, 2, 6), InvertedResidual(12, 12, 1, 6),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def main():
    os.makedirs(OUT, exist_ok=True)
    layer_case("conv2d", nn.Conv2d(3, 4, 3), (2, 3, 7, 7))
    layer_case("conv2d-stride2-pad1", nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7))
    layer_case("conv2d-dilation2", nn.Conv2d(3, 2, 3, padding=2, dilation=2), (2, 3, 7, 7))
    layer_case("conv2d-groups2", nn.Conv2d(4, 6, 3, padding=1, groups=2), (2, 4, 6, 6))
    layer_case("conv2d-depthwise-nobias", nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), (2, 4, 6, 6))
    layer_case("conv2d-1x1-stride2", nn.Conv2d(4, 3, 1, stride=2, bias=False), (2, 4, 6, 6))
    layer_case("conv1d", nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=2), (2, 2, 11))
    layer_case("maxpool-3-2-1", nn.MaxPool2d(3, 2, 1), (2, 3, 7, 7))
    layer_case("avgpool-3-2-1", nn.AvgPool2d(3, 2, 1), (2, 3, 7, 7))
    layer_case("maxpool-3-2-1-dilation2-ceil", nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), (2, 3, 8, 8))
    layer_case("maxpool-2-ceil", nn.MaxPool2d(2, ceil_mode=True), (2, 3, 7, 7))
    layer_case("avgpool-3-2-1-ceil", nn.AvgPool2d(3, 2, 1, ceil_mode=True), (2, 3, 8, 8))
    layer_case("avgpool-3-2-1-ceil-padding-not-counted", nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
               (2, 3, 8, 8))
    layer_case("maxpool-3x2-asymmetric", AsymmetricPool("max", (3, 2), (2, 1), (2, 0, 0, 1)), (2, 3, 7, 6))
    layer_case("avgpool-3x2-asymmetric", AsymmetricPool("avg", (3, 2), (2, 1), (2, 0, 0, 1)), (2, 3, 7, 6))
    layer_case("avgpool-3x2-asymmetric-padding-not-counted", AsymmetricPool("avg-not-counted", (3, 2), (2, 1), (2, 0, 0, 1)),
               (2, 3, 7, 6))
    layer_case("relu", nn.ReLU(), (2, 3, 5, 5))
    layer_case("leaky-relu", nn.LeakyReLU(0.1), (2, 3, 5, 5))
    layer_case("sigmoid", nn.Sigmoid(), (2, 3, 5, 5))
    layer_case("tanh", nn.Tanh(), (2, 3, 5, 5))
    layer_case("linear", nn.Linear(7, 5), (3, 7))
    layer_case("batchnorm-train", nn.BatchNorm2d(3), (2, 3, 5, 5), train=True)
    layer_case("batchnorm-eval", nn.BatchNorm2d(3), (2, 3, 5, 5), train=False)
    logits = fill((3, 5), 1, "input").requires_grad_(True)
    loss = F.cross_entropy(logits, torch.tensor([0, 3, 4]), label_smoothing=0.1)
    loss.backward()
    write("cross-entropy-smoothing", [("loss", loss.reshape(1)), ("grad_logits", logits.grad)])
    network_case("lenet5", lenet5(), [3, 7])
    network_case("resnet20", resnet20(), [3, 7])
    network_case("mobilenet-blocks", mobilenet_blocks(), [3, 7])
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
