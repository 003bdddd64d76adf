using System.Globalization;
using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>Inverted dropout: in training each value is kept with probability 1 − p and scaled by 1/(1 − p), or set to
/// 0; in evaluation mode the layer is the identity. The scaling keeps the expected value unchanged, so nothing needs
/// rescaling at test time. No parameters.</summary>
/// <remarks>The masks come from a counter-based generator keyed by the seed: value n of the layer's mask stream is a
/// hash of (seed, n), so a run is repeatable and resumable (a checkpoint keeps <see cref="Draws"/>, its registered counter). The gradient flows
/// through the kept values only, scaled alike: y = x ⊙ mask is one multiplication, with mask ∈ {0, 1/(1 − p)}.</remarks>
public sealed class Dropout : Module
{
    /// <summary>The architecture word <c>dropout&lt;p&gt;</c>, e.g. <c>dropout0.25</c>; its masks are seeded from the
    /// network's generator.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("dropout<p>", @"^dropout(?<p>[0-9.]+)$", (match, layer) =>
    {
        if (!double.TryParse(match.Groups["p"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p >= 0 && p < 1))
            throw layer.Error("the dropout probability must be in [0, 1)");
        return new LayerPlan((random, _, _) => new Dropout(p, random.Next()), layer.Shape, 0);
    });

    private readonly ulong _key;
    private readonly ModuleCounter _draws;

    /// <summary>A layer dropping each value with probability <paramref name="p"/> ∈ [0, 1), masks seeded by <paramref name="seed"/>.</summary>
    public Dropout(double p = 0.5, int seed = 0)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), string.Create(CultureInfo.InvariantCulture, $"the dropout probability must be in [0, 1), not {p}"));
        Probability = p;
        _key = Kernels.CounterRandom.Key(seed);
        _draws = RegisterCounter("draws");
    }

    /// <summary>p.</summary>
    public double Probability { get; }

    /// <summary>How many mask values the layer has drawn: the state of its generator, a registered counter
    /// (<c>draws</c>) that checkpoints save.</summary>
    internal long Draws
    {
        get => _draws.Value;
        set => _draws.Value = value;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || Probability == 0) return input;
        var mask = Tensor.Uninitialized(input.Shape, input.DType);
        // The next mask from the layer's generator: 1/(1 − p) with probability 1 − p, else 0. The draw count is read
        // and advanced by a kernel of its own, so that a captured step draws a fresh mask each replay; the mask itself
        // is elementwise, so the fusion pass draws it block by block inside the product that consumes it.
        var ops = Backends.Backend.Current.Ops;
        var draws = new DrawRange();
        int rows = input.Rank > 0 ? input.Shape[0] : 1;
        Engine.Kernel.Launch([], [], () =>
        {
            // In a data-parallel step this rank holds some rows of the global batch: it draws the counters a single
            // process would use for those rows, and the stream moves past the whole batch (BatchShard).
            if (Training.BatchShard.Current is { } shard && rows > 0)
            {
                long perRow = mask.Count / rows;
                draws.First = (ulong)(Draws + (perRow * shard.FirstRow));
                Draws += perRow * shard.GlobalRows;
                return;
            }

            draws.First = (ulong)Draws;
            Draws += mask.Count;
        });
        double keep = 1 - Probability;
        Engine.Kernel.LaunchElementwise([], [mask], typeof(Kernels.DropoutMaskKernel), mask.Count, (start, count) => ops.DropoutMask(mask.Storage, _key, draws.First, keep, start, count));
        return input * mask;
    }

    /// <summary>The counter of one mask's first value, set when the step runs and read by the mask's ranges.</summary>
    private sealed class DrawRange
    {
        public ulong First;
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Dropout({Probability})");

    /// <summary>ONNX: nothing, the identity of evaluation mode.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => x;
}
