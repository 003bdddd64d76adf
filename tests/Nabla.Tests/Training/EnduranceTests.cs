using System.Globalization;
using Nabla.Data.Datasets;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;
using Xunit.Abstractions;

namespace Nabla.Tests.Training;

/// <summary>Alone, so that no other test's allocations move the process's working set.</summary>
[CollectionDefinition(nameof(EnduranceTests), DisableParallelization = true)]
public sealed class EnduranceCollection;

/// <summary>A long run keeps its memory flat: training on the digits for 100 epochs grows neither the working set nor
/// the managed heap by 10% or more after the second epoch.</summary>
[Collection(nameof(EnduranceTests))]
public sealed class EnduranceTests(ITestOutputHelper output)
{
    private const int Epochs = 100;

    [Fact]
    public void One_hundred_epochs_on_the_digits_keep_memory_flat()
    {
        // `nabla train`'s digits preset (Mlp 64-256-10, SGD 0.1 with momentum 0.9, L2 1e-4, cosine, batch 16), for 100
        // epochs, evaluated on the test split after every epoch.
        var (train, test) = Digits.LoadSplit();
        var model = new Mlp(new MlpSpec(64, [256], 10), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9), [new L2Regularizer(1e-4)]);
        var workingSet = new long[Epochs + 1];
        var heap = new long[Epochs + 1];
        var allocated = new long[Epochs + 1];
        (workingSet[0], heap[0], allocated[0]) = Measure();
        var history = trainer.Fit(train, test, new TrainingOptions(Epochs, 16, Schedule: LearningRateSchedule.Cosine()),
            onEpoch: r => (workingSet[r.Epoch], heap[r.Epoch], allocated[r.Epoch]) = Measure());

        Assert.Equal(Epochs, history.Epochs.Count);
        output.WriteLine("epoch  working set (MiB)  managed heap (KiB)  allocated in epoch (KiB)  test accuracy");
        for (int e = 0; e <= Epochs; e++)
        {
            if (e > 5 && e % 10 != 0) continue;
            string accuracy = e == 0 ? "" : history.Epochs[e - 1].ValidationAccuracy!.Value.ToString("P2", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e,5}  {workingSet[e] / 1048576.0,17:F1}  {heap[e] / 1024.0,18:F0}  {(e == 0 ? 0 : (allocated[e] - allocated[e - 1]) / 1024.0),24:F0}  {accuracy,13}"));
        }

        double workingSetGrowth = (double)workingSet[2..].Max() / workingSet[2] - 1;
        double heapGrowth = (double)heap[2..].Max() / heap[2] - 1;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after epoch 2: working set {workingSet[2] / 1048576.0:F1} MiB, at most {workingSet[2..].Max() / 1048576.0:F1} MiB later (+{workingSetGrowth:P1}); " +
            $"managed heap {heap[2] / 1024.0:F0} KiB, at most {heap[2..].Max() / 1024.0:F0} KiB later (+{heapGrowth:P1})"));
        Assert.True(workingSetGrowth < 0.10, $"the working set grew by {workingSetGrowth:P1} after epoch 2");
        Assert.True(heapGrowth < 0.10, $"the managed heap grew by {heapGrowth:P1} after epoch 2");
        Assert.True(history.Last.ValidationAccuracy > 0.95);
    }

    /// <summary>The working set and the managed heap after a full, compacting collection, and the bytes allocated so far.</summary>
    private static (long WorkingSet, long Heap, long Allocated) Measure()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return (Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false), allocated);
    }
}
