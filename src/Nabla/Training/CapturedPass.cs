using Nabla.Engine;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>One captured forward and backward pass for one input shape: the recorded kernels, the input and label
/// buffers they read, the tensors they leave the results in, each parameter's gradient tensor (which its backward
/// kernels write), and each module's mode, checked before every replay.</summary>
internal sealed class CapturedPass
{
    private readonly Action[] _kernels;
    private readonly RecordedKernel[] _recorded;
    private GradientBuckets? _buckets;   // planned for the first data-parallel replay that overlaps its sum
    private readonly List<(Module Module, bool Training)> _modes;
    private readonly Tensor?[] _gradients;
    private string[]? _names;   // the kernels' names, made for the first profiled replay

    public CapturedPass(RecordedKernel[] kernels, Tensor input, int[] labels, Tensor logits, Tensor dataLoss, Tensor objective, Module model, IReadOnlyList<Tensor> parameters)
    {
        _kernels = [.. kernels.Select(k => k.Run)];
        _recorded = kernels;
        Input = input;
        Labels = labels;
        Logits = logits;
        DataLoss = dataLoss;
        Objective = objective;
        _modes = model.CaptureModes();
        _gradients = [.. parameters.Select(p => p.Grad)];
    }

    /// <summary>The pass's own intermediates (<see cref="BufferPlan.Intermediates"/>), set by the capture.</summary>
    public IReadOnlyList<Backends.BackendStorage> Intermediates { get; init; } = [];

    /// <summary>Fills every intermediate with NaN (the engine's poison): a replay that reads one before writing it
    /// then spreads NaN into its results.</summary>
    public void PoisonIntermediates()
    {
        foreach (var storage in Intermediates) storage.Poison();
    }

    /// <summary>The kernels a replay runs, in words, in order (a fused kernel names what it fused).</summary>
    public IEnumerable<string> KernelNames => _kernels.Select(KernelTape.Describe);

    /// <summary>The kernels with the buffers each reads and writes.</summary>
    public IReadOnlyList<RecordedKernel> Recorded => _recorded;

    /// <summary>This pass's gradients in the buckets a data-parallel replay sums them in, planned on first use.</summary>
    public GradientBuckets Buckets => _buckets ??= GradientBuckets.Plan(_recorded, [.. _gradients.Select(g => g!)]);

    /// <summary>Replays since this pass was captured or last checked against a fresh capture.</summary>
    public int ReplaysSinceCheck { get; set; }

    /// <summary>Where <paramref name="fresh"/>, a capture of the same shape made later, runs other kernels than this
    /// one, in words; null when both run the same ops in the same order.</summary>
    public string? Difference(CapturedPass fresh)
    {
        int common = Math.Min(_kernels.Length, fresh._kernels.Length);
        for (int i = 0; i < common; i++)
        {
            if (Backends.KernelName.MethodOf(_kernels[i]) != Backends.KernelName.MethodOf(fresh._kernels[i])
                || KernelTape.Describe(_kernels[i]) != KernelTape.Describe(fresh._kernels[i]))   // a fusion names its members
                return $"kernel {i + 1} of {_kernels.Length} was {KernelTape.Describe(_kernels[i])} and is now {KernelTape.Describe(fresh._kernels[i])}";
        }

        return _kernels.Length == fresh._kernels.Length ? null : $"the capture ran {_kernels.Length} kernels and the step now runs {fresh._kernels.Length}";
    }

    /// <summary>The captured input (B, …), which a replay points at its batch's elements.</summary>
    public Tensor Input { get; }

    /// <summary>The captured labels (B).</summary>
    public int[] Labels { get; }

    /// <summary>The logits (B, C) of the last run.</summary>
    public Tensor Logits { get; }

    /// <summary>The data loss of the last run (a scalar).</summary>
    public Tensor DataLoss { get; }

    /// <summary>The data loss plus the penalties of the last run (a scalar).</summary>
    public Tensor Objective { get; }

    /// <summary>Whether the model is still as captured: every module in the same mode, the same number of parameters.</summary>
    public bool Fits(IReadOnlyList<Tensor> parameters) => Module.ModesUnchanged(_modes) && parameters.Count == _gradients.Length;

    /// <summary>Points the parameters at this capture's gradient tensors and the captured input at the batch, copies
    /// the labels, and runs the recorded kernels, timing each into <paramref name="profile"/> when one is given.</summary>
    /// <remarks>Each gradient is written whole by the replay: a layer's backward kernel writes a parameter's gradient
    /// directly where the capture let the parameter adopt it, and where several contributions are summed the
    /// capture recorded the zeroing first. So nothing needs zeroing between steps, and each shape's capture has its
    /// gradient tensors of its own. With <paramref name="overlap"/>, each bucket of gradients is handed to the sum
    /// across the ranks right after the kernel that finishes it (<see cref="GradientBuckets"/>).</remarks>
    public void Replay(IReadOnlyList<Tensor> parameters, Tensor features, int[] labels, StepProfile? profile, GradientAllReduce? overlap = null)
    {
        for (int i = 0; i < _gradients.Length; i++) parameters[i].UseGradient(_gradients[i]);
        Input.ShareElementsOf(features);   // the kernels read the batch where it lies, as an eager step does
        labels.CopyTo(Labels, 0);
        if (profile is not null)
        {
            profile.Run(_kernels, _names ??= [.. KernelNames]);
            return;
        }

        if (overlap is null)
        {
            foreach (var kernel in _kernels) kernel();
            return;
        }

        var buckets = Buckets.Buckets;
        int next = 0;
        while (next < buckets.Count && buckets[next].AfterKernel < 0) overlap.Launch(buckets[next++].Gradients);
        for (int k = 0; k < _kernels.Length; k++)
        {
            _kernels[k]();
            while (next < buckets.Count && buckets[next].AfterKernel == k) overlap.Launch(buckets[next++].Gradients);
        }
    }
}
