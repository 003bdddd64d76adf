using Nabla.Autograd;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Measures a model on a dataset without recording gradients. Each call captures the model's forward pass on
/// its first batch of each shape and replays it on the others (<see cref="InferenceStep"/>).</summary>
public static class Evaluator
{
    /// <summary>Accuracy, mean loss (cross-entropy when <paramref name="loss"/> is null) and the confusion matrix.
    /// Runs in evaluation mode whatever the model's mode: a model with a layer in training mode is put in evaluation
    /// mode and every layer's mode restored afterwards; a model already in evaluation mode throughout is not touched.</summary>
    /// <remarks>Several threads may evaluate (or call <see cref="Probabilities"/> or <c>Forward</c> under
    /// <c>GradMode.NoGrad()</c>) on one model at once, and get the answers they would get one after another,
    /// provided the model is put in evaluation mode first (<c>model.Eval()</c>) and nothing trains it meanwhile:
    /// switching modes from several threads would race.</remarks>
    /// <exception cref="ArgumentException">The dataset is empty, has a non-finite feature, or does not fit the model
    /// (the refusing layer names the shapes).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static EvaluationResult Evaluate(Module model, Dataset data, Loss? loss = null, int? batchSize = null) =>
        Evaluate(model, data, loss, batchSize, forward: null);

    /// <summary>As the public <see cref="Evaluate(Module, Dataset, Loss?, int?)"/>, replaying
    /// <paramref name="forward"/>'s captures when given (a trainer evaluates every epoch on the same buffers), else a
    /// capture of this call's own (concurrent evaluations replay their own buffers).</summary>
    internal static EvaluationResult Evaluate(Module model, Dataset data, Loss? loss, int? batchSize, InferenceStep? forward)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be at least 1, not {batchSize}");
        if (data.Count == 0) throw new ArgumentException($"{data.Name}: cannot evaluate on an empty dataset");
        data.ThrowIfNotFinite();
        loss ??= new CrossEntropyLoss();
        var modes = InEvaluationMode(model);
        try
        {
            using var _ = GradMode.NoGrad();
            var confusion = new int[data.Classes, data.Classes];
            double lossSum = 0;
            int correct = 0;
            forward ??= InferenceStep.Capture(model);
            foreach (var batch in new DataLoader(data, batchSize ?? DefaultBatch(model, data), shuffle: false).Epoch())
            {
                var logits = forward.Run(batch.Features).To(Device.Cpu);   // (B, C); a GPU's read back to score on the host
                if (logits.Rank != 2 || logits.Shape[1] != data.Classes)
                    throw new ArgumentException($"the model outputs shape {logits.Shape}, but {data.Name} has {data.Classes} classes");
                lossSum += loss.Compute(logits, batch.Labels).Item() * batch.Count;
                var predicted = logits.ArgMax(-1);
                for (int i = 0; i < batch.Count; i++)
                {
                    confusion[batch.Labels[i], predicted[i]]++;
                    if (predicted[i] == batch.Labels[i]) correct++;
                }
            }

            return new EvaluationResult((double)correct / data.Count, lossSum / data.Count, confusion, data.ClassNames);
        }
        finally
        {
            if (modes is not null) Module.RestoreModes(modes);
        }
    }

    /// <summary>Activations an evaluation batch may hold when no batch size is given: 64 MiB.</summary>
    private const long ActivationBudgetBytes = 64L << 20;

    /// <summary>The evaluation batch when none is given: as many examples as keep the layers' outputs within
    /// <see cref="ActivationBudgetBytes"/>, between 16 and 1,024. One example's outputs are counted by a traced forward
    /// pass (<see cref="ModelSummary"/>). An MLP gets 1,024; the README's batch-norm CNN makes about 0.8 MB of
    /// activations per 28×28 image, where 1,024 images would hold the better part of a gigabyte per evaluation.</summary>
    internal static int DefaultBatch(Module model, Dataset data)
    {
        ModelSummary summary;
        try
        {
            summary = ModelSummary.Of(model, new Shape(1, data.FeatureCount), data.Features.DType);
        }
        catch (ArgumentException)
        {
            return 1024;   // the data does not fit the model: the evaluation itself refuses it, naming the batch's shape
        }

        long values = data.FeatureCount + summary.Layers.Where(l => l.Used).Sum(l => (long)l.OutputShape.Count);
        long bytes = Math.Max(1, values * (data.Features.DType == DType.Float64 ? 8 : 4));
        return (int)Math.Clamp(ActivationBudgetBytes / bytes, 16, 1024);
    }

    /// <summary>The model's class probabilities softmax(f(x)) for every row of <paramref name="features"/> (N, D): an
    /// (N, C) float64 array whose rows sum to 1. Runs in evaluation mode without recording gradients, in batches of
    /// <paramref name="batchSize"/>; modes are handled as by <see cref="Evaluate(Module, Dataset, Loss?, int?)"/>, and so is use from several threads.</summary>
    public static double[,] Probabilities(Module model, Tensor features, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (features.Rank < 2) throw new ArgumentException($"features must be (N, ...), not shape {features.Shape}", nameof(features));
        var modes = InEvaluationMode(model);
        try
        {
            using var _ = GradMode.NoGrad();
            int n = features.Shape[0];
            double[,]? result = null;
            var forward = InferenceStep.Capture(model);   // this call's own: concurrent calls replay their own buffers
            for (int start = 0; start < n; start += batchSize)
            {
                int count = Math.Min(batchSize, n - start);
                var probabilities = forward.Run(features.Slice(0, start, count)).To(Device.Cpu).Softmax(-1);   // (B, C), on the host
                if (probabilities.Rank != 2) throw new ArgumentException($"the model outputs shape {probabilities.Shape}, not (N, C)");
                int classes = probabilities.Shape[1];
                result ??= new double[n, classes];
                var values = probabilities.ToDoubleArray();
                for (int i = 0; i < count; i++)
                {
                    for (int j = 0; j < classes; j++) result[start + i, j] = values[i * classes + j];
                }
            }

            return result ?? new double[0, 0];
        }
        finally
        {
            if (modes is not null) Module.RestoreModes(modes);
        }
    }

    /// <summary>Puts the model in evaluation mode, returning the modes to restore; null (and nothing written) when it
    /// is in evaluation mode throughout already, so that concurrent evaluations of an evaluating model only read.</summary>
    private static List<(Module Module, bool Training)>? InEvaluationMode(Module model)
    {
        if (model.IsEvaluatingThroughout()) return null;
        var modes = model.CaptureModes();
        model.Eval();
        return modes;
    }
}
