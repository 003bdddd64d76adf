using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Fuzz.Engine;

namespace Nabla.Fuzz.Targets;

/// <summary>IDX files (<see cref="IdxFile"/>), plain or gzip-compressed; accepted (N, rows, cols) files also go through
/// Fashion-MNIST's conversion to a dataset.</summary>
internal sealed class IdxTarget(bool gzip) : FuzzTarget
{
    public override string Name => gzip ? "idx-gz" : "idx";

    public override string Description => gzip ? "IdxFile.Read of gzip-compressed IDX bytes" : "IdxFile.Read of IDX bytes, then FashionMnist.FromIdx";

    public override string FileName => gzip ? "fuzz.idx.gz" : "fuzz.idx";

    public override IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0, 0, 8, 1], [0, 0, 8, 3], [0, 0, 8, 4], [0, 0, 0x0D, 3], [0x1F, 0x8B, 8, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0], [0, 0, 0x10, 0],
    ];

    public override IReadOnlyList<byte[]> Seeds()
    {
        var plain = new List<byte[]>
        {
            Idx([10], i => (byte)i),
            Idx([3, 5, 5], i => (byte)(i * 37)),
            Idx([4, 6], i => (byte)(255 - i)),
            Idx([2, 2, 3, 3], i => (byte)i),
            Idx([0], _ => 0),
            Idx([0, 28, 28], _ => 0),
            Idx([2, 28, 28], i => (byte)(i % 251)),
        };
        return gzip ? [.. plain.Select(Gzip)] : plain;
    }

    public override void Run(byte[] input) => Check(IdxFile.Read(input, FileName, gzip), FileName);

    /// <summary>What an accepted IDX file promises: as many values as its dimensions say, and (N, rows, cols) images
    /// that make a dataset of N examples.</summary>
    public static void Check(IdxFile idx, string fileName)
    {
        long count = idx.Dimensions.Aggregate(1L, (a, d) => a * d);
        if (idx.Dimensions.Length is < 1 or > 4 || idx.Dimensions.Any(d => d < 0) || count != idx.Values.Length)
            throw new InvariantException($"dimensions ({string.Join(", ", idx.Dimensions)}) but {idx.Values.Length} values");
        if (idx.Dimensions.Length == 3)
        {
            // A label per image, as a real label file would hold; with images of no pixels N is unbounded by the
            // input, so the harness allocates no labels (the reader must refuse such images before reading them).
            int n = idx.Dimensions[0];
            var labels = new IdxFile([n], idx.Values.Length >= n ? new byte[n] : []);
            var data = FashionMnist.FromIdx(idx, labels, fileName, "labels", "fuzz", FashionMnist.ClassNames);
            if (data.Count != idx.Dimensions[0]) throw new InvariantException($"{data.Count} examples from {idx.Dimensions[0]} images");
        }
    }

    /// <summary>IDX bytes of unsigned bytes: 0, 0, 0x08, rank, big-endian dimensions, values.</summary>
    public static byte[] Idx(int[] dims, Func<int, byte> value)
    {
        int count = dims.Aggregate(1, (a, d) => a * d);
        var bytes = new byte[4 + (4 * dims.Length) + count];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        for (int i = 0; i < count; i++) bytes[4 + (4 * dims.Length) + i] = value(i);
        return bytes;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var z = new GZipStream(buffer, CompressionLevel.Optimal)) z.Write(content);
        return buffer.ToArray();
    }
}
