using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Training;

// Some tests set the process-wide thread count: they run with the other tests that do, alone.
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static readonly (Dataset Train, Dataset Test) Digits = Nabla.Data.Datasets.Digits.LoadSplit();

    /// <summary>A network with everything that carries state across steps: batch-norm statistics, a dropout stream,
    /// Adam's moments and step count, a cosine schedule.</summary>
    private static Trainer NewTrainer(string kind)
    {
        if (kind == "cnn")
        {
            var (cnn, _) = Architecture.Build("conv4k3p1-bn-relu-pool2-dropout0.3-flatten-fc10", [1, 8, 8], new Random(7));
            return new Trainer(cnn, new CrossEntropyLoss(), new Adam(cnn.Parameters(), 0.01));
        }

        var (model, _) = Architecture.Build("fc32-bn-relu-dropout0.3-fc10", [64], new Random(7));
        return kind == "adam"
            ? new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01))
            : new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9), [new L2Regularizer(1e-4)]);
    }

    private static TrainingOptions Options(string? directory, int epochs = 3) =>
        new(epochs, BatchSize: 100, Seed: 5, Schedule: LearningRateSchedule.Cosine(),
            Checkpoints: directory is null ? null : new CheckpointOptions(directory, EverySteps: 4, Keep: 1000, Settings: "the caller's text"));

    private static float[][] Weights(Trainer trainer) => [.. trainer.Model.NamedState().Select(p => p.Value.ToFloatArray())];

    [Theory]
    [InlineData("adam", 1)]
    [InlineData("sgd", 1)]
    [InlineData("cnn", 1)]
    [InlineData("adam", 0)]
    [InlineData("sgd", 0)]
    [InlineData("cnn", 0)]
    public void A_run_resumed_from_any_checkpoint_ends_with_the_same_weights_bit_for_bit(string kind, int threads)
    {
        using (Parallelism.Limit(threads == 0 ? Environment.ProcessorCount : threads))   // 0: all cores
        {
            ResumeFromEveryCheckpoint(kind);
        }
    }

    private void ResumeFromEveryCheckpoint(string kind)
    {
        var straight = NewTrainer(kind);
        var history = straight.Fit(Digits.Train, Digits.Test, Options(null));
        var expected = Weights(straight);

        var directory = _files.PathOf($"checkpoints-{kind}-{Parallelism.MaxThreads}");
        var saving = NewTrainer(kind);
        saving.Fit(Digits.Train, Digits.Test, Options(directory));
        Assert.Equal(expected, Weights(saving));   // two runs with the same seed agree, and saving checkpoints changes nothing

        var files = Directory.GetFiles(directory, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 10, $"{files.Length} checkpoints");   // 15 steps per epoch: mid-epoch and epoch ends
        foreach (var file in files)
        {
            var checkpoint = CheckpointStore.Load(file);
            Assert.Equal("the caller's text", checkpoint.Settings);
            var resumed = NewTrainer(kind);
            var resumedHistory = resumed.Fit(Digits.Train, Digits.Test, Options(null), resumeFrom: checkpoint);
            Assert.True(expected.SequenceEqual(Weights(resumed), new ArrayComparer()), $"resumed from {Path.GetFileName(file)} (epoch {checkpoint.CompletedEpochs}, batch {checkpoint.BatchesInEpoch}): weights differ");
            Assert.Equal(history.Epochs.Select(e => (e.Loss, e.TrainAccuracy, e.ValidationLoss)), resumedHistory.Epochs.Select(e => (e.Loss, e.TrainAccuracy, e.ValidationLoss)));
        }
    }

    [Fact]
    public void Cancelling_saves_a_checkpoint_at_that_step_and_the_run_resumes_to_the_same_end()
    {
        var expected = Weights(Fit(NewTrainer("adam"), null));
        var directory = _files.PathOf("cancelled");
        using var cancel = new CancellationTokenSource();
        var stopper = new StopAfter(19, cancel);
        var trainer = NewTrainer("adam");
        Assert.Throws<OperationCanceledException>(() =>
            trainer.Fit(Digits.Train, Digits.Test, Options(directory) with { Checkpoints = new CheckpointOptions(directory), Cancellation = cancel.Token }, callbacks: [stopper]));
        var checkpoint = CheckpointStore.LoadLatest(directory)!;
        Assert.Equal(19, checkpoint.Step);
        Assert.Equal((1, 4), (checkpoint.CompletedEpochs, checkpoint.BatchesInEpoch));
        Assert.Equal(expected, Weights(Fit(NewTrainer("adam"), checkpoint)), new ArrayComparer());
    }

    private static Trainer Fit(Trainer trainer, Checkpoint? resumeFrom)
    {
        trainer.Fit(Digits.Train, Digits.Test, Options(null), resumeFrom: resumeFrom);
        return trainer;
    }

    [Fact]
    public void Dropout_streams_are_saved_as_the_models_counters_and_a_checkpoint_of_the_older_form_still_resumes()
    {
        var directory = _files.PathOf("counters");
        var uninterrupted = Weights(Fit(NewTrainer("adam"), null));
        NewTrainer("adam").Fit(Digits.Train, Digits.Test, Options(directory, epochs: 1));
        var checkpoint = CheckpointStore.LoadLatest(directory)!;
        Assert.Equal(["3.draws"], checkpoint.Counters.Keys);   // fc32-bn-relu-dropout0.3-fc10: the dropout is layer 3
        Assert.True(checkpoint.Counters["3.draws"] > 0);

        // Before counters were registered state, a checkpoint kept "DropoutDraws" by layer path; such a file is read
        // into the same counters and resumes to the same end.
        var path = Directory.GetFiles(directory).Order(StringComparer.Ordinal).Last();
        var (tensors, metadata) = SafeTensors.Read(path);
        string description = metadata["nabla.checkpoint"];
        string counters = $"\"Counters\":{{\"3.draws\":{checkpoint.Counters["3.draws"]}}}";
        Assert.Contains(counters, description, StringComparison.Ordinal);
        string legacy = description.Replace(counters, $"\"DropoutDraws\":{{\"3\":{checkpoint.Counters["3.draws"]}}}", StringComparison.Ordinal);
        var legacyPath = _files.PathOf("legacy.safetensors");
        SafeTensors.Write(legacyPath, tensors, new Dictionary<string, string> { ["nabla.checkpoint"] = legacy, ["nabla.checksum"] = CheckpointChecksum.Compute(legacy, tensors) });
        var old = CheckpointStore.Load(legacyPath);
        Assert.Equal(checkpoint.Counters, old.Counters);
        Assert.Equal(uninterrupted, Weights(Fit(NewTrainer("adam"), old)), new ArrayComparer());
    }

    [Fact]
    public void Only_the_newest_checkpoints_are_kept_and_the_newest_readable_one_is_loaded()
    {
        var directory = _files.PathOf("kept");
        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, EverySteps: 5, Keep: 2) });
        var files = Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([CheckpointStore.FileName(25), CheckpointStore.FileName(30)], files);

        // A newest file that does not read (say, written by hand) is passed over for the one before it.
        File.WriteAllBytes(Path.Combine(directory, CheckpointStore.FileName(31)), [1, 2, 3]);
        Assert.Equal(30, CheckpointStore.LoadLatest(directory)!.Step);
        Assert.Null(CheckpointStore.LoadLatest(_files.PathOf("nothing-here")));
    }

    [Fact]
    public void A_new_run_in_the_folder_of_an_earlier_run_is_refused_and_leaves_its_checkpoints()
    {
        // Mixed in one folder, the earlier run's checkpoints could pass for the newest, and a resume would continue it.
        var directory = _files.PathOf("reused");
        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, EverySteps: 4) });
        var before = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray();
        var earlier = CheckpointStore.LoadLatest(directory)!;

        var adam = NewTrainer("adam");
        var weights = Weights(adam);
        var e = Assert.Throws<ArgumentException>(() => adam.Fit(Digits.Train, null, Options(null, epochs: 1) with { Checkpoints = new CheckpointOptions(directory) }));
        Assert.Contains("holds checkpoints of another run", e.Message, StringComparison.Ordinal);
        Assert.Contains(earlier.Run.Id[..8], e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(weights, Weights(adam), new ArrayComparer());   // refused before training
    }

    [Fact]
    public void A_resumed_run_keeps_its_run_identity_and_refuses_a_folder_shared_with_another_run()
    {
        var directory = _files.PathOf("identity");
        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, EverySteps: 4, Keep: 100) });
        var checkpoints = Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(CheckpointStore.Load).ToList();
        var run = checkpoints[0].Run;
        Assert.All(checkpoints, c => Assert.Equal(run, c.Run));
        Assert.Equal((Digits.Train.Name, NewTrainer("sgd").Model.Describe()), (run.Dataset, run.Architecture));

        // Another run's checkpoint with more steps, put there by hand: a resume of the first run must not delete it.
        var foreign = checkpoints[^1] with { Step = 999, Run = run with { Id = RunIdentity.NewId() } };
        CheckpointStore.Save(_files.PathOf("elsewhere"), foreign);
        File.Copy(Path.Combine(_files.PathOf("elsewhere"), CheckpointStore.FileName(999)), Path.Combine(directory, CheckpointStore.FileName(999)));
        Assert.Throws<ArgumentException>(() => NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, EverySteps: 4) }, resumeFrom: checkpoints[2]));
        File.Delete(Path.Combine(directory, CheckpointStore.FileName(999)));

        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, EverySteps: 4, Keep: 100) }, resumeFrom: checkpoints[2]);
        Assert.All(Directory.GetFiles(directory).Select(CheckpointStore.Load), c => Assert.Equal(run, c.Run));
        Assert.Equal(30, CheckpointStore.NewestStep(directory, run.Id));
        Assert.Null(CheckpointStore.NewestStep(directory, foreign.Run.Id));
    }

    [Fact]
    public void Saving_deletes_only_the_checkpoints_of_its_own_run()
    {
        var directory = _files.PathOf("shared");
        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 1) with { Checkpoints = new CheckpointOptions(directory) });
        var mine = CheckpointStore.LoadLatest(directory)!;
        var other = mine with { Step = 100, Run = mine.Run with { Id = RunIdentity.NewId() } };
        CheckpointStore.Save(directory, other);
        foreach (long step in new long[] { 16, 17, 18 }) CheckpointStore.Save(directory, mine with { Step = step }, keep: 1);

        // The other run's step 100 would pass for this run's abandoned future, and its step-15 file for an old one.
        Assert.Equal([CheckpointStore.FileName(18), CheckpointStore.FileName(100)], Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        Assert.Equal(18, CheckpointStore.NewestStep(directory, mine.Run.Id));
        Assert.Equal(100, CheckpointStore.NewestStep(directory, other.Run.Id));
    }

    [Fact]
    public void A_run_with_early_stopping_resumed_from_any_checkpoint_ends_with_the_same_weights_and_epoch()
    {
        // Patience 1 stops this run early, so the last checkpoint is of a stopped run, which a resume must not extend.
        static (Trainer, EarlyStopping, TrainingHistory) Run(string? directory, Checkpoint? resumeFrom)
        {
            var trainer = NewTrainer("adam");
            var stopper = new EarlyStopping(patience: 1);
            var history = trainer.Fit(Digits.Train, Digits.Test, Options(directory, epochs: 12), callbacks: [stopper], resumeFrom: resumeFrom);
            return (trainer, stopper, history);
        }

        var (straight, straightStopper, straightHistory) = Run(null, null);
        Assert.True(straightHistory.Epochs.Count < 12, "the run was meant to stop early");
        Assert.True(straightStopper.BestEpoch < straightHistory.Epochs.Count);   // the best weights are not the last ones
        var expected = Weights(straight);

        var directory = _files.PathOf("early");
        Run(directory, null);
        var files = Directory.GetFiles(directory, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        Assert.True(CheckpointStore.Load(files[^1]).StoppedEarly);
        foreach (var file in files)
        {
            var (resumed, stopper, history) = Run(null, CheckpointStore.Load(file));
            Assert.True(expected.SequenceEqual(Weights(resumed), new ArrayComparer()), $"resumed from {Path.GetFileName(file)}: weights differ");
            Assert.Equal(straightStopper.BestEpoch, stopper.BestEpoch);
            Assert.Equal(straightHistory.Epochs.Count, history.Epochs.Count);
        }
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused_naming_the_file()
    {
        var directory = _files.PathOf("other");
        NewTrainer("sgd").Fit(Digits.Train, null, Options(null, epochs: 1) with { Checkpoints = new CheckpointOptions(directory) });
        var checkpoint = CheckpointStore.LoadLatest(directory)!;
        var other = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        var trainer = new Trainer(other, new CrossEntropyLoss(), new Sgd(other.Parameters(), 0.1));
        var e = Assert.Throws<ArgumentException>(() => trainer.Restore(checkpoint));
        Assert.Contains(checkpoint.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_whose_optimiser_state_does_not_fit_changes_nothing()
    {
        var directory = _files.PathOf("misfit");
        NewTrainer("adam").Fit(Digits.Train, null, Options(null, epochs: 1) with { Checkpoints = new CheckpointOptions(directory) });
        var checkpoint = CheckpointStore.LoadLatest(directory)!;
        var sgd = NewTrainer("sgd");   // the same network; its first state buffer is given the wrong shape below
        var broken = checkpoint with { OptimizerState = checkpoint.OptimizerState.ToDictionary(p => p.Key, p => p.Key.EndsWith("param0", StringComparison.Ordinal) ? Tensor.Zeros(new Shape(3)) : p.Value) };
        var before = Weights(sgd);
        Assert.Throws<ArgumentException>(() => sgd.Restore(broken));
        Assert.Equal(before, Weights(sgd), new ArrayComparer());   // the model was put back
        Assert.Equal(0, sgd.Optimizer.StepCount);
    }

    [Fact]
    public void The_json_log_is_not_touched_until_it_has_a_line_to_write()
    {
        var path = _files.PathOf("earlier.jsonl");
        File.WriteAllText(path, "{\"epoch\":1}\n");
        using (var json = new JsonLinesLogger(path))
        {
            // A resume refused before training starts writes nothing: the earlier log stays.
        }

        Assert.Equal("{\"epoch\":1}\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_diverging_step_names_the_step_and_the_first_layer_with_non_finite_values()
    {
        var model = new Mlp(new MlpSpec(64, [32, 16], 10), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        trainer.Step(new Batch(Digits.Train.Features.Slice(0, 0, 8), Digits.Train.Labels[..8]));
        model.Parameters().ElementAt(2).Fill(float.MaxValue);   // layers.2.weight: its layer's output overflows to ∞
        var before = Weights(trainer);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(new Batch(Digits.Train.Features.Slice(0, 8, 8), Digits.Train.Labels[8..16])));
        Assert.Equal(2, e.Step);
        Assert.Equal("layers.2", e.Layer);
        Assert.Contains("training stopped at step 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("first in the output of layer 'layers.2' (Linear(32 → 16))", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Weights(trainer), new ArrayComparer());   // the failing step changed nothing
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Large_finite_gradients_are_not_taken_for_divergence(bool captured)
    {
        // Every gradient of the first row is −2·10³⁸: finite, though 64 of them sum beyond float's range.
        var model = new Mlp(new MlpSpec(64, [], 3), seed: 0);
        foreach (var p in model.Parameters()) p.Fill(0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1)) { CaptureSteps = captured };
        var (loss, _) = trainer.Step(new Batch(Tensor.Full(new Shape(1, 64), 3e38), [0]));
        Assert.Equal(Math.Log(3), loss, 5);
        Assert.All(model.Parameters(), p => Assert.False(p.HasNonFinite()));
        Assert.Equal(captured ? 1 : 0, trainer.CapturedStep.CapturesMade);
    }

    [Fact]
    public void Logs_rewrite_themselves_from_the_history_when_a_run_resumes()
    {
        var directory = _files.PathOf("logged");
        var csv = new CsvLogger(_files.PathOf("log.csv"));
        NewTrainer("sgd").Fit(Digits.Train, Digits.Test, Options(null, epochs: 2) with { Checkpoints = new CheckpointOptions(directory, Keep: 5) }, callbacks: [csv]);
        var afterFirstEpoch = CheckpointStore.Load(Path.Combine(directory, CheckpointStore.FileName(15)));
        var resumedCsv = new CsvLogger(_files.PathOf("log.csv"));
        using var json = new JsonLinesLogger(_files.PathOf("log.jsonl"));
        NewTrainer("sgd").Fit(Digits.Train, Digits.Test, Options(null, epochs: 2), callbacks: [resumedCsv, json], resumeFrom: afterFirstEpoch);
        Assert.Equal(3, File.ReadAllLines(_files.PathOf("log.csv")).Length);
        Assert.Equal(2, File.ReadAllLines(_files.PathOf("log.jsonl")).Length);

        // A checkpoint of a run without early stopping lacks its best weights: a resume with it is refused.
        Assert.Throws<InvalidOperationException>(() => NewTrainer("sgd").Fit(Digits.Train, Digits.Test, Options(null, epochs: 2), callbacks: [new EarlyStopping()], resumeFrom: afterFirstEpoch));
    }

    private sealed class StopAfter(int steps, CancellationTokenSource cancel) : ITrainingCallback
    {
        public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history) => false;

        public void OnBatchEnd(Trainer trainer, BatchProgress progress)
        {
            if (trainer.Optimizer.StepCount == steps) cancel.Cancel();
        }
    }

    private sealed class ArrayComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(float[] obj) => obj.Length;
    }
}
