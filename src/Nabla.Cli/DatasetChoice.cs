using Nabla.Data;
using Nabla.Data.Datasets;

namespace Nabla.Cli;

/// <summary>The datasets the command knows by name, and how each is found.</summary>
internal static class DatasetChoice
{
    public const string Digits = "digits";
    public const string FashionMnist = "fashion-mnist";

    /// <summary>A table read from --data FILE.csv.</summary>
    public const string Csv = "csv";

    /// <summary>Whether --data names a CSV file rather than a dataset's folder.</summary>
    public static bool IsCsvFile(string? path)
    {
        if (path is null || Directory.Exists(path)) return false;
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || File.Exists(path))
        {
            if (!File.Exists(path)) throw new UsageException($"--data: file '{path}' does not exist");
            return true;
        }

        return false;
    }

    public static string Validate(string name) => name.ToLowerInvariant() switch
    {
        Digits => Digits,
        FashionMnist or "fashion" or "fashionmnist" => FashionMnist,
        _ => throw new UsageException($"--dataset: unknown dataset '{name}' (expected digits or fashion-mnist)"),
    };

    /// <summary>(inputs, classes) of a dataset, known without loading it.</summary>
    public static (int Inputs, int Classes) Dimensions(string name) => name switch
    {
        Digits => (64, 10),
        FashionMnist => (784, 10),
        _ => throw new UsageException($"unknown dataset '{name}'"),
    };

    /// <summary>The shape of one example as an image, (channels, height, width): what convolutions see.</summary>
    public static int[] ExampleShape(string name) => name switch
    {
        Digits => [1, 8, 8],
        FashionMnist => [1, 28, 28],
        _ => throw new UsageException($"unknown dataset '{name}'"),
    };

    /// <summary>The named dataset; a file-backed one (Fashion-MNIST) within <paramref name="memoryBudget"/> bytes,
    /// checked from its headers before anything is decoded (default: the memory available).</summary>
    public static (Dataset Train, Dataset Test) Load(string name, string? dataDirectory, long? memoryBudget = null)
    {
        if (dataDirectory is not null && !Directory.Exists(dataDirectory))
            throw new UsageException($"--data: folder '{dataDirectory}' does not exist");
        return name switch
        {
            Digits when dataDirectory is not null => throw new UsageException("--data is used with --dataset fashion-mnist; the digits are embedded"),
            Digits => Data.Datasets.Digits.LoadSplit(),
            FashionMnist => Data.Datasets.FashionMnist.Load(dataDirectory, memoryBudget),
            _ => throw new UsageException($"unknown dataset '{name}'"),
        };
    }
}
