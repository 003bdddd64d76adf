using System.Globalization;
using Nabla.Autograd.Functions;
using Nabla.Autograd;
using Nabla.Engine;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>Batch normalisation (Ioffe and Szegedy, 2015) over channel 1 of (N, C) features or (N, C, H, W) images:
/// y = γ·(x − μ)/√(σ² + ε) + β per channel.</summary>
/// <remarks>
/// In training mode μ and σ² are the batch's (see <c>BatchNormFunction</c>), and running estimates are updated:
/// μ_run ← (1 − m)·μ_run + m·μ, σ²_run ← (1 − m)·σ²_run + m·σ²·M/(M − 1) (unbiased), m = 0.1. In evaluation mode the
/// running estimates are used, so a single example gives the same output whatever batch it comes in. Parameters
/// weight γ (ones) and bias β (zeros); buffers running_mean and running_var, named as in PyTorch. PyTorch also keeps
/// <c>num_batches_tracked</c> (an int64 scalar, used only when its momentum is None): loading accepts and ignores it,
/// and Nabla does not write it (PyTorch's <c>load_state_dict(strict=True)</c> of a plain dict without it fills it in
/// with 0; checked with torch 1.13).
/// </remarks>
public class BatchNorm : Module
{
    /// <summary>The architecture word <c>bn</c>: batch normalisation, 2-d on images and 1-d on features, holding a
    /// weight, a bias, a running mean and a running variance per channel.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("bn", "^bn$", (_, layer) =>
    {
        int channels = layer.Shape[0];
        return new LayerPlan(
            layer.Shape.Length == 3 ? (_, dtype, _) => new BatchNorm2d(channels, dtype: dtype) : (_, dtype, _) => new BatchNorm1d(channels, dtype: dtype),
            layer.Shape,
            4L * channels);
    });

    /// <summary>A layer over <paramref name="channels"/> channels, for inputs of rank <paramref name="rank"/> (2 or 4).</summary>
    protected BatchNorm(int channels, int rank, double epsilon, double momentum, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be > 0, not {epsilon}"));
        if (!(momentum > 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), string.Create(CultureInfo.InvariantCulture, $"momentum must be in (0, 1], not {momentum}"));
        (Channels, Rank, Epsilon, Momentum) = (channels, rank, epsilon, momentum);
        Weight = RegisterParameter("weight", Tensor.Ones([channels], dtype));
        Bias = RegisterParameter("bias", Tensor.Zeros([channels], dtype));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([channels], dtype));
        RunningVariance = RegisterBuffer("running_var", Tensor.Ones([channels], dtype));
    }

    /// <summary>γ back to ones, β to zeros and the running statistics to their start (mean 0, variance 1): nothing is
    /// drawn.</summary>
    protected override void ResetOwnParameters(Random random)
    {
        Weight.Fill(1);
        Bias.Fill(0);
        RunningMean.Fill(0);
        RunningVariance.Fill(1);
    }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>The input rank: 2 for BatchNorm1d, 4 for BatchNorm2d.</summary>
    public int Rank { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>m, the weight of each batch in the running estimates.</summary>
    public double Momentum { get; }

    /// <summary>γ (C).</summary>
    public Tensor Weight { get; }

    /// <summary>β (C).</summary>
    public Tensor Bias { get; }

    /// <summary>The running mean (C).</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running variance (C).</summary>
    public Tensor RunningVariance { get; }

    /// <inheritdoc/>
    protected override IEnumerable<string> IgnoredStateNames => ["num_batches_tracked"];

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape, input.DType, IsTraining);
        if (!IsTraining)
        {
            // y = γ·(x − μ_run)/√(σ²_run + ε) + β, broadcast over the channel axis.
            var shape = Rank == 2 ? new Shape(1, Channels) : new Shape(1, Channels, 1, 1);
            var scale = Weight.Reshape(shape) / (RunningVariance.Reshape(shape) + Epsilon).Sqrt();
            return ((input - RunningMean.Reshape(shape)) * scale) + Bias.Reshape(shape);
        }

        var (y, _, _, statistics) = BatchNormFunction.Apply(input, Weight, Bias, Epsilon);
        UpdateRunningStatistics(statistics, (double)input.Count / Channels, input.Shape[0]);
        return y;
    }

    /// <summary>Throws, naming the layer and the shape, unless the input fits: (N, C) or (N, C, H, W) as the layer's
    /// rank, in the parameters' dtype, and in training mode more than one value per channel (a batch's variance needs
    /// two).</summary>
    internal void CheckInput(Shape shape, DType dtype, bool training)
    {
        if (shape.Rank != Rank || shape[1] != Channels)
            throw new ArgumentException($"{Describe()} expects input {(Rank == 2 ? $"(N, {Channels})" : $"(N, {Channels}, H, W)")}, got shape {shape}");
        if (dtype != Weight.DType)
            throw new ArgumentException($"{Describe()} is {Weight.DType.Name()}, the input {shape} is {dtype.Name()}");
        if (training && shape.Count / Channels <= 1)
            throw new ArgumentException($"{Describe()} in training mode needs more than one value per channel, got input {shape} (use a larger batch, or evaluation mode)");
    }

    /// <summary>μ_run ← (1 − m)·μ_run + m·μ and σ²_run ← (1 − m)·σ²_run + m·σ²·M/(M − 1), from one batch's statistics
    /// over M values per channel.</summary>
    internal void UpdateRunningStatistics(Backends.BatchNormOp statistics, double count, int rows)
    {
        // A kernel of its own: a captured step replays it, reading the statistics its batch-norm kernel kept (on a
        // GPU, on the GPU).
        Kernel.Launch([RunningMean, RunningVariance], [RunningMean, RunningVariance], () =>
        {
            // Synchronised across ranks, the statistics are the whole global batch's: M counts its rows.
            double values = Training.BatchShard.Current is { SyncBatchNormGroup: not null } shard ? count / rows * shard.GlobalRows : count;
            statistics.UpdateRunning(RunningMean.Storage, RunningVariance.Storage, Momentum, values);
        });
    }

    /// <summary>ONNX: BatchNormalization over channel axis 1 from the running statistics (evaluation mode):
    /// y = γ·(x − μ_run)/√(σ²_run + ε) + β.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        OnnxEmitter.Require(x.Shape.Length == Rank - 1 && x.Shape[0] == Channels, path, this, Rank == 2 ? $"({Channels})" : $"({Channels}, H, W)", x.Shape);
        string[] inputs =
        [
            x.Name,
            onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight),
            onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias),
            onnx.Weight(OnnxEmitter.Join(path, "running_mean"), RunningMean),
            onnx.Weight(OnnxEmitter.Join(path, "running_var"), RunningVariance),
        ];
        return new(onnx.Node(path, "BatchNormalization", inputs, Of("epsilon", (float)Epsilon)), x.Shape);
    }
}

/// <summary>Batch normalisation of (N, C) features.</summary>
public sealed class BatchNorm1d(int features, double epsilon = 1e-5, double momentum = 0.1, DType dtype = DType.Float32)
    : BatchNorm(features, 2, epsilon, momentum, dtype)
{
    /// <inheritdoc/>
    public override string Describe() => $"BatchNorm1d({Channels})";
}

/// <summary>Batch normalisation of (N, C, H, W) images, per channel.</summary>
public sealed class BatchNorm2d(int channels, double epsilon = 1e-5, double momentum = 0.1, DType dtype = DType.Float32)
    : BatchNorm(channels, 4, epsilon, momentum, dtype)
{
    /// <inheritdoc/>
    public override string Describe() => $"BatchNorm2d({Channels})";
}
