using System.IO.Compression;
using Nabla.Data;
using Nabla.Data.Datasets;

namespace Nabla.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_plain_and_gzip_files(bool gzip)
    {
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var path = _files.Write(gzip ? "x.idx.gz" : "x.idx", TestFiles.Idx([2, 3, 4], values), gzip);
        var idx = IdxFile.Read(path);
        Assert.Equal([2, 3, 4], idx.Dimensions);
        Assert.Equal(values, idx.Values);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_its_name_and_counts()
    {
        var path = _files.Write("short.idx", TestFiles.Idx([10, 2, 2], new byte[39]));
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));
        Assert.Contains("short.idx", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("40", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_magic_number_is_reported()
    {
        var bytes = TestFiles.Idx([3], [1, 2, 3]);
        bytes[0] = 0x1f;
        var path = _files.Write("bad.idx", bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));
        Assert.Contains("magic number", e.Message, StringComparison.Ordinal);
        Assert.Contains("bad.idx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_types_and_trailing_bytes_are_reported()
    {
        Assert.Contains("element type", Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("f.idx", TestFiles.Idx([1], [0, 0, 0, 0], type: 0x0D)))).Message, StringComparison.Ordinal);
        var longer = TestFiles.Idx([2], [1, 2]).Append((byte)3).ToArray();
        Assert.Contains("longer", Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("l.idx", longer))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_file_whose_count_differs_from_its_image_file_is_reported()
    {
        _files.Write("train-images-idx3-ubyte", TestFiles.Idx([3, 2, 2], new byte[12]));
        _files.Write("train-labels-idx1-ubyte", TestFiles.Idx([2], [0, 1]));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadPart(_files.Root, "train", "t"));
        Assert.Contains("2 labels", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Small_idx_pairs_load_as_scaled_datasets()
    {
        _files.Write("t10k-images-idx3-ubyte.gz", TestFiles.Idx([2, 1, 2], [0, 255, 51, 102]), gzip: true);
        _files.Write("t10k-labels-idx1-ubyte.gz", TestFiles.Idx([2], [9, 3]), gzip: true);
        var d = FashionMnist.LoadPart(_files.Root, "t10k", "small");
        Assert.Equal([0f, 1f, 0.2f, 0.4f], d.Features.ToFloatArray());
        Assert.Equal([9, 3], d.Labels);
        Assert.Equal("Ankle boot", d.ClassNames[9]);
    }

    [Fact]
    public void A_missing_folder_is_reported()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(_files.PathOf("nope")));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    // Untrusted files (docs/fuzzing.md): a lying header is refused before anything is allocated for it.

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal)) z.Write(content);
        return buffer.ToArray();
    }

    [Fact]
    public void A_header_claiming_a_billion_values_in_a_short_file_is_refused_before_allocating()
    {
        var bytes = TestFiles.Idx([1000, 1000, 1000], new byte[16]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(bytes, "lying.idx"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claimed size was allocated");
        Assert.Contains("lying.idx: truncated IDX file", e.Message, StringComparison.Ordinal);
        Assert.Contains("1000000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_claiming_more_than_an_array_holds_or_a_negative_dimension_is_refused()
    {
        var huge = TestFiles.Idx([1 << 16, 1 << 16], []);
        Assert.Contains("more than an array can hold", Assert.Throws<DataFormatException>(() => IdxFile.Read(huge, "huge.idx")).Message, StringComparison.Ordinal);
        var negative = TestFiles.Idx([-1], []);
        Assert.Contains("huge2.idx: IDX dimension 0 is 4294967295", Assert.Throws<DataFormatException>(() => IdxFile.Read(negative, "huge2.idx")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_file_whose_header_claims_more_than_it_can_decompress_to_is_refused_before_allocating()
    {
        // 1 MB of claimed values in a gzip file of a few dozen bytes: deflate cannot expand that far.
        var bytes = Gzip(TestFiles.Idx([1 << 20], []));
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(bytes, "bomb.idx.gz", gzip: true));
        Assert.Contains("bomb.idx.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("gzip file can hold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_bomb_is_decompressed_no_further_than_the_header_claims()
    {
        // 64 MB of zeros compress to about 64 KB; the header claims 10 values, so reading stops after 11.
        var zeros = new byte[64 << 20];
        var bomb = Gzip([.. TestFiles.Idx([10], new byte[10]), .. zeros]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(bomb, "bomb.gz", gzip: true));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "the bomb was decompressed");
        Assert.Contains("bomb.gz: IDX file is longer than its header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_and_in_memory_content_are_reported_with_the_name()
    {
        var gz = Gzip(TestFiles.Idx([3], [1, 2, 3]));
        gz[12] ^= 0xFF;
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(gz, "corrupt.gz", gzip: true));
        Assert.Contains("corrupt.gz", e.Message, StringComparison.Ordinal);
        var plain = IdxFile.Read(TestFiles.Idx([2, 2], [1, 2, 3, 4]), "m.idx");
        Assert.Equal([2, 2], plain.Dimensions);
        Assert.Equal([1, 2, 3, 4], plain.Values);
    }

    [Fact]
    public void A_header_claiming_more_than_the_memory_budget_is_refused_before_any_value_is_decoded()
    {
        // 1000 × 28 × 28 zeros (784,000 bytes, within deflate's ratio) against a budget of 100,000 bytes.
        var path = _files.PathOf("bomb-images-idx3-ubyte.gz");
        WriteGzipOfZeros(path, [1000, 28, 28]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, memoryBudget: 100_000));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 512 << 10, "values were decoded before the budget was checked");
        Assert.Equal($"{path}: IDX header (1000 x 28 x 28) claims 784000 values (765.6 KiB), more than the memory budget of 97.7 KiB for this file", e.Message);
        Assert.Equal([1000, 28, 28], IdxFile.Read(path, memoryBudget: 784_000).Dimensions);
        var inMemory = Assert.Throws<DataFormatException>(() => IdxFile.Read(File.ReadAllBytes(path), "m.gz", gzip: true, memoryBudget: 1000));
        Assert.Contains("memory budget", inMemory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_crc_error_is_reported_as_corrupt_data_not_as_an_unsupported_compression_method()
    {
        var gz = Gzip(TestFiles.Idx([3], [1, 2, 3]));
        gz[^8] ^= 0x01;   // the trailer's CRC-32
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(gz, "crc.gz", gzip: true));
        Assert.StartsWith("crc.gz: corrupt gzip file", e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC-32", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("compression method", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_file_of_another_compression_method_says_so()
    {
        var gz = Gzip(TestFiles.Idx([3], [1, 2, 3]));
        gz[2] = 7;
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(gz, "m7.gz", gzip: true));
        Assert.Equal("m7.gz: gzip compression method 7 is not supported (only deflate, 8)", e.Message);
    }

    [Theory]
    [InlineData("garbage after the member")]
    [InlineData("\0")]
    public void Bytes_after_the_gzip_member_are_refused(string tail)
    {
        var gz = Gzip(TestFiles.Idx([3], [1, 2, 3]));
        var path = _files.Write("tail.idx.gz", [.. gz, .. System.Text.Encoding.ASCII.GetBytes(tail)]);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: bytes follow the end of the gzip data (a .gz IDX file holds one gzip member and nothing after it)", e.Message);
    }

    // The IDX header of dims followed by zeros, streamed through gzip: a small file for a large claim.
    private static void WriteGzipOfZeros(string path, int[] dims)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(TestFiles.Idx(dims, []));
        long count = dims.Aggregate(1L, (a, d) => a * d);
        var zeros = new byte[1 << 16];
        for (long written = 0; written < count; written += zeros.Length) gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, count - written));
    }

    [Fact]
    public void Images_of_no_pixels_are_refused_so_that_n_cannot_grow_without_data()
    {
        // Found by the fuzzer: (2^30, 0, 130) holds no values, yet the dataset allocated a label per image (4 GB).
        var images = IdxFile.Read(TestFiles.Idx([1 << 30, 0, 130], []), "empty.idx");
        var labels = new IdxFile([3], new byte[3]);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.FromIdx(images, labels, "empty.idx", "labels", "x", FashionMnist.ClassNames));
        Assert.Contains("empty.idx: images of 0 x 130 pixels hold nothing", e.Message, StringComparison.Ordinal);
        var wide = IdxFile.Read(TestFiles.Idx([0, 1 << 30, 1 << 30], []), "wide.idx");
        Assert.Contains("too large", Assert.Throws<DataFormatException>(() => FashionMnist.FromIdx(wide, new IdxFile([0], []), "wide.idx", "labels", "x", FashionMnist.ClassNames)).Message, StringComparison.Ordinal);
    }
}
