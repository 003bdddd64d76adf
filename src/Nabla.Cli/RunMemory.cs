using Nabla.Cli.Commands;
using Nabla.Data;
using Nabla.NN;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>The memory a <c>nabla train</c> run will need, estimated before its network, optimiser and batches are
/// allocated (and, for a built-in dataset, before the dataset is read); a run that cannot fit is refused with one line.</summary>
internal static class RunMemory
{
    /// <summary>Estimates the run and throws (one line: the estimate and the memory available, with its source) when it
    /// does not fit. <paramref name="described"/> is the --model network when there is one; <paramref name="csv"/> the
    /// CSV splits when the data came from a file.</summary>
    public static MemoryEstimate Check(TrainSettings s, int inputs, int classes, Sequential? described, (Dataset? Train, Dataset? Test) csv)
    {
        long datasetBytes = csv.Train is { } train && csv.Test is { } test
            ? DatasetBytes(train, test)
            : BuiltInDatasetBytes(s.Dataset, inputs);
        int buffers = MemoryEstimate.OptimizerBuffers(s.Optimizer, s.Momentum);
        var estimate = described is not null
            ? MemoryEstimate.ForModel(described, inputs, s.BatchSize, buffers, datasetBytes)
            : MemoryEstimate.ForMlp(new MlpSpec(inputs, s.Hidden, classes, s.Activation), s.BatchSize, buffers, datasetBytes);
        estimate.ThrowIfExceeds(AvailableMemory.Query(), "this run");
        return estimate;
    }

    /// <summary>Before a --model network is built (its weights are allocated as it is), refuses one whose parameters,
    /// gradients and optimiser state alone cannot fit: the architecture counts its state from the description.</summary>
    public static void CheckDescribedFits(TrainSettings s, int[] exampleShape, long stateElements)
    {
        int buffers = MemoryEstimate.OptimizerBuffers(s.Optimizer, s.Momentum);
        int inputs = exampleShape.Aggregate(1, (a, d) => a * d);
        MemoryEstimate.For(stateElements, inputs, inputs, s.BatchSize, buffers, datasetBytes: 0).ThrowIfExceeds(AvailableMemory.Query(), "this run");
    }

    /// <summary>What the training and test sets hold in memory: float32 features and an int label per example.</summary>
    public static long DatasetBytes(Dataset train, Dataset test) =>
        (long)(train.Count + test.Count) * ((train.FeatureCount * sizeof(float)) + sizeof(int));

    // Examples of the built-in datasets, train and test together; an IDX file's pixels are held as bytes while they are
    // widened to float32, so fashion-mnist counts 1 + 4 bytes a pixel.
    private static long BuiltInDatasetBytes(string dataset, int inputs) => dataset switch
    {
        DatasetChoice.Digits => 1797L * ((inputs * sizeof(float)) + sizeof(int)),
        DatasetChoice.FashionMnist => 70_000L * ((inputs * (sizeof(float) + 1L)) + sizeof(int)),
        _ => 0,
    };
}
