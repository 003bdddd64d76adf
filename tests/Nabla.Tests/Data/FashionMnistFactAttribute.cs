using Nabla.Data.Datasets;

namespace Nabla.Tests.Data;

/// <summary>A test that reads the real Fashion-MNIST files of Debian's dataset-fashion-mnist package. On a machine
/// without the package it is reported as skipped, with the install command as the reason, so that the README's test
/// command passes on a fresh clone. CI sets <see cref="RequireVariable"/> (in .ci/run, which installs the package):
/// then the test always runs and a missing package is a failure, so CI can never skip it silently.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    /// <summary>Set to 1 to make a missing package a failure instead of a skip.</summary>
    public const string RequireVariable = "NABLA_REQUIRE_DATASETS";

    /// <summary>Where the tests look for the files: <see cref="FashionMnist.DefaultDirectory"/>, or the folder named by
    /// NABLA_FASHION_MNIST_DIR (to check the skip without uninstalling the package, point it at a missing folder).</summary>
    public static string Directory => Environment.GetEnvironmentVariable("NABLA_FASHION_MNIST_DIR") is { Length: > 0 } d ? d : FashionMnist.DefaultDirectory;

    public FashionMnistFactAttribute() => Skip = SkipReason(Directory, Environment.GetEnvironmentVariable(RequireVariable));

    /// <summary>Why the test is skipped, or null when it runs: it runs when <paramref name="directory"/> exists, or
    /// when <paramref name="require"/> is "1" (and then fails on its own if the files are missing).</summary>
    public static string? SkipReason(string directory, string? require) =>
        require == "1" || System.IO.Directory.Exists(directory) ? null
            : $"{directory} is missing: install Debian's Fashion-MNIST with 'sudo apt-get install dataset-fashion-mnist' (CI sets {RequireVariable}=1 and fails instead)";
}
