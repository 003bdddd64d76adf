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
}
