#!/usr/bin/python3
"""PyTorch's side of the engine benchmark (bench/ConvnetBenchmark runs it; it is not run by hand).

Run with Debian's own Python (python3-torch 1.13) and OPENBLAS_NUM_THREADS=1:
  /usr/bin/python3 bench/tools/torch_bench.py export DIR
      writes DIR/lenet5.onnx and DIR/resnet20.onnx (opset 13, batch axis dynamic)
  /usr/bin/python3 bench/tools/torch_bench.py measure THREADS SECONDS CONFIG...
      CONFIG is model:mode:batch (mode infer, train or latency); prints one CSV line per CONFIG:
      model,mode,batch,threads,images_per_second (latency: microseconds per image instead)

The architectures are the ones the engine's reference tests use (convnet/tools/torch_reference.py),
so both sides run the same networks. Each measurement warms up for SECONDS/2, then runs for SECONDS.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "convnet", "tools"))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch_reference as reference  # noqa: E402

torch.set_default_dtype(torch.float32)
MODELS = {"lenet5": reference.lenet5, "resnet20": reference.resnet20}


def build(name):
    torch.manual_seed(1)
    return MODELS[name]()


def export(folder):
    os.makedirs(folder, exist_ok=True)
    for name in MODELS:
        net = build(name).eval()
        torch.onnx.export(net, torch.randn(1, 1, 28, 28), os.path.join(folder, name + ".onnx"), opset_version=13,
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
    x = torch.randn(batch, 1, 28, 28)
    if mode == "train":
        net.train()
        labels = torch.randint(0, 10, (batch,))
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
