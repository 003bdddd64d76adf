using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Training;

/// <summary>TrainingRun, the command line's run for C# users: validation split, early stopping, checkpoint folder,
/// cancellation with a checkpoint, resume to the same end.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class TrainingRunTests : IDisposable
{
    private static readonly (Dataset Train, Dataset Test) Digits = Nabla.Data.Datasets.Digits.LoadSplit();
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Trainer NewTrainer()
    {
        var (model, _) = Architecture.Build("fc32-relu-dropout0.2-fc10", [64], new Random(3));
        return new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01));
    }

    private static TrainingRunOptions Options(string? folder, CancellationToken cancel = default) =>
        new(new TrainingOptions(Epochs: 4, BatchSize: 64, Seed: 2, Cancellation: cancel)) { EarlyStoppingPatience = 2, CheckpointDirectory = folder, CheckpointEvery = 5 };

    private static float[][] Weights(Trainer trainer) => [.. trainer.Model.NamedState().Select(p => p.Value.ToFloatArray())];

    [Fact]
    public void Early_stopping_watches_a_validation_split_and_never_the_test_set()
    {
        var run = new TrainingRun(NewTrainer(), Options(null));
        Assert.True(run.WatchesValidation);
        var data = run.Prepare(Digits.Train, Digits.Test);
        Assert.Equal("validation", data.WatchedName);
        Assert.NotSame(Digits.Test, data.Watched);
        Assert.Equal(Digits.Train.Count, data.Fit.Count + data.Watched.Count);
        var result = run.Run(data);
        Assert.False(result.Interrupted);
        Assert.InRange(result.BestEpoch!.Value, 1, 4);
        Assert.Equal(result.History!.Epochs.Count, result.History.Epochs[^1].Epoch);
    }

    [Fact]
    public void A_cancelled_run_saves_a_checkpoint_and_its_resume_ends_where_the_uninterrupted_run_ends()
    {
        var straight = NewTrainer();
        new TrainingRun(straight, Options(_files.PathOf("straight"))).Run(Digits.Train, Digits.Test);

        var folder = _files.PathOf("cancelled");
        using var cancel = new CancellationTokenSource();
        var stopped = new TrainingRun(NewTrainer(), Options(folder, cancel.Token)).Run(Digits.Train, Digits.Test, [new StopAfter(7, cancel)]);
        Assert.True(stopped.Interrupted);
        Assert.Equal(7, stopped.NewestCheckpointStep);

        var resumed = NewTrainer();
        var checkpoint = CheckpointStore.LoadLatest(folder)!;
        var result = new TrainingRun(resumed, Options(folder)).Run(Digits.Train, Digits.Test, resumeFrom: checkpoint);
        Assert.Equal(checkpoint.Run.Id, result.RunId);
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void Data_too_small_to_split_is_refused_before_anything_runs_naming_the_data_and_the_reason()
    {
        var tiny = Digits.Train.Subset([0, 1, 2, 3, 4]);
        var run = new TrainingRun(NewTrainer(), Options(null) with { DataName = "five.csv", ValidationReason = "--early-stopping" });
        var e = Assert.Throws<DataFormatException>(() => run.Prepare(tiny, Digits.Test));
        Assert.Equal("five.csv: 5 training rows are too few to hold out a 10% validation split for --early-stopping", e.Message);
        Assert.Equal(0, run.Trainer.Steps);
    }

    private sealed class StopAfter(int steps, CancellationTokenSource cancel) : ITrainingCallback
    {
        public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history) => false;

        public void OnBatchEnd(Trainer trainer, BatchProgress progress)
        {
            if (trainer.Optimizer.StepCount == steps) cancel.Cancel();
        }
    }
}
