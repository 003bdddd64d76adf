using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>An in-memory classification dataset: features X (N, D) and labels y ∈ [0, C)ᴺ.</summary>
public sealed class Dataset
{
    /// <summary>The longest class name a file may give (a CSV label, a class in model.json): names are printed in
    /// tables, predictions and ONNX metadata, and a name of megabytes is a damaged or hostile file, not a class.</summary>
    public const int MaxClassNameLength = 256;

    /// <summary>A dataset; checks that shapes agree, labels are in range and features are finite.</summary>
    /// <exception cref="ArgumentException">The counts differ, a label is out of range, or a feature is NaN or infinite.</exception>
    public Dataset(Tensor features, int[] labels, int classes, IReadOnlyList<string>? classNames = null, string name = "dataset")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Rank != 2) throw new ArgumentException($"{name}: features must be (N, D), got shape {features.Shape}");
        if (features.Shape[0] != labels.Length)
            throw new ArgumentException($"{name}: {features.Shape[0]} feature rows but {labels.Length} labels");
        if (classes < 1) throw new ArgumentException($"{name}: at least one class is needed, not {classes}");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"{name}: label {labels[i]} of example {i} is outside [0, {classes})");
        }

        ThrowIfNotFinite(features, name);
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"{name}: {classNames.Count} class names for {classes} classes");
        Features = features;
        Labels = labels;
        Classes = classes;
        ClassNames = classNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Name = name;
    }

    /// <summary>Throws, naming the dataset, the first example and feature, unless every feature is finite. The
    /// constructor checks this; training and evaluation check again, as a tensor's values can change afterwards.</summary>
    internal void ThrowIfNotFinite() => ThrowIfNotFinite(Features, Name);

    private static void ThrowIfNotFinite(Tensor features, string name)
    {
        int index = features.FirstNonFinite();
        if (index < 0) return;
        int width = features.Shape[1];
        double value = features.GetFlat(index);
        string shown = double.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "-∞";
        throw new ArgumentException($"{name}: feature {index % width} of example {index / width} is {shown}; features must be finite (NaN or infinite values found)");
    }

    /// <summary>Throws, naming the dataset, when it has no examples: training and evaluation need at least one.</summary>
    internal void ThrowIfEmpty(string purpose)
    {
        if (Count == 0) throw new ArgumentException($"{Name}: the dataset is empty, nothing to {purpose}");
    }

    /// <summary>Throws, naming both datasets, unless <paramref name="other"/> has this dataset's features and classes,
    /// as a validation set must.</summary>
    internal void ThrowIfUnlike(Dataset other)
    {
        if (other.FeatureCount != FeatureCount || other.Classes != Classes)
            throw new ArgumentException($"{other.Name} has {other.FeatureCount} features and {other.Classes} classes, but {Name} has {FeatureCount} features and {Classes} classes");
    }

    /// <summary>X (N, D).</summary>
    public Tensor Features { get; }

    /// <summary>y (N).</summary>
    public int[] Labels { get; }

    /// <summary>C.</summary>
    public int Classes { get; }

    /// <summary>A name per class.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>N.</summary>
    public int Count => Labels.Length;

    /// <summary>D.</summary>
    public int FeatureCount => Features.Shape[1];

    /// <summary>The examples at the given indices, in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, N).</exception>
    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{Name}: index {indices[i]} at position {i} is outside [0, {Count})");
            labels[i] = Labels[indices[i]];
        }

        return new Dataset(Features.IndexRows(indices), labels, Classes, ClassNames, name ?? Name);
    }

    /// <summary>A seeded, stratified split: from each class, a random <paramref name="testFraction"/> of its examples
    /// (rounded) goes to the test part, so both parts keep the class proportions. Each part lists its examples class by class.</summary>
    public (Dataset Train, Dataset Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), string.Create(CultureInfo.InvariantCulture, $"test fraction must be in (0, 1), not {testFraction}"));
        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        // One pass groups the examples by class: a scan per class would cost classes × examples.
        var byClass = new List<int>[Classes];
        for (int i = 0; i < Count; i++) (byClass[Labels[i]] ??= []).Add(i);
        for (int c = 0; c < Classes; c++)
        {
            var members = byClass[c]?.ToArray() ?? [];
            random.Shuffle(members);
            int testCount = (int)Math.Round(members.Length * testFraction);
            test.AddRange(members[..testCount]);
            train.AddRange(members[testCount..]);
        }

        return (Subset([.. train], $"{Name}-train"), Subset([.. test], $"{Name}-test"));
    }

    /// <summary>The same examples with features converted to <paramref name="dtype"/>.</summary>
    public Dataset To(DType dtype) => dtype == Features.DType ? this : new Dataset(Features.To(dtype), Labels, Classes, ClassNames, Name);

    /// <summary>The same examples with their features on <paramref name="device"/> (itself when they are there): a
    /// loader then gathers each batch there, so that a model on a GPU trains with no copy of its batches from the host
    /// (labels stay on the host).</summary>
    /// <exception cref="InvalidOperationException">No backend for <paramref name="device"/> has been started.</exception>
    public Dataset To(Device device) => device == Features.Device ? this : new Dataset(Features.To(device), Labels, Classes, ClassNames, Name);
}
