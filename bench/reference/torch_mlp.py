"""W1, W2 and W4 references on PyTorch (Debian's python3-torch), the same workloads and output format as `nabla bench`.

W1: one epoch of Fashion-MNIST (60,000 images, inputs scaled to [0, 1], preloaded) on the MLP 784-512-256-10, ReLU,
    softmax cross-entropy, SGD lr 0.05 momentum 0.9, batch 128, reshuffled each epoch: training samples/s per run.
W2: the 4-16-3 tanh MLP, batch 1, one SGD step (forward, loss, backward, update): µs per step per run.
W4: the Fashion-MNIST CNN of DESIGN.md (conv 1→32 3×3 pad 1, ReLU, max-pool 2, conv 32→64 3×3 pad 1, ReLU, max-pool 2,
    flatten, linear 3136→128, ReLU, linear 128→10), Adam lr 1e-3, batch 128: training samples/s over 100 steps per run.
W5: the README's deeper CNN (conv32k3p1-bn-relu-conv32k3p1-bn-relu-pool2-dropout0.25-conv64k3p1-bn-relu-conv64k3p1-bn-
    relu-pool2-dropout0.25-flatten-fc256-bn-relu-dropout0.5-fc10), AdamW lr 1e-3 weight decay 0.01, batch 128:
    training samples/s over 40 steps per run.
W6: a residual MLP as a custom module, 784 → Linear 512 → 4 × [x + Linear(1024→512)(GELU(Linear(512→1024)(LayerNorm(x))))]
    → LayerNorm → Linear 10, AdamW lr 1e-3 weight decay 0.01, batch 128: training samples/s over 100 steps per run.

Usage: bench/reference/with-openblas-openmp.sh /usr/bin/python3 bench/reference/torch_mlp.py W1|W2|W4|W5|W6 [--runs 5] [--threads N]
"""
import argparse
import gzip
import os
import statistics
import struct
import time

parser = argparse.ArgumentParser()
parser.add_argument("workload", choices=["W1", "W2", "W4", "W5", "W6"])
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = parser.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def describe():
    blas = [i for i in threadpool_info() if i["internal_api"] == "openblas"]
    config = ", ".join(f"{i['filepath']} (kernel {i.get('architecture')}, {i['num_threads']} threads)" for i in blas)
    return (f"# torch {torch.__version__} bench {args.workload}: {torch.get_num_threads()} thread(s); BLAS {config}; "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}; "
            f"ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', 'unset')}")


def w1():
    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)

    def epoch(limit=None):
        order = torch.randperm(len(x), generator=generator)
        steps = 0
        for start in range(0, len(x), 128):
            if limit is not None and steps >= limit:
                break
            index = order[start:start + 128]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            steps += 1
        return steps

    print(describe(), flush=True)
    epoch(limit=100)  # warm up
    rates = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        steps = epoch()
        seconds = time.perf_counter() - start
        rates.append(len(x) / seconds)
        print(f"W1 run {run}: {rates[-1]:9.0f} samples/s  ({steps} steps in {seconds:.3f} s)", flush=True)
    print(f"W1 median: {statistics.median(rates):.0f} samples/s", flush=True)


def w2():
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    features = torch.tensor([[0.5, -1.25, 2.0, 0.75]])
    label = torch.tensor([2])

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(features), label)
        loss.backward()
        optimizer.step()

    print(describe(), flush=True)
    for _ in range(1000):
        step()
    latencies = []
    steps = 20_000
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        latencies.append((time.perf_counter() - start) * 1e6 / steps)
        print(f"W2 run {run}: {latencies[-1]:7.2f} µs per step", flush=True)
    print(f"W2 median: {statistics.median(latencies):.2f} µs per step", flush=True)


def w4():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    train_images("W4", model, torch.optim.Adam(model.parameters(), lr=1e-3), shape=(1, 28, 28), steps_per_run=100, warm_up=20)


def w5():
    def block(c_in, c_out):
        return [torch.nn.Conv2d(c_in, c_out, 3, padding=1), torch.nn.BatchNorm2d(c_out), torch.nn.ReLU()]

    model = torch.nn.Sequential(
        *block(1, 32), *block(32, 32), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        *block(32, 64), *block(64, 64), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        torch.nn.Flatten(), torch.nn.Linear(3136, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(256, 10))
    train_images("W5", model, torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01), shape=(1, 28, 28), steps_per_run=40, warm_up=10)


class ResidualBlock(torch.nn.Module):
    """x + Linear(hidden → width)(GELU(Linear(width → hidden)(LayerNorm(x))))."""

    def __init__(self, width, hidden):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width)
        self.up = torch.nn.Linear(width, hidden)
        self.down = torch.nn.Linear(hidden, width)

    def forward(self, x):
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm(x))))


class ResidualMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.input = torch.nn.Linear(784, 512)
        self.blocks = torch.nn.ModuleList([ResidualBlock(512, 1024) for _ in range(4)])
        self.norm = torch.nn.LayerNorm(512)
        self.output = torch.nn.Linear(512, 10)

    def forward(self, x):
        x = self.input(x)
        for block in self.blocks:
            x = block(x)
        return self.output(self.norm(x))


def w6():
    model = ResidualMlp()
    train_images("W6", model, torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01), shape=(784,), steps_per_run=100, warm_up=10)


def train_images(name, model, optimizer, shape, steps_per_run, warm_up):
    """Samples/s of steps of 128 Fashion-MNIST images, as `nabla bench` times W4, W5 and W6."""
    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(len(images), *shape).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(len(x), generator=generator)

    def steps(count, offset):
        for s in range(count):
            start = ((offset + s) * 128) % (len(x) - 128)
            index = order[start:start + 128]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x[index]), y[index]).backward()
            optimizer.step()

    print(describe() + f"; mkldnn {torch.backends.mkldnn.is_available()}", flush=True)
    model.train()
    steps(warm_up, 0)  # warm up
    rates = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        steps(steps_per_run, run * steps_per_run)
        seconds = time.perf_counter() - start
        rates.append(steps_per_run * 128 / seconds)
        print(f"{name} run {run}: {rates[-1]:9.0f} samples/s  ({steps_per_run} steps in {seconds:.3f} s)", flush=True)
    print(f"{name} median: {statistics.median(rates):.0f} samples/s", flush=True)


{"W1": w1, "W2": w2, "W4": w4, "W5": w5, "W6": w6}[args.workload]()
