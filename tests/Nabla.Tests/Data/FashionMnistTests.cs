using Nabla.Data.Datasets;

namespace Nabla.Tests.Data;

/// <summary>Reads the real Fashion-MNIST files that Debian's dataset-fashion-mnist installs (CI installs the package;
/// elsewhere the test is skipped when it is missing, see <see cref="FashionMnistFactAttribute"/>).</summary>
public sealed class FashionMnistTests
{
    [FashionMnistFact]
    public void The_debian_package_files_load_as_60000_training_and_10000_test_images()
    {
        Assert.True(System.IO.Directory.Exists(FashionMnistFactAttribute.Directory), $"{FashionMnistFactAttribute.Directory} is missing: apt-get install dataset-fashion-mnist");
        var (train, test) = FashionMnist.Load(FashionMnistFactAttribute.Directory);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, train.FeatureCount);
        for (int c = 0; c < 10; c++) Assert.Equal(1000, test.Labels.Count(l => l == c));
        Assert.InRange(train.Features.Mean().Item(), 0.25, 0.32);
    }

    [Fact]
    public void Without_the_package_the_test_is_skipped_with_the_install_command_unless_ci_requires_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-fashion-mnist-{Guid.NewGuid():N}");
        Assert.Contains("apt-get install dataset-fashion-mnist", FashionMnistFactAttribute.SkipReason(missing, null), StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", FashionMnistFactAttribute.SkipReason(missing, "0"), StringComparison.Ordinal);
        Assert.Null(FashionMnistFactAttribute.SkipReason(missing, "1"));
        Assert.Null(FashionMnistFactAttribute.SkipReason(Path.GetTempPath(), null));
    }
}
