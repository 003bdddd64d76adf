using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void Training_on_the_digits_reaches_97_percent_test_accuracy()
    {
        // The recipe of `nabla train`'s digits preset.
        var (train, test) = Digits.LoadSplit();
        var model = new Mlp(new MlpSpec(64, [256], 10), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9), [new L2Regularizer(1e-4)]);
        var history = trainer.Fit(train, test, new TrainingOptions(40, 16, 0, Schedule: LearningRateSchedule.Cosine()));
        Assert.Equal(40, history.Epochs.Count);
        Assert.True(history.Last.ValidationAccuracy >= 0.97, $"test accuracy {history.Last.ValidationAccuracy:P2}");
        Assert.True(history.Last.Loss < history.Epochs[0].Loss);
        var evaluation = Evaluator.Evaluate(model, test);
        Assert.Equal(history.Last.ValidationAccuracy!.Value, evaluation.Accuracy, 12);
        Assert.Equal(test.Count, evaluation.ConfusionMatrix.Cast<int>().Sum());
    }

    [Fact]
    public void A_diverging_run_stops_with_a_message_naming_the_step()
    {
        var data = new Dataset(Tensor.FromArray([1e30f, -1e30f], [2, 1]), [0, 1], 2);
        var model = new Mlp(new MlpSpec(1, [2], 2), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 1e10));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, null, new TrainingOptions(5, 2)));
        Assert.Contains("step", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        var (train, _) = Digits.LoadSplit();
        float[] Run()
        {
            var model = new Mlp(new MlpSpec(64, [16], 10), seed: 5);
            new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, 0.9)).Fit(train, null, new TrainingOptions(2, 32, 5));
            return model.Parameters().SelectMany(p => p.ToFloatArray()).ToArray();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Clipping_the_gradient_norm_bounds_every_plain_sgd_step()
    {
        var (train, _) = Digits.LoadSplit();
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.5)) { ClipGradientNorm = 0.01 };
        var batch = new DataLoader(train, 32, shuffle: false).Epoch().First();
        var before = model.Parameters().SelectMany(p => p.ToDoubleArray()).ToArray();
        trainer.Step(batch);
        var after = model.Parameters().SelectMany(p => p.ToDoubleArray()).ToArray();
        double step = Math.Sqrt(before.Zip(after, (a, b) => (a - b) * (a - b)).Sum());
        Assert.InRange(step, 1e-4, (0.5 * 0.01) + 1e-6);   // ‖ΔW‖ = η·‖clipped g‖ ≤ η·0.01
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ClipGradientNorm = 0);
    }

    [Fact]
    public void Fit_keeps_a_layer_the_user_froze_in_evaluation_mode_and_trains_the_rest()
    {
        // Fine-tuning with a frozen batch normalisation: its running statistics must not move, epoch after epoch.
        var (train, test) = Digits.LoadSplit();
        var (model, _) = Architecture.Build("fc32-bn-relu-fc10", [64], new Random(3));
        var norm = model.NamedModules().Select(m => m.Module).OfType<Nabla.NN.Layers.BatchNorm>().Single();
        norm.RunningMean.Fill(0.25f);
        norm.Eval();
        var firstWeight = model.Parameters().First().ToFloatArray();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9));
        trainer.Fit(train, test, new TrainingOptions(3, 64, Seed: 1));

        Assert.False(norm.IsTraining);
        Assert.True(model.IsTraining);
        Assert.All(norm.RunningMean.ToFloatArray(), m => Assert.Equal(0.25f, m));   // used, never updated
        Assert.All(norm.RunningVariance.ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.NotEqual(firstWeight, model.Parameters().First().ToFloatArray());   // the rest trained
    }

    [Fact]
    public void Fit_puts_a_model_left_in_evaluation_mode_as_a_whole_back_into_training_mode()
    {
        var (train, _) = Digits.LoadSplit();
        var (model, _) = Architecture.Build("fc32-bn-relu-fc10", [64], new Random(3));
        var norm = model.NamedModules().Select(m => m.Module).OfType<Nabla.NN.Layers.BatchNorm>().Single();
        model.Eval();   // as after inference
        new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05)).Fit(train, null, new TrainingOptions(1, 64, Seed: 1));
        Assert.True(norm.IsTraining);
        Assert.Contains(norm.RunningMean.ToFloatArray(), m => m != 0);   // batch statistics were collected
    }
}
