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
}
