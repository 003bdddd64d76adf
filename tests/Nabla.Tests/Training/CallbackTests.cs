using System.Text.Json;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Training;

public sealed class CallbackTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Trainer NewTrainer()
    {
        var model = new Mlp(new MlpSpec(3, [4], 2), seed: 1);
        return new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
    }

    private static EpochResult Epoch(int epoch, double validationLoss) => new(epoch, 1, 0.5, validationLoss, 0.5, 0.1);

    [Fact]
    public void Early_stopping_waits_its_patience_then_restores_the_best_epochs_weights()
    {
        var trainer = NewTrainer();
        var stopper = new EarlyStopping(patience: 2);
        var history = new List<EpochResult>();
        bool Report(int epoch, double loss)
        {
            history.Add(Epoch(epoch, loss));
            return stopper.OnEpochEnd(trainer, history[^1], history);
        }

        Assert.False(Report(1, 0.9));
        Assert.False(Report(2, 0.5));   // the best
        var best = trainer.Model.Parameters().Select(p => p.ToFloatArray()).ToArray();
        foreach (var p in trainer.Model.Parameters()) p.Fill(7);   // training moves on
        Assert.False(Report(3, 0.6));
        Assert.True(Report(4, 0.55));   // two epochs without improvement
        Assert.Equal(2, stopper.BestEpoch);
        stopper.OnTrainingEnd(trainer, history);
        Assert.Equal(best, trainer.Model.Parameters().Select(p => p.ToFloatArray()).ToArray());
    }

    [Fact]
    public void The_csv_log_and_the_weight_checkpoints_are_written_after_every_epoch()
    {
        var trainer = NewTrainer();
        var csv = new CsvLogger(_files.PathOf("log.csv"));
        var checkpoint = new WeightCheckpoint(_files.PathOf("checkpoints"));
        var history = new List<EpochResult>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            history.Add(Epoch(epoch, 1.0 / epoch));
            Assert.False(csv.OnEpochEnd(trainer, history[^1], history));
            Assert.False(checkpoint.OnEpochEnd(trainer, history[^1], history));
        }

        var lines = File.ReadAllLines(csv.Path);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epoch,loss,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2,1,0.5,0.5,0.5,0.1,", lines[2], StringComparison.Ordinal);
        var (tensors, metadata) = SafeTensors.Read(checkpoint.PathOf(2));
        Assert.Equal("2", metadata["epoch"]);
        Assert.Equal(trainer.Model.NamedState().Select(p => p.Key).Order(StringComparer.Ordinal), tensors.Keys.Order(StringComparer.Ordinal));
        Assert.True(File.Exists(checkpoint.PathOf(1)));
    }

    [Fact]
    public void The_json_log_holds_one_object_per_epoch_with_null_for_what_is_missing_or_not_finite()
    {
        var trainer = NewTrainer();
        using (var json = new JsonLinesLogger(_files.PathOf("log.jsonl")))
        {
            json.OnEpochEnd(trainer, new EpochResult(1, 0.75, 0.5, 0.25, 0.875, 1.5), []);
            json.OnEpochEnd(trainer, new EpochResult(2, double.NaN, 0.5, null, null, 1.5), []);
        }

        var lines = File.ReadAllLines(_files.PathOf("log.jsonl"));
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(0.75, first.RootElement.GetProperty("loss").GetDouble());
        Assert.Equal(0.875, first.RootElement.GetProperty("val_accuracy").GetDouble());
        Assert.Equal(0.1, first.RootElement.GetProperty("learning_rate").GetDouble());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("loss").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("val_loss").ValueKind);
    }

    [Fact]
    public void Both_logs_create_the_folder_they_write_in()
    {
        var trainer = NewTrainer();
        var csv = new CsvLogger(_files.PathOf("csv-logs/run/log.csv"));
        csv.OnEpochEnd(trainer, Epoch(1, 0.5), []);
        using (var json = new JsonLinesLogger(_files.PathOf("json-logs/run/log.jsonl")))
        {
            json.OnEpochEnd(trainer, Epoch(1, 0.5), []);
        }

        Assert.Equal(2, File.ReadAllLines(_files.PathOf("csv-logs/run/log.csv")).Length);
        Assert.Single(File.ReadAllLines(_files.PathOf("json-logs/run/log.jsonl")));
    }

    [Fact]
    public void Fit_reports_every_batch_with_running_counts_that_end_at_the_epochs_size()
    {
        var random = new Random(3);
        var features = Nabla.Tensors.Tensor.FromArray(Enumerable.Range(0, 10 * 3).Select(_ => (float)random.NextDouble()).ToArray(), new Nabla.Tensors.Shape(10, 3));
        var data = new Dataset(features, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 2);
        var recorder = new ProgressRecorder();
        NewTrainer().Fit(data, null, new TrainingOptions(Epochs: 2, BatchSize: 4, Seed: 0), callbacks: [recorder]);

        Assert.Equal(6, recorder.Reports.Count);   // 3 batches (4, 4, 2) in each of 2 epochs
        var last = recorder.Reports[^1];
        Assert.Equal((2, 2, 3, 3, 10, 10), (last.Epoch, last.Epochs, last.Batch, last.Batches, last.Samples, last.TotalSamples));
        Assert.Equal([4, 8, 10], recorder.Reports.Take(3).Select(r => r.Samples));
        Assert.All(recorder.Reports, r => Assert.InRange(r.Accuracy, 0, 1));
    }

    [Fact]
    public void After_a_resume_the_rate_counts_only_the_examples_trained_since()
    {
        var resumed = new BatchProgress(2, 3, 10, 10, Samples: 1000, TotalSamples: 1000, 0.5, 0.9, Seconds: 2, SamplesBeforeResume: 600);
        Assert.Equal(200, resumed.SamplesPerSecond);
        var halfway = resumed with { Samples = 800 };
        Assert.Equal(2, halfway.SecondsLeft, 10);   // (800 − 600) / 2 s = 100 per second, 200 left
    }

    private sealed class ProgressRecorder : ITrainingCallback
    {
        public List<BatchProgress> Reports { get; } = [];

        public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history) => false;

        public void OnBatchEnd(Trainer trainer, BatchProgress progress) => Reports.Add(progress);
    }
}
