using Nabla.Data.Datasets;

namespace Nabla.Tests.Data;

/// <summary>Reads the real Fashion-MNIST files that Debian's dataset-fashion-mnist installs (CI installs the package).</summary>
public sealed class FashionMnistTests
{
    [Fact]
    public void The_debian_package_files_load_as_60000_training_and_10000_test_images()
    {
        Assert.True(Directory.Exists(FashionMnist.DefaultDirectory), $"{FashionMnist.DefaultDirectory} is missing: apt-get install dataset-fashion-mnist");
        var (train, test) = FashionMnist.Load();
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, train.FeatureCount);
        for (int c = 0; c < 10; c++) Assert.Equal(1000, test.Labels.Count(l => l == c));
        Assert.InRange(train.Features.Mean().Item(), 0.25, 0.32);
    }
}
