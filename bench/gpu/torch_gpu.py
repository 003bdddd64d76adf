#!/usr/bin/env python3
"""PyTorch on the GPU for bench/gpu/run.sh: W1 (batch 128 and 1024), W4 and W5 of DESIGN.md, each eager and with the
whole training step captured in a CUDA graph (../shared/GPU.md says how), on random data of Fashion-MNIST's shape
resident on the GPU. Prints one line per figure: `RESULT <workload> <batch> <eager|graph> <samples/s>`, each the median
of --runs timed stretches after a warm-up.

Usage: python3 bench/gpu/torch_gpu.py [--runs 3] [--workloads W1,W1-1024,W4,W5] [--tf32]
"""
import argparse
import inspect
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--workloads", default="W1,W1-1024,W4,W5")
parser.add_argument("--tf32", action="store_true", help="allow TF32 in matrix products and convolutions (off: fp32, as Nabla)")
parser.add_argument("--steps", type=int, help="steps per timed stretch (default: about a second of eager PyTorch each)")
parser.add_argument("--device", default="cuda", help="cuda; cpu only checks the script (eager, no graphs)")
args = parser.parse_args()

torch.backends.cuda.matmul.allow_tf32 = args.tf32
torch.backends.cudnn.allow_tf32 = args.tf32
device = torch.device(args.device)
torch.manual_seed(0)

# Steps per timed stretch: about a second of eager PyTorch each (GPU.md's figures).
STEPS = {"W1": 469, "W1-1024": 58, "W4": 200, "W5": 100}
if args.steps:
    STEPS = dict.fromkeys(STEPS, args.steps)


def block(c_in, c_out):
    return [torch.nn.Conv2d(c_in, c_out, 3, padding=1), torch.nn.BatchNorm2d(c_out), torch.nn.ReLU()]


def build(name, capturable):
    """The network, its optimiser (capturable, for a CUDA graph, when asked), its batch and whether inputs are images
    (W4, W5) or flat rows (W1)."""
    if name.startswith("W1"):
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
        kwargs = {"capturable": True} if capturable and "capturable" in inspect.signature(torch.optim.SGD).parameters else {}
        return model.to(device), (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, **kwargs)), (1024 if name == "W1-1024" else 128), False
    if name == "W4":
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        return model.to(device), (lambda p: torch.optim.Adam(p, lr=1e-3, capturable=capturable)), 128, True
    model = torch.nn.Sequential(
        *block(1, 32), *block(32, 32), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        *block(32, 64), *block(64, 64), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        torch.nn.Flatten(), torch.nn.Linear(3136, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(256, 10))
    return model.to(device), (lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01, capturable=capturable)), 128, True


def data(images):
    """60,000 examples of Fashion-MNIST's shape on the GPU, and their labels."""
    x = torch.rand(60_000, 1, 28, 28, device=device) if images else torch.rand(60_000, 784, device=device)
    return x, torch.randint(0, 10, (60_000,), device=device)


def synchronize():
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(stretch, name, batch):
    """The median samples/s of --runs stretches of the workload's steps, after 20 untimed steps."""
    stretch(min(20, STEPS[name]))
    synchronize()
    rates = []
    for _ in range(args.runs):
        start = time.perf_counter()
        stretch(STEPS[name])
        synchronize()
        rates.append(STEPS[name] * batch / (time.perf_counter() - start))
    return statistics.median(rates)


def eager(name):
    model, make_optimizer, batch, images = build(name, capturable=False)
    optimizer = make_optimizer(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = data(images)
    batches = len(x) // batch

    def stretch(steps):
        for i in range(steps):
            at = (i % batches) * batch
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[at:at + batch]), y[at:at + batch])
            loss.backward()
            optimizer.step()
            loss.item()   # as a training loop reads its loss: Nabla's steps do too

    return batch, timed(stretch, name, batch)


def graph(name):
    model, make_optimizer, batch, images = build(name, capturable=True)
    optimizer = make_optimizer(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = data(images)
    batches = len(x) // batch
    static_x, static_y = x[:batch].clone(), y[:batch].clone()

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):   # warm up on a side stream, as torch.cuda.graphs asks
            optimizer.zero_grad(set_to_none=False)
            loss_fn(model(static_x), static_y).backward()
            optimizer.step()
    torch.cuda.current_stream().wait_stream(side)

    g = torch.cuda.CUDAGraph()
    # None before capture, as PyTorch's whole-network example: backward inside the graph then writes fresh gradients
    # from the graph's pool on every replay, rather than adding to the last replay's (set_to_none=False would).
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(g):
        static_loss = loss_fn(model(static_x), static_y)
        static_loss.backward()
        optimizer.step()

    def stretch(steps):
        for i in range(steps):
            at = (i % batches) * batch
            static_x.copy_(x[at:at + batch])
            static_y.copy_(y[at:at + batch])
            g.replay()
            static_loss.item()

    return batch, timed(stretch, name, batch)


where = torch.cuda.get_device_name(0) if device.type == "cuda" else "the CPU (a check of the script)"
print(f"# PyTorch {torch.__version__} on {where}, CUDA {torch.version.cuda}, TF32 {'on' if args.tf32 else 'off'}", flush=True)
for name in args.workloads.split(","):
    for mode, run in (("eager", eager), ("graph", graph)):
        if mode == "graph" and device.type != "cuda":
            continue
        try:
            batch, rate = run(name)
            print(f"RESULT {name.split('-')[0]} {batch} {mode} {rate:.0f}", flush=True)
        except Exception as e:  # noqa: BLE001 - one failed variant must not lose the others' figures
            print(f"FAILED {name} {mode}: {type(e).__name__}: {e}", flush=True)
