using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Plans;
using Nabla.Training.Callbacks;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Empirical risk minimisation by mini-batch SGD: each step minimises
/// (1/B) Σᵢ L(f(x⁽ⁱ⁾; W), y⁽ⁱ⁾) + λΩ(W) over one batch with the optimiser's update rule.</summary>
public sealed class Trainer
{
    /// <summary>A trainer of <paramref name="model"/> (which outputs logits) with a loss, an optimiser over the model's
    /// parameters, and optional regularisers.</summary>
    /// <exception cref="ArgumentException">The optimiser holds none of the model's parameters (it was made for another model).</exception>
    public Trainer(Module model, Loss loss, Optimizer optimizer, IReadOnlyList<Regularizer>? regularizers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        var own = model.Parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        if (!optimizer.Parameters.Any(own.Contains))
            throw new ArgumentException($"the optimiser holds none of the model's {own.Count} parameters: was it made for another model?", nameof(optimizer));
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Regularizers = regularizers ?? [];
        _regularizersPlannable = Regularizers.All(r => r.SupportsPlans);
    }

    /// <summary>The network.</summary>
    public Module Model { get; }

    /// <summary>L.</summary>
    public Loss Loss { get; }

    /// <summary>The update rule.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The λΩ terms.</summary>
    public IReadOnlyList<Regularizer> Regularizers { get; }

    /// <summary>Whether steps may run on a training plan (default true): for a network that is a sequence of linear
    /// layers and activations, trained with cross-entropy and L2 or L1 penalties (or none), the step is planned once per batch size
    /// and then runs on preallocated buffers with fused kernels, allocating nothing. The gradients and updates are
    /// the same as autograd's; set false to force autograd (to compare, or to debug).</summary>
    public bool UseTrainingPlans { get; set; } = true;

    private readonly Dictionary<int, TrainingPlan?> _plans = [];

    // The regularisers are fixed at construction: whether plans can take them is decided once, not on every step.
    private readonly bool _regularizersPlannable;

    /// <summary>When set, the gradients' joint L2 norm is clipped to this before every update
    /// (<see cref="GradientClipping.ClipByNorm"/>); null (the default) leaves them as they are.</summary>
    public double? ClipGradientNorm
    {
        get;
        set
        {
            if (value is { } v && (!(v > 0) || !double.IsFinite(v))) throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), $"the clipping norm must be finite and > 0, not {v}");
            field = value;
        }
    }

    /// <summary>How many steps ran on a training plan rather than autograd (for tests).</summary>
    internal long PlannedSteps { get; private set; }

    /// <summary>One step on one batch: forward, loss, backward, update. Returns the data loss and the number correct.</summary>
    /// <remarks>A step trains: a model left in evaluation mode (by <c>Eval()</c>, for inference) is put back in training
    /// mode first, as <see cref="Fit"/> does every epoch. A submodule put in evaluation mode on its own while the model
    /// is in training mode (a frozen batch normalisation) stays so.</remarks>
    /// <exception cref="ArgumentException">The batch does not fit the model or the loss (a label count other than the
    /// batch size, a wrong feature shape, a label outside the classes); thrown before any parameter moves.</exception>
    /// <exception cref="InvalidOperationException">The loss is NaN or infinite; the parameters are left as they were before the step.</exception>
    public (double Loss, int Correct) Step(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Batch.Check(batch.Features, batch.Labels);   // a `with` expression can pair features and labels that do not match
        if (!Model.IsTraining) Model.Train();
        var plan = PlanFor(batch.Features);
        if (plan is not null)
        {
            var (loss, correct) = plan.ForwardBackward(batch.Features, batch.Labels, Loss);
            if (!double.IsFinite(loss)) throw Diverged(loss);
            double penalty = 0;
            for (int i = 0; i < Regularizers.Count; i++) penalty += Regularizers[i].AddPenaltyGradient(Model);
            if (!double.IsFinite(loss + penalty)) throw Diverged(loss);
            Update();
            PlannedSteps++;
            return (loss, correct);
        }

        Optimizer.ZeroGrad();
        var logits = Model.Forward(batch.Features);             // (B, C)
        var dataLoss = Loss.Compute(logits, batch.Labels);
        var objective = dataLoss;
        foreach (var r in Regularizers) objective += r.Penalty(Model);
        double lossValue = dataLoss.Item();
        if (!double.IsFinite(objective.Item())) throw Diverged(lossValue);
        objective.Backward();
        Update();
        return (lossValue, CountCorrect(logits, batch.Labels));
    }

    /// <summary>Trains for <see cref="TrainingOptions.Epochs"/> epochs, evaluating on <paramref name="validation"/> after
    /// each, and calls <paramref name="onEpoch"/> with every epoch's result, then each of <paramref name="callbacks"/>
    /// (which may stop training early).</summary>
    /// <exception cref="ArgumentException">Before any training: a dataset is empty or has a non-finite feature (the
    /// message names the dataset, example and feature), or the validation set's features or classes differ from the
    /// training set's.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingOptions options, Action<EpochResult>? onEpoch = null, IReadOnlyList<ITrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        train.ThrowIfEmpty("train on");
        train.ThrowIfNotFinite();
        if (validation is not null)
        {
            validation.ThrowIfEmpty("validate on");
            train.ThrowIfUnlike(validation);
            validation.ThrowIfNotFinite();
        }

        var loader = new DataLoader(train, options.BatchSize, options.Shuffle, options.Seed, reuseBatches: true);
        var results = new List<EpochResult>();
        double initialRate = Optimizer.LearningRate;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            Model.Train();
            Optimizer.LearningRate = (options.Schedule ?? LearningRateSchedule.Constant).Rate(epoch - 1, options.Epochs, initialRate, Optimizer.LearningRate, results);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int correct = 0, seen = 0, batchNumber = 0;
            foreach (var batch in loader.Epoch())
            {
                var (loss, batchCorrect) = Step(batch);
                lossSum += loss * batch.Count;
                correct += batchCorrect;
                seen += batch.Count;
                batchNumber++;
                if (callbacks is { Count: > 0 })
                {
                    var progress = new BatchProgress(epoch, options.Epochs, batchNumber, loader.BatchesPerEpoch, seen, train.Count, lossSum / seen, (double)correct / seen, clock.Elapsed.TotalSeconds);
                    foreach (var callback in callbacks) callback.OnBatchEnd(this, progress);
                }
            }

            double seconds = clock.Elapsed.TotalSeconds;
            EvaluationResult? eval = validation is null ? null : Evaluator.Evaluate(Model, validation, Loss);
            var result = new EpochResult(epoch, lossSum / train.Count, (double)correct / train.Count, eval?.Loss, eval?.Accuracy, seconds);
            results.Add(result);
            onEpoch?.Invoke(result);
            bool stop = false;
            foreach (var callback in callbacks ?? []) stop |= callback.OnEpochEnd(this, result, results);
            if (stop) break;
        }

        foreach (var callback in callbacks ?? []) callback.OnTrainingEnd(this, results);
        return new TrainingHistory(results);
    }

    private void Update()
    {
        if (ClipGradientNorm is { } maxNorm) GradientClipping.ClipByNorm(Optimizer.Parameters, maxNorm);
        Optimizer.Step();
    }

    private InvalidOperationException Diverged(double loss) =>
        new($"training diverged: the loss became {loss} at step {Optimizer.StepCount + 1} (try a smaller learning rate)");

    /// <summary>The plan for batches like <paramref name="features"/>, made on first use; null where none applies.</summary>
    private TrainingPlan? PlanFor(Tensor features)
    {
        // Plans run layers in training mode (batch statistics, dropout): a model in evaluation mode takes autograd.
        if (!UseTrainingPlans || !Model.IsTraining || features.Rank < 2 || !_regularizersPlannable) return null;
        int batchSize = features.Shape[0];
        if (!_plans.TryGetValue(batchSize, out var plan))
        {
            plan = TrainingPlan.TryCreate(Model, Loss, features);
            _plans[batchSize] = plan;
        }

        return plan is not null && plan.Fits(features) ? plan : null;
    }

    internal static int CountCorrect(Tensor logits, int[] labels)
    {
        var predicted = logits.ArgMax(-1);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predicted[i] == labels[i]) correct++;
        }

        return correct;
    }
}
