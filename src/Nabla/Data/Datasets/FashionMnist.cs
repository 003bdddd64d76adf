using Nabla.Tensors;

namespace Nabla.Data.Datasets;

/// <summary>Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence): 28×28 grey images of 10 kinds of clothing,
/// 60,000 for training and 10,000 for testing, read from the four IDX files.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the training and test sets from <paramref name="directory"/> (default: <see cref="DefaultDirectory"/>),
    /// pixels scaled to [0, 1], images flattened to 784 features. Files may be plain or gzip-compressed.</summary>
    /// <param name="directory">The folder of the four IDX files.</param>
    /// <param name="memoryBudget">The bytes the two sets may take together (default: the memory available). Each
    /// value is held as a byte while it is widened to float32, 1 + 4 bytes; every file's claim is checked against
    /// what is left of the budget from its header, before anything is decoded.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed, claims more than the budget, or the image and label counts differ.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null, long? memoryBudget = null)
    {
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: data folder not found (install Debian's dataset-fashion-mnist, or pass a folder holding the four IDX files)");
        long budget = Math.Max(0, memoryBudget ?? AvailableMemory.Query().Bytes);
        var train = LoadPart(directory, "train", "fashion-mnist-train", budget);
        long spent = ((long)train.Count * train.FeatureCount * (1 + sizeof(float))) + ((long)train.Count * (1 + sizeof(int)));
        return (train, LoadPart(directory, "t10k", "fashion-mnist-test", Math.Max(0, budget - spent)));
    }

    /// <summary>Loads one images/labels pair, e.g. <c>train-images-idx3-ubyte[.gz]</c> and <c>train-labels-idx1-ubyte[.gz]</c>,
    /// within <paramref name="memoryBudget"/> bytes (default: the memory available).</summary>
    /// <remarks>Each value is held as a byte while it is widened to float32 (a label to an int), so a file may claim
    /// at most a fifth of the budget in values. The claim is checked from the header, before anything is decoded.</remarks>
    public static Dataset LoadPart(string directory, string prefix, string name, long? memoryBudget = null)
    {
        long valueBudget = Math.Max(0, memoryBudget ?? AvailableMemory.Query().Bytes) / (1 + sizeof(float));
        var images = IdxFile.Read(Find(directory, $"{prefix}-images-idx3-ubyte"), valueBudget);
        var labels = IdxFile.Read(Find(directory, $"{prefix}-labels-idx1-ubyte"), valueBudget);
        return FromIdx(images, labels, $"{prefix}-images-idx3-ubyte", $"{prefix}-labels-idx1-ubyte", name, ClassNames);
    }

    /// <summary>Builds a dataset from an IDX image file (N, rows, cols) and label file (N).</summary>
    internal static Dataset FromIdx(IdxFile images, IdxFile labels, string imagesName, string labelsName, string name, IReadOnlyList<string> classNames)
    {
        if (images.Dimensions.Length != 3) throw new DataFormatException($"{imagesName}: expected 3 dimensions (N, rows, cols), found {images.Dimensions.Length}");
        if (labels.Dimensions.Length != 1) throw new DataFormatException($"{labelsName}: expected 1 dimension (N), found {labels.Dimensions.Length}");
        int n = images.Dimensions[0];
        // Images of no pixels would let N grow without the file holding anything; with N = 0 the file holds no
        // values whatever rows and cols say, so their product is checked on its own.
        if (images.Dimensions[1] < 1 || images.Dimensions[2] < 1)
            throw new DataFormatException($"{imagesName}: images of {images.Dimensions[1]} x {images.Dimensions[2]} pixels hold nothing");
        long pixelCount = (long)images.Dimensions[1] * images.Dimensions[2];
        if (pixelCount > int.MaxValue) throw new DataFormatException($"{imagesName}: images of {images.Dimensions[1]} x {images.Dimensions[2]} pixels are too large");
        int pixels = (int)pixelCount;
        if (labels.Dimensions[0] != n)
            throw new DataFormatException($"{labelsName}: {labels.Dimensions[0]} labels, but {imagesName} has {n} images");
        var features = new float[images.Values.Length];
        for (int i = 0; i < features.Length; i++) features[i] = images.Values[i] / 255f;
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = labels.Values[i];
            if (y[i] >= classNames.Count) throw new DataFormatException($"{labelsName}: label {y[i]} of example {i} is not a class 0–{classNames.Count - 1}");
        }

        return new Dataset(Tensor.Wrap(features, [n, pixels]), y, classNames.Count, classNames, name);
    }

    private static string Find(string directory, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz", stem.Replace("-idx", ".idx", StringComparison.Ordinal) })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }

        throw new FileNotFoundException($"{Path.Combine(directory, stem)}[.gz]: file not found", stem);
    }
}
