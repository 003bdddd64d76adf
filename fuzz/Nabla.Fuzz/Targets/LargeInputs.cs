using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Fuzz.Engine;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Fuzz.Targets;

/// <summary>The large inputs of <c>nabla-fuzz large</c>, per reader: tens of megabytes of real data, huge cells and
/// chunks, and small files that claim gigabytes (bombs). Each is generated to a file from code (deterministic).</summary>
internal static class LargeInputs
{
    private const int Megabyte = 1_000_000;

    public static IReadOnlyList<LargeInput> All { get; } =
    [
        // IDX (train --dataset fashion-mnist --data DIR).
        new("idx-file", "60,000 × 28 × 28 images, plain (Fashion-MNIST's size)", "train-images-idx3-ubyte", path => WriteIdx(path, [60_000, 28, 28], random: true)),
        new("idx-file", "header claims 60,000 × 28 × 28, file holds 1 MB", "train-images-idx3-ubyte", path => File.WriteAllBytes(path, [.. IdxHeader([60_000, 28, 28]), .. new byte[Megabyte]])),
        new("idx-gz-file", "gzip bomb: 2,700,000 × 28 × 28 zeros (2.1 GB) in about 2 MB, 1 GiB budget", "train-images-idx3-ubyte.gz",
            path => WriteIdxGzip(path, [2_700_000, 28, 28]), path => FashionMnistCheck(IdxFile.Read(path, memoryBudget: 1L << 30), path)),
        new("idx-gz-file", "gzip: 1,000,000 × 784 zeros (784 MB) in 0.8 MB, decoded (budget: memory available)", "train-labels-idx1-ubyte.gz",
            path => WriteIdxGzip(path, [784_000_000]), path => IdxFile.Read(path)),
        new("idx-gz-file", "gzip header claims 784,000,000 values, the stream holds 760 MB (a lying header)", "train-labels-idx1-ubyte.gz",
            path => WriteIdxGzip(path, [784_000_000], holds: 760_000_000), path => IdxFile.Read(path)),
        new("idx-gz-file", "60,000 × 28 × 28 zeros, then 10 MB of garbage after the gzip member", "train-images-idx3-ubyte.gz",
            path => WriteIdxGzip(path, [60_000, 28, 28], trailing: 10 * Megabyte)),

        // CSV (train --data FILE.csv; eval and predict).
        new("csv-file", "one line of 50 MB (25,000,000 cells)", "wide.csv", path => WriteText(path, w => Repeat(w, "1,", 25_000_000))),
        new("csv-file", "one 50 MB cell", "cell.csv", path => WriteText(path, w => { w.Write("a,label\n\""); Repeat(w, "x", 50 * Megabyte); w.Write("\",y\n1,z\n"); })),
        new("csv-file", "1,000,000 columns × 6 rows (12 MB)", "columns.csv", path => WriteText(path, w => { for (int r = 0; r < 6; r++) { Repeat(w, "1,", 999_999); w.Write(r % 2 == 0 ? "x\n" : "y\n"); } })),
        new("csv-file", "100,000 rows of 100,000 distinct labels", "labels.csv", path => WriteText(path, w => { w.Write("a,b,c,label\n"); for (int i = 0; i < 100_000; i++) w.Write($"1,2,3,L{i}\n"); })),
        new("csv-file", "300,000 rows × 10 features, 3 classes (28 MB)", "rows.csv", WriteTallCsv),

        // safetensors (the weights of a model, checkpoints).
        new("safetensors-file", "one float32 tensor of 12,000,000 values (48 MB)", "big.safetensors", path => WriteSafeTensors(path, 1, 12_000_000)),
        new("safetensors-file", "100,000 tensors of 4 values (a 7 MB header)", "many.safetensors", path => WriteSafeTensors(path, 100_000, 4)),
        new("safetensors-file", "header length claims 90 MB, file holds 1 KB", "claim.safetensors", path => { var b = new byte[1024]; BinaryPrimitives.WriteUInt64LittleEndian(b, 90 * Megabyte); File.WriteAllBytes(path, b); }),

        // Models (eval, predict, export --model).
        new("model-file", "MLP 64 → 65,536 → 10 (4.9 M parameters, 20 MB of weights)", "model", path => ModelStore.Save(path, new Mlp(new MlpSpec(64, [65_536], 10), seed: 0), dataset: "digits")),
        new("model-file", "model.json with a 20 MB class name", "model", path => ModelStore.Save(path, new Mlp(new MlpSpec(2, [2], 2), seed: 0), classNames: [new string('x', 20 * Megabyte), "b"])),

        // Checkpoints (train --resume).
        new("checkpoint-file", "fc65536 network with SGD momentum (39 MB)", "checkpoint-0000000001.safetensors", path => WriteCheckpoint(path, corrupt: false)),
        new("checkpoint-file", "the same with 16 bytes flipped in the middle", "checkpoint-0000000001.safetensors", path => WriteCheckpoint(path, corrupt: true)),

        // Images (predict FILE.png); the target exists in the program only (SkiaSharp).
        new("image-file", "28 × 28 PNG with a 16 MB tEXt chunk", "text.png", path => WritePng(path, 28, 28, ("tEXt", [.. "Comment\0"u8.ToArray(), .. Enumerable.Repeat((byte)'x', 16 * Megabyte)]))),
        new("image-file", "28 × 28 PNG with a 16 MB unknown chunk", "chunk.png", path => WritePng(path, 28, 28, ("zZzZ", new byte[16 * Megabyte]))),
        new("image-file", "28 × 28 PNG with a 50 MB tEXt chunk", "text50.png", path => WritePng(path, 28, 28, ("tEXt", [.. "Comment\0"u8.ToArray(), .. Enumerable.Repeat((byte)'x', 50 * Megabyte)]))),
        new("image-file", "28 × 28 PNG with a 70 MB unknown chunk (over the 64 MiB file limit)", "huge.png", path => WritePng(path, 28, 28, ("zZzZ", new byte[70 * Megabyte]))),
        new("image-file", "4,000 × 4,000 grey PNG (16 megapixels, 16 KB)", "large.png", path => WritePng(path, 4000, 4000)),
    ];

    private static void FashionMnistCheck(IdxFile idx, string path) => IdxTarget.Check(idx, path);

    private static byte[] IdxHeader(int[] dims)
    {
        var header = new byte[4 + (4 * dims.Length)];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), dims[i]);
        return header;
    }

    private static void WriteIdx(string path, int[] dims, bool random)
    {
        using var file = File.Create(path);
        file.Write(IdxHeader(dims));
        var chunk = new byte[Megabyte];
        var rng = new Random(1);
        for (long left = dims.Aggregate(1L, (a, d) => a * d); left > 0; left -= chunk.Length)
        {
            if (random) rng.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
    }

    private static void WriteIdxGzip(string path, int[] dims, int trailing = 0, long? holds = null)
    {
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        {
            gzip.Write(IdxHeader(dims));
            var zeros = new byte[Megabyte];
            for (long left = holds ?? dims.Aggregate(1L, (a, d) => a * d); left > 0; left -= zeros.Length) gzip.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }

        if (trailing > 0)
        {
            using var file = new FileStream(path, FileMode.Append);
            file.Write(Encoding.ASCII.GetBytes(new string('g', trailing)));
        }
    }

    private static void WriteText(string path, Action<StreamWriter> write)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        write(writer);
    }

    private static void Repeat(StreamWriter writer, string text, int times)
    {
        for (int i = 0; i < times; i++) writer.Write(text);
    }

    private static void WriteTallCsv(string path)
    {
        var rng = new Random(2);
        WriteText(path, w =>
        {
            w.WriteLine(string.Join(',', Enumerable.Range(0, 10).Select(i => $"f{i}")) + ",label");
            for (int r = 0; r < 300_000; r++)
            {
                for (int f = 0; f < 10; f++) w.Write(System.FormattableString.Invariant($"{rng.NextDouble():F6},"));
                w.Write("abc"[r % 3]);
                w.Write('\n');
            }
        });
    }

    // A safetensors file of `tensors` float32 tensors of `values` values each, data back to back.
    private static void WriteSafeTensors(string path, int tensors, int values)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        for (int t = 0; t < tensors; t++)
        {
            if (t > 0) header.Append(',');
            header.Append(System.FormattableString.Invariant($"\"t{t}\":{{\"dtype\":\"F32\",\"shape\":[{values}],\"data_offsets\":[{offset},{offset + (4L * values)}]}}"));
            offset += 4L * values;
        }

        header.Append('}');
        var json = Encoding.UTF8.GetBytes(header.ToString());
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        var chunk = new byte[Megabyte];
        for (long left = offset; left > 0; left -= chunk.Length) file.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
    }

    // The checkpoint the trainer writes after one step of a wide network on 16 digits.
    private static void WriteCheckpoint(string path, bool corrupt)
    {
        var directory = path + ".run";
        try
        {
            var data = Digits.Load().Subset(Enumerable.Range(0, 16).ToArray());
            var (model, _) = Architecture.Build("fc65536-relu-fc10", [64], new Random(1));
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01, momentum: 0.9));
            trainer.Fit(data, null, new TrainingOptions(1, BatchSize: 16, Checkpoints: new CheckpointOptions(directory, 0, Settings: "[\"train\"]")));
            var bytes = File.ReadAllBytes(Directory.GetFiles(directory, "checkpoint-*.safetensors").Single());
            if (corrupt)
            {
                for (int i = 0; i < 16; i++) bytes[(bytes.Length / 2) + i] ^= 0xFF;
            }

            File.WriteAllBytes(path, bytes);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    // A grey PNG of zeros, with extra chunks before the image data.
    private static void WritePng(string path, int width, int height, params (string Type, byte[] Data)[] extra)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;   // bit depth; colour type 0 (grey), deflate, no filter, no interlace
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[width + 1];   // filter byte 0, then the row's zeros
            for (int y = 0; y < height; y++) zlib.Write(row);
        }

        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR", ihdr);
        foreach (var (type, data) in extra) WriteChunk(file, type, data);
        WriteChunk(file, "IDAT", pixels.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        file.Write(field);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        file.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32.Append(0, typeAndData));
        file.Write(field);
    }
}
