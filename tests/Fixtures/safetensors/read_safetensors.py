#!/usr/bin/env python3
"""Reads a safetensors file with Python's standard library only (struct, json) and prints what it holds, so that a
file Nabla wrote can be checked by hand, independently of Nabla and of the safetensors package:

    python3 tests/Fixtures/safetensors/read_safetensors.py runs/digits/model.safetensors

For each tensor: name, dtype, shape, byte range and its first values. It also checks the points of the format that
Nabla's writer promises: header size a multiple of 8 padded with spaces, the header a JSON object of exactly
dtype/shape/data_offsets entries, and the data buffer covered by the tensors with no hole or overlap.
Not run by the tests. `read(path)` returns {name: (dtype, shape, [values])} and the metadata for other scripts.
"""
import json
import struct
import sys

FORMATS = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h", "I8": "b",
           "U64": "Q", "U32": "I", "U16": "H", "U8": "B", "BOOL": "?"}


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header_bytes = raw[8:8 + n]
    assert len(header_bytes) == n, f"header size {n} runs past the end of the file"
    assert header_bytes[:1] == b"{", "the header must start with '{'"
    pairs = json.loads(header_bytes.decode("utf-8"), object_pairs_hook=lambda kv: kv)
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "a key appears twice"
    header = dict(pairs)
    metadata = dict(header.pop("__metadata__", []))
    data = raw[8 + n:]
    tensors = {}
    ranges = []
    for name, entry in header.items():
        entry = dict(entry)
        assert sorted(entry) == ["data_offsets", "dtype", "shape"], f"{name}: entry keys {sorted(entry)}"
        dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        if dtype == "BF16":
            chunk = data[begin:end]
            vals = [struct.unpack("<f", b"\0\0" + chunk[2 * i:2 * i + 2])[0] for i in range(count)]
        else:
            fmt = FORMATS[dtype]
            assert end - begin == count * struct.calcsize(fmt), f"{name}: offsets do not fit dtype and shape"
            vals = list(struct.unpack(f"<{count}{fmt}", data[begin:end]))
        tensors[name] = (dtype, shape, vals)
        ranges.append((begin, end, name))
    cursor = 0
    for begin, end, name in sorted(ranges):
        assert begin == cursor, f"{name}: begins at {begin}, the previous tensor ended at {cursor}"
        cursor = end
    assert cursor == len(data), f"{len(data) - cursor} bytes after the last tensor"
    return tensors, metadata, n


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: read_safetensors.py FILE")
    tensors, metadata, n = read(sys.argv[1])
    print(f"header: {n} bytes ({'a' if n % 8 == 0 else 'NOT a'} multiple of 8); metadata: {metadata}")
    for name, (dtype, shape, vals) in tensors.items():
        first = ", ".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in vals[:6])
        more = ", ..." if len(vals) > 6 else ""
        print(f"{name:32} {dtype:5} {str(shape):16} [{first}{more}]")


if __name__ == "__main__":
    main()
