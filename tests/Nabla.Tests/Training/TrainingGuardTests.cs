using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Training and evaluation refuse wrong data at the call, before a weight or a running statistic moves,
/// whether the step is captured and replayed or runs eagerly; and a model's mode is handled as documented.</summary>
public sealed class TrainingGuardTests
{
    private static Dataset Toy(int rows = 40, int features = 64, int classes = 10, string name = "toy", int seed = 0)
    {
        var random = new Random(seed);
        var x = Tensor.Uniform([rows, features], 0, 1, random);
        return new Dataset(x, [.. Enumerable.Range(0, rows).Select(i => i % classes)], classes, name: name);
    }

    private static Trainer MlpTrainer(bool captured = true)
    {
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        return new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, 0.9)) { CaptureSteps = captured };
    }

    private static double[] Weights(Module model) => [.. model.Parameters().SelectMany(p => p.ToDoubleArray())];

    private static Batch RandomBatch(int rows, params int[] example)
    {
        var random = new Random(1);
        return new Batch(Tensor.Uniform([rows, .. example], 0, 1, random), [.. Enumerable.Range(0, rows).Select(i => i % 10)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_step_refuses_a_batch_of_the_wrong_width_before_any_weight_moves(bool captured)
    {
        var trainer = MlpTrainer(captured);
        var before = Weights(trainer.Model);
        Guard.Throws<ArgumentException>(() => trainer.Step(RandomBatch(16, 63)), "(B, 64)", "(16, 63)");
        Assert.Equal(before, Weights(trainer.Model));
        Assert.Equal(0, trainer.Optimizer.StepCount);

        // Also once a capture exists for this batch shape.
        trainer.Step(RandomBatch(16, 64));
        before = Weights(trainer.Model);
        Guard.Throws<ArgumentException>(() => trainer.Step(RandomBatch(16, 63)), "(B, 64)", "(16, 63)");
        Guard.Throws<ArgumentException>(() => trainer.Step(RandomBatch(16, 8, 8)), "(B, 64)", "(16, 8, 8)");
        Assert.Equal(before, Weights(trainer.Model));
        Assert.Equal(captured ? 1 : 0, trainer.CapturedStep.CapturesMade);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_convolutional_step_refuses_images_of_the_wrong_size(bool captured)
    {
        var (model, _) = Architecture.Build("conv8k3p1-relu-pool2-flatten-fc10", [1, 8, 8], new Random(0));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters())) { CaptureSteps = captured };
        trainer.Step(RandomBatch(16, 64));
        Assert.Equal(captured ? 1 : 0, trainer.CapturedStep.CapturesMade);
        var before = Weights(model);
        Guard.Throws<ArgumentException>(() => trainer.Step(RandomBatch(16, 63)), "Unflatten(1, 8, 8)", "(16, 63)");
        var (images, _) = Architecture.Build("conv8k3p1-relu-pool2-flatten-fc10", [1, 8, 8], new Random(0), flatInput: false);
        var imageTrainer = new Trainer(images, new CrossEntropyLoss(), new Adam(images.Parameters())) { CaptureSteps = captured };
        Guard.Throws<ArgumentException>(() => imageTrainer.Step(RandomBatch(16, 3, 8, 8)), "Conv2d(1 → 8", "(16, 3, 8, 8)");
        Guard.Throws<ArgumentException>(() => imageTrainer.Step(RandomBatch(16, 1, 6, 6)), "Linear(128 → 10)", "(16, 72)");
        Assert.Equal(before, Weights(model));
    }

    [Theory]
    [InlineData(true, 10)]
    [InlineData(true, -1)]
    [InlineData(false, 10)]
    [InlineData(false, -1)]
    public void A_step_refuses_labels_out_of_range_before_any_weight_moves(bool captured, int label)
    {
        var trainer = MlpTrainer(captured);
        var batch = RandomBatch(16, 64);
        batch.Labels[3] = label;
        var before = Weights(trainer.Model);
        Guard.Throws<ArgumentOutOfRangeException>(() => trainer.Step(batch), $"label {label} at row 3", "[0, 10)");
        Assert.Equal(before, Weights(trainer.Model));
    }

    [Fact]
    public void A_replayed_step_refuses_bad_labels_before_batch_norm_statistics_move()
    {
        var (model, _) = Architecture.Build("fc16-bn-relu-fc10", [64], new Random(0));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        trainer.Step(RandomBatch(16, 64));
        Assert.Equal(1, trainer.CapturedStep.CapturesMade);
        var norm = (BatchNorm)model.Modules[1];
        var (mean, variance) = (norm.RunningMean.ToDoubleArray(), norm.RunningVariance.ToDoubleArray());
        var batch = RandomBatch(16, 64);
        batch.Labels[0] = 10;
        Guard.Throws<ArgumentOutOfRangeException>(() => trainer.Step(batch), "label 10 at row 0");
        Assert.Equal(mean, norm.RunningMean.ToDoubleArray());
        Assert.Equal(variance, norm.RunningVariance.ToDoubleArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_step_refuses_a_label_count_other_than_the_batch_size(bool captured)
    {
        var trainer = MlpTrainer(captured);
        var batch = RandomBatch(16, 64) with { Labels = new int[15] };
        Guard.Throws<ArgumentException>(() => trainer.Step(batch), "15 labels", "(16, 64)");
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Batch_norm_training_refuses_a_batch_of_one(bool captured)
    {
        var (model, _) = Architecture.Build("fc16-bn-relu-fc10", [64], new Random(0));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1)) { CaptureSteps = captured };
        var norm = (BatchNorm)model.Modules[1];
        var variance = norm.RunningVariance.ToDoubleArray();
        Guard.Throws<ArgumentException>(() => trainer.Step(RandomBatch(1, 64)), "more than one value per channel", "(1, 16)");
        Assert.Equal(variance, norm.RunningVariance.ToDoubleArray());
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void A_step_on_a_model_left_in_evaluation_mode_trains_it_in_training_mode()
    {
        var trainer = MlpTrainer();
        trainer.Model.Eval();
        trainer.Step(RandomBatch(16, 64));
        Assert.True(trainer.Model.IsTraining);
        Assert.Equal(1, trainer.CapturedStep.CapturesMade);
    }

    [Fact]
    public void A_layer_put_in_evaluation_mode_on_its_own_stays_frozen_through_captured_steps()
    {
        var (model, _) = Architecture.Build("fc16-bn-relu-fc10", [64], new Random(0));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        trainer.Step(RandomBatch(16, 64));   // the capture, with the layer in training mode
        var norm = (BatchNorm)model.Modules[1];
        norm.Eval();
        var mean = norm.RunningMean.ToDoubleArray();
        trainer.Step(RandomBatch(16, 64));
        Assert.Equal(mean, norm.RunningMean.ToDoubleArray());
        Assert.False(norm.IsTraining);
        Assert.Equal(2, trainer.CapturedStep.CapturesMade);   // the mode changed: captured again, not replayed
    }

    [Fact]
    public void A_trainer_refuses_an_optimiser_made_for_another_model()
    {
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        var other = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        Guard.Throws<ArgumentException>(() => new Trainer(model, new CrossEntropyLoss(), new Sgd(other.Parameters(), 0.1)), "optimiser", "model");
    }

    [Fact]
    public void Fit_refuses_empty_datasets_before_training()
    {
        var trainer = MlpTrainer();
        var empty = new Dataset(Tensor.Zeros([0, 64]), [], 10, name: "nothing");
        Guard.Throws<ArgumentException>(() => trainer.Fit(empty, null, new TrainingOptions(1)), "nothing", "empty");
        Guard.Throws<ArgumentException>(() => trainer.Fit(Toy(), empty, new TrainingOptions(1)), "nothing", "empty");
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void Fit_refuses_a_validation_set_that_does_not_match_the_training_set_before_training()
    {
        var trainer = MlpTrainer();
        Guard.Throws<ArgumentException>(() => trainer.Fit(Toy(), Toy(features: 63, name: "other"), new TrainingOptions(1)), "other", "63", "64");
        Guard.Throws<ArgumentException>(() => trainer.Fit(Toy(), Toy(classes: 5, name: "other"), new TrainingOptions(1)), "other", "5", "10");
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void Fit_refuses_features_that_became_non_finite_naming_the_dataset_and_the_first_bad_row()
    {
        var trainer = MlpTrainer();
        var train = Toy();
        train.Features.AsSpan<float>()[(7 * 64) + 5] = float.NaN;
        train.Features.AsSpan<float>()[(9 * 64) + 1] = float.PositiveInfinity;
        Guard.Throws<ArgumentException>(() => trainer.Fit(train, null, new TrainingOptions(1)), "toy", "example 7", "feature 5", "NaN");
        var validation = Toy(name: "held-out");
        validation.Features.AsSpan<float>()[(3 * 64) + 2] = float.NegativeInfinity;
        Guard.Throws<ArgumentException>(() => trainer.Fit(Toy(), validation, new TrainingOptions(1)), "held-out", "example 3", "feature 2");
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void Fit_refuses_epochs_and_batch_sizes_below_one()
    {
        var trainer = MlpTrainer();
        Guard.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Toy(), null, new TrainingOptions(Epochs: 0)), "epochs", "0");
        Guard.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Toy(), null, new TrainingOptions(BatchSize: 0)), "batch size", "0");
        Guard.Throws<ArgumentNullException>(() => trainer.Fit(null!, null, new TrainingOptions()));
        Guard.Throws<ArgumentNullException>(() => trainer.Fit(Toy(), null, null!));
    }

    [Fact]
    public void Evaluation_refuses_wrong_data_and_leaves_the_models_mode_as_it_was()
    {
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        Guard.Throws<ArgumentException>(() => Evaluator.Evaluate(model, Toy(features: 63)), "(B, 64)", "(40, 63)");
        Assert.True(model.IsTraining);
        model.Eval();
        Guard.Throws<ArgumentException>(() => Evaluator.Probabilities(model, Tensor.Zeros([5, 63])), "(B, 64)", "(5, 63)");
        Assert.False(model.IsTraining);
        Guard.Throws<ArgumentException>(() => Evaluator.Evaluate(model, Toy(classes: 12)), "12 classes", "(40, 10)");
        Guard.Throws<ArgumentException>(() => Evaluator.Evaluate(model, new Dataset(Tensor.Zeros([0, 64]), [], 10, name: "nothing")), "nothing", "empty");
        Guard.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, Toy(), batchSize: 0), "batch size", "0");
        Guard.Throws<ArgumentOutOfRangeException>(() => Evaluator.Probabilities(model, Tensor.Zeros([5, 64]), batchSize: 0));
        var bad = Toy(name: "test");
        bad.Features.AsSpan<float>()[(4 * 64) + 0] = float.NaN;
        Guard.Throws<ArgumentException>(() => Evaluator.Evaluate(model, bad), "test", "example 4", "feature 0");
    }

    [Fact]
    public void Evaluation_gives_the_same_answers_whichever_mode_the_model_is_in()
    {
        var (model, _) = Architecture.Build("fc16-bn-relu-dropout0.5-fc10", [64], new Random(0));
        new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1)).Fit(Toy(), null, new TrainingOptions(2, 8));
        var data = Toy(seed: 3);
        model.Train();
        var fromTraining = Evaluator.Evaluate(model, data);
        var probabilitiesFromTraining = Evaluator.Probabilities(model, data.Features);
        Assert.True(model.IsTraining);
        Assert.All(model.NamedChildren(), c => Assert.True(c.Value.IsTraining));
        model.Eval();
        var fromEvaluation = Evaluator.Evaluate(model, data);
        Assert.False(model.IsTraining);
        Assert.Equal(fromTraining.Loss, fromEvaluation.Loss);
        Assert.Equal(fromTraining.Accuracy, fromEvaluation.Accuracy);
        Assert.Equal(probabilitiesFromTraining, Evaluator.Probabilities(model, data.Features));
    }
}
