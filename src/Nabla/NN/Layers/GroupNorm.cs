using System.Globalization;
using Nabla.Autograd.Functions;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.LayerPlanning;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>Group normalisation (Wu and He, 2018): the C channels of each example are split into G groups, each group
/// normalised with its own mean and variance over its channels and positions, then every channel scaled and shifted.
/// Unlike batch normalisation it needs no batch statistics, so it trains on batches of any size and evaluates the same
/// way. Parameters weight γ (ones) and bias β (zeros), (C) each, as in PyTorch's <c>nn.GroupNorm(G, C)</c>.</summary>
/// <remarks>
/// For x (N, C, …) with L positions per channel and a group g of the C/G channels [g·C/G, (g+1)·C/G):
/// <code>
/// μ = mean over the group's C/G·L values,   σ² = their mean of (x − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ_c·x̂ + β_c
/// </code>
/// Viewed as (N, G, C/G·L), the normalisation is layer normalisation over the last axis, so the layer reuses that
/// primitive (<see cref="LayerNormFunction"/>, with unit scale and zero shift) and its gradient, then applies the
/// per-channel affine with broadcasting: the chain rule through the view and the product gives
/// ∂L/∂γ_c = Σ_{n, l} g·x̂, ∂L/∂β_c = Σ_{n, l} g, and ∂L/∂x the layer-norm backward of g·γ_c.
/// </remarks>
public sealed class GroupNorm : Module
{
    /// <summary>The architecture word <c>gn&lt;G&gt;</c>: group normalisation with G groups over the channels of images
    /// or features, holding a weight and a bias per channel.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("gn<G>", @"^gn(?<g>\d+)$", (match, layer) =>
    {
        int groups = Number(match, "g"), channels = layer.Shape[0];
        if (channels % groups != 0) throw layer.Error($"{groups} groups must divide the {channels} channels");
        return new LayerPlan((_, dtype, _) => new GroupNorm(groups, channels, dtype: dtype), layer.Shape, 2L * channels);
    });

    /// <summary>A layer normalising <paramref name="channels"/> channels in <paramref name="groups"/> groups.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, the groups do not divide the channels, or ε is
    /// not positive.</exception>
    public GroupNorm(int groups, int channels, double epsilon = 1e-5, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (channels % groups != 0) throw new ArgumentOutOfRangeException(nameof(groups), $"{groups} groups must divide the {channels} channels");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be > 0, not {epsilon}"));
        (Groups, Channels, Epsilon) = (groups, channels, epsilon);
        Weight = RegisterParameter("weight", Tensor.Ones([channels], dtype));
        Bias = RegisterParameter("bias", Tensor.Zeros([channels], dtype));
    }

    /// <summary>G.</summary>
    public int Groups { get; }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>γ (C).</summary>
    public Tensor Weight { get; }

    /// <summary>β (C).</summary>
    public Tensor Bias { get; }

    /// <summary>γ back to ones and β to zeros: nothing is drawn.</summary>
    protected override void ResetOwnParameters(Random random)
    {
        Weight.Fill(1);
        Bias.Fill(0);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || input.Shape[1] != Channels) throw new ArgumentException($"{Describe()} expects input (N, {Channels}, …), got shape {input.Shape}");
        if (input.DType != Weight.DType) throw new ArgumentException($"{Describe()} is {Weight.DType.Name()}, the input {input.Shape} is {input.DType.Name()}");
        int n = input.Shape[0], groupSize = input.Count / Math.Max(1, n * Groups);
        var grouped = input.Reshape(n, Groups, groupSize);   // (N, G, C/G·L)
        var unit = Tensor.Ones([groupSize], input.DType);
        var normalised = LayerNormFunction.Apply(grouped, unit, Tensor.ZerosLike(unit), Epsilon).Reshape(input.Shape);
        var perChannel = ChannelShape(input.Rank);   // (C, 1, …): γ and β broadcast over the positions
        return (normalised * Weight.Reshape(perChannel)) + Bias.Reshape(perChannel);
    }

    /// <inheritdoc/>
    public override string Describe() => $"GroupNorm({Groups}, {Channels})";

    /// <summary>ONNX (opset 17 has no GroupNormalization): Reshape to (N, G, −1), LayerNormalization over the last axis
    /// with unit scale and zero shift, Reshape back, then Mul by γ and Add β, each reshaped to (C, 1, …).</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        OnnxEmitter.Require(x.Shape.Length >= 1 && x.Shape[0] == Channels, path, this, $"({Channels}, …)", x.Shape);
        int groupSize = x.Shape.Aggregate(1, (a, b) => a * b) / Groups;
        var grouped = onnx.Node(path, "Reshape", [x.Name, onnx.Int64s(OnnxEmitter.Join(path, "grouped_shape"), 0, Groups, -1)]);
        var normalised = onnx.Node(path, "LayerNormalization",
            [grouped, onnx.Weight(OnnxEmitter.Join(path, "unit_scale"), Tensor.Ones([groupSize])), onnx.Weight(OnnxEmitter.Join(path, "zero_shift"), Tensor.Zeros([groupSize]))],
            Of("axis", -1L), Of("epsilon", (float)Epsilon));
        var shape = onnx.Int64s(OnnxEmitter.Join(path, "shape"), [0, .. x.Shape.Select(d => (long)d)]);
        var perChannel = onnx.Int64s(OnnxEmitter.Join(path, "channel_shape"), [.. ChannelShape(x.Shape.Length + 1).Select(d => (long)d)]);
        var weight = onnx.Node(path, "Reshape", [onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight), perChannel]);
        var bias = onnx.Node(path, "Reshape", [onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias), perChannel]);
        var scaled = onnx.Node(path, "Mul", [onnx.Node(path, "Reshape", [normalised, shape]), weight]);
        return new(onnx.Node(path, "Add", [scaled, bias]), x.Shape);
    }

    /// <summary>(C, 1, …, 1) for inputs of <paramref name="rank"/> axes (the batch axis included): a per-channel vector
    /// that broadcasts over the positions.</summary>
    private int[] ChannelShape(int rank)
    {
        var shape = new int[rank - 1];
        Array.Fill(shape, 1);
        shape[0] = Channels;
        return shape;
    }
}
