using System.IO.Compression;
using Nabla.Testing;

namespace Nabla.Cli.Tests;

/// <summary>An IDX gzip bomb inside deflate's ratio allowance: the stream really holds the zeros its header claims.</summary>
public sealed class IdxBombTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_gzip_file_whose_images_need_more_than_the_memory_budget_is_refused_in_one_line_before_decoding()
    {
        // 300,000 × 28 × 28 zeros (235 MB, about 230 KB compressed) under a 1 GiB heap: the run's estimate for
        // fashion-mnist fits, but these values (1 byte each, then 4 as float32) would not; each file may claim a fifth.
        var folder = Path.Combine(_files.Root, "bomb");
        Directory.CreateDirectory(folder);
        var images = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        using (var file = File.Create(images))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        {
            gzip.Write(TestFiles.Idx([300_000, 28, 28], []));
            var zeros = new byte[1 << 20];
            for (long left = 300_000L * 28 * 28; left > 0; left -= zeros.Length) gzip.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }

        // Labels to match, so that only the images' size can stop the run.
        using (var file = File.Create(Path.Combine(folder, "train-labels-idx1-ubyte.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal)) gzip.Write(TestFiles.Idx([300_000], new byte[300_000]));

        var result = NablaProcess.Run(_files.Root, new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x40000000" },
            "train", "--dataset", "fashion-mnist", "--data", folder, "--epochs", "1", "--quiet", "--out", Path.Combine(_files.Root, "run"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"nabla: error: {images}: IDX header (300000 x 28 x 28) claims 235200000 values (224.3 MiB), more than the memory budget of ", line, StringComparison.Ordinal);
        Assert.EndsWith(" for this file", line.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }
}
