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
    public static EvaluationResult Evaluate(Module model, Dataset data, Loss? loss = null, int batchSize = 1024)
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
            var forward = InferenceStep.Capture(model);   // this call's own: concurrent evaluations replay their own buffers
            foreach (var batch in new DataLoader(data, batchSize, shuffle: false).Epoch())
            {
                var logits = forward.Run(batch.Features);   // (B, C)
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

    /// <summary>The model's class probabilities softmax(f(x)) for every row of <paramref name="features"/> (N, D): an
    /// (N, C) float64 array whose rows sum to 1. Runs in evaluation mode without recording gradients, in batches of
    /// <paramref name="batchSize"/>; modes are handled as by <see cref="Evaluate"/>, and so is use from several threads.</summary>
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
                var probabilities = forward.Run(features.Slice(0, start, count)).Softmax(-1);   // (B, C)
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
