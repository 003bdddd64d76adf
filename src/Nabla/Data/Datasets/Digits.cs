using System.Globalization;
using System.IO.Compression;
using Nabla.Tensors;

namespace Nabla.Data.Datasets;

/// <summary>The 8×8 handwritten digits (1,797 images, 10 classes), embedded in the library.</summary>
/// <remarks>UCI's "Optical Recognition of Handwritten Digits" (Alpaydin and Kaynak, CC BY 4.0), as shipped by
/// scikit-learn: each line holds 64 pixel values 0–16, then the label. Pixels are scaled to [0, 1].</remarks>
public static class Digits
{
    private const string ResourceName = "Nabla.Data.Datasets.digits.csv.gz";

    /// <summary>The fraction held out for testing by <see cref="LoadSplit"/>.</summary>
    public const double TestFraction = 0.2;

    /// <summary>All 1,797 examples: features (1797, 64) in [0, 1], labels 0–9.</summary>
    public static Dataset Load()
    {
        using var resource = typeof(Digits).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the Nabla assembly");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        return ReadCsv(gzip, "digits.csv.gz", 64, 16.0, "digits");
    }

    /// <summary>The deterministic split used everywhere (seed 0): 1,438 training and 359 test examples.</summary>
    public static (Dataset Train, Dataset Test) LoadSplit() => Load().Split(TestFraction, seed: 0);

    /// <summary>Reads lines of <paramref name="featureCount"/> numbers then an integer label, dividing features by <paramref name="scale"/>.</summary>
    internal static Dataset ReadCsv(Stream stream, string fileName, int featureCount, double scale, string name)
    {
        using var reader = new StreamReader(stream);
        var features = new List<float>();
        var labels = new List<int>();
        string? line;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != featureCount + 1)
                throw new DataFormatException($"{fileName}:{lineNumber}: expected {featureCount + 1} values, found {cells.Length}");
            for (int i = 0; i < featureCount; i++)
            {
                if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new DataFormatException($"{fileName}:{lineNumber}: value {i + 1} '{cells[i]}' is not a finite number");
                features.Add((float)(v / scale));
            }

            if (!int.TryParse(cells[featureCount].Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < 0 || label > 9)
                throw new DataFormatException($"{fileName}:{lineNumber}: label '{cells[featureCount]}' is not a digit 0–9");
            labels.Add(label);
        }

        return new Dataset(Tensor.FromArray(features.ToArray(), [labels.Count, featureCount]), [.. labels], 10, name: name);
    }
}
