using System.Globalization;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>What a training run will hold in memory, estimated before anything large is allocated, so that a run that
/// cannot fit is refused at once with the figures instead of growing until the machine swaps or the process dies.</summary>
/// <param name="Parameters">The weights: P values.</param>
/// <param name="Gradients">One gradient per weight: P values.</param>
/// <param name="OptimizerState">The optimiser's buffers: P values per buffer (momentum 1, Adam's moments 2, …).</param>
/// <param name="Activations">What a step keeps for one batch: B × (the values every layer outputs for one example),
/// once for the forward pass and once more for their gradients in the backward pass.</param>
/// <param name="Workspace">Scratch space of the kernels and the loss: a fixed allowance for packing buffers, plus one
/// batch of the widest layer's output.</param>
/// <param name="Dataset">The dataset's tensors (features and labels), as the caller counts them.</param>
/// <remarks>All figures are in bytes. The estimate is meant to be within a small factor (about 2) of what a step really
/// allocates, which is enough to refuse runs that need several times the machine's memory; it is not an exact
/// account (the runtime, the loader's shuffled batches and the evaluation pass are left out).</remarks>
public sealed record MemoryEstimate(long Parameters, long Gradients, long OptimizerState, long Activations, long Workspace, long Dataset)
{
    /// <summary>The fixed part of <see cref="Workspace"/>: the GEMM kernels' packing buffers, the thread pool's and the
    /// training loop's small allocations.</summary>
    public const long FixedWorkspaceBytes = 16L << 20;

    /// <summary>The sum of all parts, in bytes.</summary>
    public long Total => Plus(Plus(Plus(Parameters, Gradients), Plus(OptimizerState, Activations)), Plus(Workspace, Dataset));

    /// <summary>The estimate from counts.</summary>
    /// <param name="parameterCount">P, the network's parameters (and buffers).</param>
    /// <param name="activationValuesPerExample">Σ over layers of the values each outputs for one example, the input included.</param>
    /// <param name="widestLayerValues">The most values one layer outputs for one example.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="optimizerBuffers">Buffers of P values the optimiser keeps (see <see cref="OptimizerBuffers"/>).</param>
    /// <param name="datasetBytes">The dataset's tensors, in bytes.</param>
    /// <param name="dtype">The dtype of weights and activations.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or the batch size is below 1.</exception>
    public static MemoryEstimate For(long parameterCount, long activationValuesPerExample, long widestLayerValues, int batchSize, int optimizerBuffers, long datasetBytes, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ArgumentOutOfRangeException.ThrowIfNegative(activationValuesPerExample);
        ArgumentOutOfRangeException.ThrowIfNegative(widestLayerValues);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(optimizerBuffers);
        ArgumentOutOfRangeException.ThrowIfNegative(datasetBytes);
        long size = dtype.ElementSize();

        // Saturating products: the point of an estimate is to refuse absurd requests, so it must not overflow on them.
        long weights = Times(parameterCount, size);
        return new MemoryEstimate(
            weights,
            weights,
            Times(weights, optimizerBuffers),
            Times(Times(Times(activationValuesPerExample, batchSize), size), 2),
            Plus(FixedWorkspaceBytes, Times(Times(widestLayerValues, batchSize), size)),
            datasetBytes);
    }

    /// <summary>The estimate for an <see cref="Mlp"/> of <paramref name="spec"/>, computed from the widths alone, before
    /// the network exists. Per example it counts the input, each hidden layer's linear output and activation, and the
    /// logits and their softmax.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static MemoryEstimate ForMlp(MlpSpec spec, int batchSize, int optimizerBuffers, long datasetBytes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        long perExample = spec.Inputs + (2L * spec.Hidden.Sum(h => (long)h)) + (2L * spec.Outputs);
        long widest = Math.Max(spec.Inputs, Math.Max(spec.Outputs, spec.Hidden.Count == 0 ? 0 : spec.Hidden.Max()));
        return For(spec.ParameterCount(), perExample, widest, batchSize, optimizerBuffers, datasetBytes, spec.DType);
    }

    /// <summary>The estimate for a built network that takes flat rows of <paramref name="inputValues"/> values: one
    /// example is run through it (no gradients, in evaluation mode, every module's mode restored after) to learn every
    /// layer's output size; its state (batch norm's running estimates, dropout's draws) is left as it was. Its weights exist already, so call
    /// this before the optimiser, the batches and the dataset are allocated.</summary>
    /// <exception cref="ArgumentException">The network does not take rows of <paramref name="inputValues"/> values.</exception>
    public static MemoryEstimate ForModel(Sequential model, int inputValues, int batchSize, int optimizerBuffers, long datasetBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputValues, 1);
        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        // In evaluation mode, so that the probe moves nothing: batch norm's running estimates and dropout's draws are
        // the run's state, and the run must be the same with or without the estimate.
        var modes = model.CaptureModes();
        ModelSummary summary;
        try
        {
            model.Eval();
            summary = ModelSummary.Of(model, new Shape(1, inputValues), dtype);
        }
        finally
        {
            Module.RestoreModes(modes);
        }

        long perExample = inputValues + summary.Layers.Sum(l => l.OutputShape.Count);
        long widest = Math.Max(inputValues, summary.Layers.Max(l => (long)l.OutputShape.Count));
        long state = model.NamedState().Sum(t => (long)t.Value.Count);
        return For(state, perExample, widest, batchSize, optimizerBuffers, datasetBytes, dtype);
    }

    /// <summary>The buffers of P values an optimiser keeps, by its name: SGD one for momentum (none without), Adam and
    /// AdamW two (first and second moments), RMSprop and Adagrad one.</summary>
    /// <exception cref="ArgumentException">The name is not one of sgd, adam, adamw, rmsprop, adagrad.</exception>
    public static int OptimizerBuffers(string optimizer, double momentum = 0) => optimizer?.ToLowerInvariant() switch
    {
        "sgd" => momentum > 0 ? 1 : 0,
        "adam" or "adamw" => 2,
        "rmsprop" or "adagrad" => 1,
        _ => throw new ArgumentException($"unknown optimizer '{optimizer}'", nameof(optimizer)),
    };

    /// <summary>Throws when the run needs more than <paramref name="available"/> holds, with one line that gives both.</summary>
    /// <param name="available">The memory this process can use (see <see cref="AvailableMemory.Query"/>).</param>
    /// <param name="what">What is being estimated, to start the message (e.g. "this run").</param>
    /// <exception cref="InvalidOperationException">The estimate exceeds the available memory.</exception>
    public void ThrowIfExceeds(AvailableMemory available, string what = "this run")
    {
        if (Total <= available.Bytes) return;
        throw new InvalidOperationException(
            $"{what} needs about {this}, but only {available} is available: use fewer or narrower layers, a smaller batch, or a machine with more memory");
    }

    /// <summary>The total and its parts, e.g. <c>≈ 25.3 GiB (parameters 7.9 GiB, gradients 7.9 GiB, …)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{AvailableMemory.Format(Total)} (parameters {AvailableMemory.Format(Parameters)}, gradients {AvailableMemory.Format(Gradients)}, optimiser state {AvailableMemory.Format(OptimizerState)}, activations {AvailableMemory.Format(Activations)}, workspace {AvailableMemory.Format(Workspace)}, dataset {AvailableMemory.Format(Dataset)})");

    private static long Times(long a, long b) => a == 0 || b <= long.MaxValue / a ? a * b : long.MaxValue;

    private static long Plus(long a, long b) => a <= long.MaxValue - b ? a + b : long.MaxValue;   // both ≥ 0
}
