#!/usr/bin/env python3
"""One epoch of W4 or W5 in PyTorch, as `nabla train` runs it from the command line: the Fashion-MNIST training set in
shuffled batches of 128, then the test set evaluated without gradients (batches of 1,000, PyTorch's usual choice).
For peak memory, measured from outside: `/usr/bin/time -v bench/reference/with-openblas-openmp.sh /usr/bin/python3
bench/reference/torch_epoch.py W5` (its "Maximum resident set size"), beside `/usr/bin/time -v nabla train … --epochs 1`.
"""
import argparse
import gzip
import os
import struct
import time

parser = argparse.ArgumentParser()
parser.add_argument("workload", choices=["W4", "W5"])
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = parser.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(kind):
    images = read_idx(os.path.join(args.data, f"{kind}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, f"{kind}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(images.reshape(len(images), 1, 28, 28).astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def block(c_in, c_out):
    return [torch.nn.Conv2d(c_in, c_out, 3, padding=1), torch.nn.BatchNorm2d(c_out), torch.nn.ReLU()]


if args.workload == "W4":
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
else:
    model = torch.nn.Sequential(
        *block(1, 32), *block(32, 32), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        *block(32, 64), *block(64, 64), torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        torch.nn.Flatten(), torch.nn.Linear(3136, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(256, 10))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

x, y = load("train")
test_x, test_y = load("t10k")
loss_fn = torch.nn.CrossEntropyLoss()
start = time.perf_counter()
model.train()
for index in torch.randperm(len(x)).split(128):
    optimizer.zero_grad(set_to_none=True)
    loss_fn(model(x[index]), y[index]).backward()
    optimizer.step()
model.eval()
correct = 0
with torch.no_grad():
    for i in range(0, len(test_x), 1000):
        correct += (model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
print(f"{args.workload}: one epoch in {time.perf_counter() - start:.1f} s, test accuracy {100 * correct / len(test_x):.2f}%")
