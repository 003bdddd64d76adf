#!/usr/bin/env python3
"""Writes the safetensors fixtures that tests/Nabla.Tests/Serialization/SafeTensorsFixtureTests.cs reads.

An independent writer: Python's standard library only (struct, json), no numpy, torch or safetensors package.
Run it from anywhere; it writes next to itself and is deterministic (same bytes on every run):

    python3 tests/Fixtures/safetensors/make_fixture.py

Files (every value comes from one of the formulas below, at flat index i with a per-tensor seed s):
  mlp.safetensors       state dict of a PyTorch MLP 4-3-2 with ReLU, held as `self.layers = nn.Sequential(...)`
                        (Nabla: new Mlp(new MlpSpec(4, [3], 2))); one F64 tensor among F32 ones.
  cnn.safetensors       state dict of nn.Sequential(nn.Unflatten(1, (2, 5, 5)), nn.Conv2d(2, 3, 3, padding=1),
                        nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 2))
                        (Nabla: Architecture.Build("conv3k3p1-bn-relu-pool2-flatten-fc2", [2, 5, 5], ...)),
                        with PyTorch's int64 scalar `2.num_batches_tracked`.
  dtypes.safetensors    one tensor of each other dtype (F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL),
                        a scalar (shape []) and an empty tensor (shape [0, 3]).
  expected.safetensors  inputs and the logits the two networks give for them (evaluation mode), computed below in
                        plain double-precision Python from the float32-rounded weights.

Every file: header keys in a deliberately unsorted order (metadata in the middle where there is metadata), data laid
out in yet another order with each tensor aligned to its element size, and the header padded with spaces so that the
data starts at a multiple of 8.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def signed(i, s):
    return ((i * 7 + s) % 13 - 6) / 10


def positive(i, s):
    return ((i * 7 + s) % 13 + 1) / 10


def quarter(i, s):
    return ((i * 7 + s) % 13 - 6) / 4


def integer(i, s):
    return (i * 7 + s) % 13 - 6


def unsigned(i, s):
    return (i * 7 + s) % 13


def boolean(i, s):
    return ((i * 7 + s) % 13) % 2


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def f32(x):
    """x rounded to float32 (as the file stores it), back as a Python float."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def bf16_bytes(x):
    """bfloat16 is the upper half of the float32; the values used here are exact in bfloat16."""
    b = struct.pack("<f", x)
    assert b[0] == 0 and b[1] == 0, x
    return b[2:4]


PACK = {
    "F64": lambda v: struct.pack("<d", v),
    "F32": lambda v: struct.pack("<f", v),
    "F16": lambda v: struct.pack("<e", v),
    "BF16": bf16_bytes,
    "I64": lambda v: struct.pack("<q", v),
    "I32": lambda v: struct.pack("<i", v),
    "I16": lambda v: struct.pack("<h", v),
    "I8": lambda v: struct.pack("<b", v),
    "U64": lambda v: struct.pack("<Q", v),
    "U32": lambda v: struct.pack("<I", v),
    "U16": lambda v: struct.pack("<H", v),
    "U8": lambda v: struct.pack("<B", v),
    "BOOL": lambda v: struct.pack("<?", bool(v)),
}
SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
        "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1}


def tensor(dtype, shape, formula, seed):
    return {"dtype": dtype, "shape": shape, "values": [formula(i, seed) for i in range(count(shape))]}


def write(name, tensors, header_order, data_order, metadata=None):
    """Writes tensors {name: {dtype, shape, values}}: the header lists them in header_order ('__metadata__' marks
    where the metadata goes), the data buffer holds them in data_order."""
    assert sorted(header_order) == sorted(list(tensors) + (["__metadata__"] if metadata else []))
    assert sorted(data_order) == sorted(tensors)
    data = bytearray()
    offsets = {}
    for key in data_order:
        t = tensors[key]
        assert len(data) % SIZE[t["dtype"]] == 0, f"{key} would be misaligned"
        begin = len(data)
        for v in t["values"]:
            data += PACK[t["dtype"]](v)
        assert len(data) - begin == count(t["shape"]) * SIZE[t["dtype"]]
        offsets[key] = [begin, len(data)]
    header = {}
    for key in header_order:
        if key == "__metadata__":
            header[key] = metadata
        else:
            t = tensors[key]
            header[key] = {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": offsets[key]}
    text = json.dumps(header).encode("utf-8")
    padding = -len(text) % 8
    assert padding > 0, f"{name}: choose names so that the header needs padding, which the fixture is to show"
    text += b" " * padding
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


# ---- the networks' weights ----------------------------------------------------------------------------------------

MLP = {
    "layers.0.weight": tensor("F32", [3, 4], signed, 1),
    "layers.0.bias": tensor("F32", [3], signed, 2),
    "layers.2.weight": tensor("F32", [2, 3], signed, 3),
    "layers.2.bias": tensor("F64", [2], signed, 4),
}

CNN = {
    "1.weight": tensor("F32", [3, 2, 3, 3], signed, 5),
    "1.bias": tensor("F32", [3], signed, 6),
    "2.weight": tensor("F32", [3], positive, 7),
    "2.bias": tensor("F32", [3], signed, 8),
    "2.running_mean": tensor("F32", [3], signed, 9),
    "2.running_var": tensor("F32", [3], positive, 10),
    "2.num_batches_tracked": {"dtype": "I64", "shape": [], "values": [7]},
    "6.weight": tensor("F32", [2, 12], signed, 11),
    "6.bias": tensor("F32", [2], signed, 12),
}

DTYPES = {
    "f16": tensor("F16", [2, 3], quarter, 13),
    "bf16": tensor("BF16", [3, 2], quarter, 14),
    "i64": tensor("I64", [4], integer, 15),
    "i32": tensor("I32", [2, 2], integer, 16),
    "i16": tensor("I16", [3], integer, 17),
    "i8": tensor("I8", [5], integer, 18),
    "u64": tensor("U64", [2], unsigned, 19),
    "u32": tensor("U32", [3], unsigned, 20),
    "u16": tensor("U16", [2], unsigned, 21),
    "u8": tensor("U8", [4], unsigned, 22),
    "bool": tensor("BOOL", [6], boolean, 23),
    "scalar": tensor("F64", [], signed, 24),
    "empty": tensor("F32", [0, 3], signed, 25),
}


# ---- the reference forward passes (evaluation mode), in double precision ----------------------------------------

def values(t):
    """The values as the file stores them: float32 tensors rounded to float32."""
    return [f32(v) for v in t["values"]] if t["dtype"] == "F32" else list(t["values"])


def linear(w, b, x, outputs, inputs):
    # PyTorch's Linear: y = x W^T + b with W of shape (out, in), row-major.
    return [b[o] + sum(w[o * inputs + k] * x[k] for k in range(inputs)) for o in range(outputs)]


def relu(x):
    return [max(0.0, v) for v in x]


def mlp_forward(x):
    h = relu(linear(values(MLP["layers.0.weight"]), values(MLP["layers.0.bias"]), x, 3, 4))
    return linear(values(MLP["layers.2.weight"]), values(MLP["layers.2.bias"]), h, 2, 3)


def cnn_forward(x):
    c_in, c_out, size, k = 2, 3, 5, 3
    w, b = values(CNN["1.weight"]), values(CNN["1.bias"])

    def pixel(c, y, xx):  # the input unflattened to (C, H, W), zero outside (padding 1)
        return x[(c * size + y) * size + xx] if 0 <= y < size and 0 <= xx < size else 0.0

    # Conv2d weight (O, C, kh, kw): out[o, y, x] = b[o] + sum over c, i, j of w[o, c, i, j] in[c, y + i - 1, x + j - 1]
    conv = [[[b[o] + sum(w[((o * c_in + c) * k + i) * k + j] * pixel(c, y + i - 1, xx + j - 1)
                         for c in range(c_in) for i in range(k) for j in range(k))
              for xx in range(size)] for y in range(size)] for o in range(c_out)]
    gamma, beta = values(CNN["2.weight"]), values(CNN["2.bias"])
    mean, var = values(CNN["2.running_mean"]), values(CNN["2.running_var"])
    bn = [[[max(0.0, gamma[o] * (v - mean[o]) / (var[o] + 1e-5) ** 0.5 + beta[o]) for v in row] for row in conv[o]]
          for o in range(c_out)]
    # MaxPool2d(2) with floor: 5 -> 2; Flatten in (C, H, W) order.
    pooled = [max(bn[o][2 * y + i][2 * xx + j] for i in range(2) for j in range(2))
              for o in range(c_out) for y in range(2) for xx in range(2)]
    return linear(values(CNN["6.weight"]), values(CNN["6.bias"]), pooled, 2, 12)


def rows(t, width):
    v = values(t)
    return [v[r * width:(r + 1) * width] for r in range(len(v) // width)]


MLP_INPUT = tensor("F32", [2, 4], signed, 29)
CNN_INPUT = tensor("F32", [2, 50], signed, 31)
EXPECTED = {
    "mlp.input": MLP_INPUT,
    "mlp.logits": {"dtype": "F64", "shape": [2, 2], "values": [v for r in rows(MLP_INPUT, 4) for v in mlp_forward(r)]},
    "cnn.input": CNN_INPUT,
    "cnn.logits": {"dtype": "F64", "shape": [2, 2], "values": [v for r in rows(CNN_INPUT, 50) for v in cnn_forward(r)]},
}

if __name__ == "__main__":
    write("mlp.safetensors", MLP,
          header_order=["layers.2.weight", "__metadata__", "layers.0.bias", "layers.2.bias", "layers.0.weight"],
          data_order=["layers.2.bias", "layers.0.weight", "layers.0.bias", "layers.2.weight"],
          metadata={"format": "pt", "source": "make_fixture.py"})
    write("cnn.safetensors", CNN,
          header_order=["6.bias", "2.running_var", "1.weight", "__metadata__", "2.num_batches_tracked", "2.bias",
                        "6.weight", "2.weight", "1.bias", "2.running_mean"],
          data_order=["2.num_batches_tracked", "1.weight", "1.bias", "2.weight", "2.bias", "2.running_mean",
                      "2.running_var", "6.weight", "6.bias"],
          metadata={"format": "pt"})
    write("dtypes.safetensors", DTYPES,
          header_order=["u8", "f16", "scalar", "bool", "i64", "empty", "bf16", "i32", "u64", "i16", "u32", "i8", "u16"],
          data_order=["scalar", "i64", "u64", "empty", "i32", "u32", "f16", "bf16", "i16", "u16", "i8", "u8", "bool"])
    write("expected.safetensors", EXPECTED,
          header_order=["cnn.logits", "mlp.input", "cnn.input", "mlp.logits"],
          data_order=["mlp.logits", "cnn.logits", "mlp.input", "cnn.input"])
    print("wrote mlp.safetensors, cnn.safetensors, dtypes.safetensors, expected.safetensors in", HERE)
