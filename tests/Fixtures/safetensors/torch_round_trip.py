#!/usr/bin/env python3
"""The manual check behind the README's "Weights in safetensors": weights move between PyTorch and Nabla both ways.

Needs PyTorch (checked with Debian's python3-torch 1.13); the safetensors package is NOT used: files go through the
standard-library writer below and the reader in read_safetensors.py. Not run by the tests (CI has no PyTorch).

    /usr/bin/python3 torch_round_trip.py export DIR   # torch -> DIR/<case>.torch.safetensors (+ <case>.torch-io.safetensors)
    dotnet run --project round-trip -c Release -- DIR # Nabla reads those, checks its logits against torch's, and
                                                      # writes DIR/<case>.nabla.safetensors (+ <case>.nabla-io...)
    /usr/bin/python3 torch_round_trip.py import DIR   # load_state_dict(strict=True) of Nabla's files, logits compared
    /usr/bin/python3 torch_round_trip.py fixture .    # the fixtures of make_fixture.py in torch: its plain-Python
                                                      # logits (expected.safetensors) are torch's

Cases, each a PyTorch module whose state-dict names equal Nabla's (printed by the import step):
  mlp     Mlp(new MlpSpec(4, [16, 8], 3))                    a module holding self.layers = nn.Sequential(
                                                             Linear(4, 16), ReLU(), Linear(16, 8), ReLU(), Linear(8, 3))
  cnn_a   "conv4k3p1-bn-relu-pool2-conv6k3p1g2-relu-flatten-fc10-bn-tanh-dropout0.5-fc3" on (1, 8, 8)
  cnn_b   "conv4k3s2-gelu-gap-fc3" on (2, 7, 7)              gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
"""
import json
import os
import struct
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_safetensors import read  # noqa: E402


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.layers(x)


def cnn_a():
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, groups=2), nn.ReLU(), nn.Flatten(),
        nn.Linear(6 * 4 * 4, 10), nn.BatchNorm1d(10), nn.Tanh(), nn.Dropout(0.5), nn.Linear(10, 3))


def cnn_b():
    return nn.Sequential(
        nn.Unflatten(1, (2, 7, 7)),
        nn.Conv2d(2, 4, 3, stride=2), nn.GELU(),
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        nn.Linear(4, 3))


CASES = {"mlp": (Mlp, 4), "cnn_a": (cnn_a, 64), "cnn_b": (cnn_b, 98)}
CODES = {torch.float32: ("F32", "f"), torch.float64: ("F64", "d"), torch.int64: ("I64", "q")}


def write(path, tensors):
    """A standard-library safetensors writer: header padded with spaces to a multiple of 8, data in dict order."""
    header, data = {"__metadata__": {"format": "pt"}}, bytearray()
    for name, t in tensors.items():
        dtype, code = CODES[t.dtype]
        values = t.detach().contiguous().flatten().tolist()
        begin = len(data)
        data += struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [begin, len(data)]}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def tensor(entry):
    dtype, shape, values = entry
    return torch.tensor(values, dtype=torch.int64 if dtype == "I64" else torch.float64).reshape(shape)


def export(directory):
    torch.manual_seed(0)
    for name, (make, features) in CASES.items():
        model = make()
        model.train()
        with torch.no_grad():
            for m in model.modules():  # batch norms with non-trivial weight and bias, and running statistics
                if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    nn.init.uniform_(m.weight, 0.5, 1.5)
                    nn.init.uniform_(m.bias, -0.5, 0.5)
            for _ in range(3):
                model(torch.randn(16, features))
        model.eval()
        x = torch.randn(5, features)
        with torch.no_grad():
            y = model(x)
        write(os.path.join(directory, f"{name}.torch.safetensors"), model.state_dict())
        write(os.path.join(directory, f"{name}.torch-io.safetensors"), {"input": x, "logits": y})
        print(f"{name}: wrote {len(model.state_dict())} tensors: {', '.join(model.state_dict())}")


def load(directory):
    for name, (make, _) in CASES.items():
        model = make()
        tensors, _, _ = read(os.path.join(directory, f"{name}.nabla.safetensors"))
        state = {k: tensor(v).to(model.state_dict()[k].dtype) for k, v in tensors.items()}
        expected = [k for k in model.state_dict() if not k.endswith("num_batches_tracked")]
        assert sorted(state) == sorted(expected), f"{name}: Nabla wrote {sorted(state)}, torch has {sorted(expected)}"
        result = model.load_state_dict(state, strict=True)
        model.eval()
        io, _, _ = read(os.path.join(directory, f"{name}.nabla-io.safetensors"))
        x, y = tensor(io["input"]).float(), tensor(io["logits"]).float()
        with torch.no_grad():
            diff = (model(x) - y).abs().max().item()
        print(f"{name}: load_state_dict(strict=True) {result}; names {list(state)}; max |torch - Nabla| = {diff:.3g}")
        assert diff < 1e-5


def fixture(directory):
    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))

        def forward(self, x):
            return self.layers(x)

    cnn = nn.Sequential(nn.Unflatten(1, (2, 5, 5)), nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 2))
    expected, _, _ = read(os.path.join(directory, "expected.safetensors"))
    for name, model in (("mlp", Small()), ("cnn", cnn)):
        tensors, _, _ = read(os.path.join(directory, f"{name}.safetensors"))
        state = {k: tensor(v).to(model.state_dict()[k].dtype) for k, v in tensors.items()}
        result = model.load_state_dict(state, strict=True)
        model.eval()
        x, y = tensor(expected[f"{name}.input"]).float(), tensor(expected[f"{name}.logits"])
        with torch.no_grad():
            diff = (model(x).double() - y).abs().max().item()
        print(f"fixture {name}: load_state_dict(strict=True) {result}; max |torch - plain Python| = {diff:.3g}")
        assert diff < 1e-5


if __name__ == "__main__":
    modes = {"export": export, "import": load, "fixture": fixture}
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    modes[sys.argv[1]](sys.argv[2])
