#!/usr/bin/python3
"""PyTorch's side of the engine benchmark (bench/ConvnetBenchmark runs it; it is not run by hand).

Run with Debian's own Python (python3-torch 1.13) and OPENBLAS_NUM_THREADS=1:
  /usr/bin/python3 bench/tools/torch_bench.py export DIR
      writes DIR/MODEL.onnx for every model (opset 13, batch axis dynamic)
  /usr/bin/python3 bench/tools/torch_bench.py measure THREADS SECONDS CONFIG...
      CONFIG is model:mode:batch (mode infer, train or latency); prints one CSV line per CONFIG:
      model,mode,batch,threads,images_per_second (latency: microseconds per image instead)

LeNet-5 and ResNet-20 are the architectures the engine's reference tests use
(convnet/tools/torch_reference.py); ResNet-18 and MobileNetV2 are torchvision's (python3-torchvision),
which the engine's built-in specs resnet18.net and mobilenetv2.net declare layer for layer (their
parameter counts are tested equal). Both sides run the same networks. Each measurement warms up for SECONDS/2, then runs for SECONDS.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "convnet", "tools"))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch_reference as reference  # noqa: E402
import torchvision  # noqa: E402

torch.set_default_dtype(torch.float32)
MODELS = {"lenet5": reference.lenet5, "resnet20": reference.resnet20,
          "resnet18": torchvision.models.resnet18, "mobilenetv2": torchvision.models.mobilenet_v2}
INPUTS = {"lenet5": (1, 28, 28), "resnet20": (1, 28, 28), "resnet18": (3, 224, 224), "mobilenetv2": (3, 224, 224)}
CLASSES = {"lenet5": 10, "resnet20": 10, "resnet18": 1000, "mobilenetv2": 1000}


def build(name):
    torch.manual_seed(1)
    return MODELS[name]()


def export(folder):
    os.makedirs(folder, exist_ok=True)
    for name in MODELS:
        net = build(name).eval()
        torch.onnx.export(net, torch.randn(1, *INPUTS[name]), os.path.join(folder, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def timed(step, seconds):
    """Runs step() for seconds/2 to warm up, then for seconds; returns calls per second."""
    end = time.perf_counter() + seconds / 2
    while time.perf_counter() < end:
        step()
    calls = 0
    start = time.perf_counter()
    while True:
        step()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed


def measure(name, mode, batch, seconds):
    net = build(name)
    x = torch.randn(batch, *INPUTS[name])
    if mode == "train":
        net.train()
        labels = torch.randint(0, CLASSES[name], (batch,))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            loss_fn(net(x), labels).backward()
            optimizer.step()
        return timed(step, seconds) * batch
    net.eval()
    with torch.no_grad():
        rate = timed(lambda: net(x), seconds)
    return 1e6 / rate if mode == "latency" else rate * batch


def main():
    if sys.argv[1] == "export":
        export(sys.argv[2])
        return
    threads = int(sys.argv[2])
    seconds = float(sys.argv[3])
    torch.set_num_threads(threads)
    for config in sys.argv[4:]:
        name, mode, batch = config.split(":")
        value = measure(name, mode, int(batch), seconds)
        print("%s,%s,%s,%d,%.3f" % (name, mode, batch, threads, value), flush=True)


if __name__ == "__main__":
    main()
