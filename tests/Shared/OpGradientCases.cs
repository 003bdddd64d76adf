using Nabla.Tensors;

namespace Nabla.Tests;

/// <summary>The op table's gradient-check cases, shared by the CPU's tests (tests/Nabla.Tests) and the GPU backend's
/// (tests/Nabla.Cuda.Tests, which links this file): every differentiable operation on small random float64 inputs.</summary>
internal static class OpGradientCases
{
    public enum Inputs { Normal, Positive, AwayFromZero }

    public sealed record OpCase(Shape[] Shapes, Func<Tensor[], Tensor> Op, Inputs Kind = Inputs.Normal);

    public static readonly Dictionary<string, OpCase> Cases = new()
    {
        ["add"] = new([[3, 4], [3, 4]], t => t[0] + t[1]),
        ["add broadcast row"] = new([[3, 4], [4]], t => t[0] + t[1]),
        ["add broadcast both"] = new([[2, 1, 4], [3, 1]], t => t[0] + t[1]),
        ["add scalar"] = new([[3, 4]], t => t[0] + 2.5),
        ["subtract broadcast column"] = new([[3, 4], [3, 1]], t => t[0] - t[1]),
        ["scalar minus"] = new([[5]], t => 1.0 - t[0]),
        ["multiply broadcast"] = new([[2, 3], [3]], t => t[0] * t[1]),
        ["multiply self"] = new([[4]], t => t[0] * t[0]),
        ["divide broadcast"] = new([[3, 4], [4]], t => t[0] / t[1], Inputs.AwayFromZero),
        ["scalar divide"] = new([[4]], t => 2.0 / t[0], Inputs.AwayFromZero),
        ["negate"] = new([[3, 2]], t => -t[0]),
        ["pow 3"] = new([[3, 2]], t => t[0].Pow(3)),
        ["square"] = new([[3, 2]], t => t[0].Square()),
        ["pow 0.5"] = new([[3, 2]], t => t[0].Pow(0.5), Inputs.Positive),
        ["exp"] = new([[3, 2]], t => t[0].Exp()),
        ["log"] = new([[3, 2]], t => t[0].Log(), Inputs.Positive),
        ["sqrt"] = new([[3, 2]], t => t[0].Sqrt(), Inputs.Positive),
        ["abs"] = new([[3, 2]], t => t[0].Abs(), Inputs.AwayFromZero),
        ["maximum broadcast"] = new([[3, 4], [4]], t => Tensor.Maximum(t[0], t[1])),
        ["minimum broadcast"] = new([[3, 4], [3, 1]], t => Tensor.Minimum(t[0], t[1])),
        ["maximum scalar"] = new([[3, 4]], t => t[0].Maximum(0.1)),
        ["where broadcast"] = new([[3, 4], [4]], t => Tensor.Where(Tensor.FromArray([1.0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1], [3, 4]), t[0], t[1])),
        ["sum all"] = new([[3, 4]], t => t[0].Sum()),
        ["sum axis 0 keepdims"] = new([[3, 4]], t => t[0].Sum(0, keepDims: true)),
        ["sum axes 0 and 2"] = new([[2, 3, 4]], t => t[0].Sum([0, 2])),
        ["mean axis 1"] = new([[3, 5]], t => t[0].Mean(1)),
        ["mean all"] = new([[2, 3, 2]], t => t[0].Mean()),
        ["max axis 1"] = new([[4, 5]], t => t[0].Max(1)),
        ["max all keepdims"] = new([[3, 4]], t => t[0].Max(null, keepDims: true)),
        ["min axis 0"] = new([[4, 3]], t => t[0].Min([0])),
        ["matmul"] = new([[3, 4], [4, 5]], t => t[0].MatMul(t[1])),
        ["matmul odd"] = new([[7, 13], [13, 9]], t => t[0].MatMul(t[1])),
        ["matmul batched"] = new([[2, 3, 4], [2, 4, 5]], t => t[0].MatMul(t[1])),
        ["matmul batch by matrix"] = new([[2, 3, 4], [4, 5]], t => t[0].MatMul(t[1])),
        ["matmul transposed"] = new([[3, 4], [5, 4]], t => t[0].MatMulTransposed(t[1])),
        ["matmul transposed wide"] = new([[9, 17], [12, 17]], t => t[0].MatMulTransposed(t[1])),
        ["linear x·Wᵀ + b (fused)"] = new([[5, 4], [3, 4], [3]], t => Nabla.Autograd.Functions.LinearFunction.Apply(t[0], t[1], t[2])),
        ["linear without bias"] = new([[5, 4], [3, 4]], t => Nabla.Autograd.Functions.LinearFunction.Apply(t[0], t[1], null)),
        ["linear large (packed GEMM, bias epilogue)"] = new([[20, 30], [25, 30], [25]], t => Nabla.Autograd.Functions.LinearFunction.Apply(t[0], t[1], t[2])),
        ["conv2d"] = new([[2, 3, 6, 5], [4, 3, 3, 3], [4]], t => t[0].Conv2d(t[1], t[2])),
        ["conv2d stride 2 padding 1"] = new([[2, 2, 7, 6], [3, 2, 3, 3], [3]], t => t[0].Conv2d(t[1], t[2], stride: 2, padding: 1)),
        ["conv2d dilation 2 padding 2, no bias"] = new([[1, 2, 8, 8], [2, 2, 3, 3]], t => t[0].Conv2d(t[1], null, padding: 2, dilation: 2)),
        ["conv2d groups 2"] = new([[2, 4, 5, 5], [6, 2, 3, 3], [6]], t => t[0].Conv2d(t[1], t[2], groups: 2)),
        ["conv2d padding 1, each tap a shifted plane"] = new([[2, 3, 5, 6], [4, 3, 3, 3], [4]], t => t[0].Conv2d(t[1], t[2], padding: 1)),
        ["conv2d 5×5 padding 2 on a 3×2 image, taps wider than the rows"] = new([[1, 2, 3, 2], [2, 2, 5, 5], [2]], t => t[0].Conv2d(t[1], t[2], padding: 2)),
        ["conv2d 1×1 kernel"] = new([[2, 3, 4, 4], [5, 3, 1, 1], [5]], t => t[0].Conv2d(t[1], t[2])),
        ["batch norm 2d, training mode"] = new([[3, 2, 2, 3], [2], [2]], t => Nabla.Autograd.Functions.BatchNormFunction.Apply(t[0], t[1], t[2], 1e-5).Y),
        ["batch norm 1d, training mode"] = new([[5, 3], [3], [3]], t => Nabla.Autograd.Functions.BatchNormFunction.Apply(t[0], t[1], t[2], 1e-5).Y),
        ["layer norm"] = new([[4, 5], [5], [5]], t => Nabla.Autograd.Functions.LayerNormFunction.Apply(t[0], t[1], t[2], 1e-5)),
        ["layer norm over the last axis of a 3-d input"] = new([[2, 3, 4], [4], [4]], t => Nabla.Autograd.Functions.LayerNormFunction.Apply(t[0], t[1], t[2], 1e-5)),
        ["embedding with a repeated index"] = new([[5, 3]], t => Nabla.Autograd.Functions.EmbeddingFunction.Apply(Tensor.FromArray([4.0, 1, 4, 0, 2, 1], [2, 3]), t[0])),
        ["dropout with a fixed mask (the same seed every call)"] = new([[4, 5]], t => new Nabla.NN.Layers.Dropout(0.4, seed: 3).Forward(t[0])),
        ["max-pool 2"] = new([[2, 3, 6, 6]], t => t[0].MaxPool2d(2)),
        ["max-pool 3 stride 2 padding 1"] = new([[1, 2, 7, 7]], t => t[0].MaxPool2d(3, stride: 2, padding: 1)),
        ["avg-pool 2"] = new([[2, 2, 6, 5]], t => t[0].AvgPool2d(2)),
        ["avg-pool 3 stride 2 padding 1"] = new([[1, 2, 7, 7]], t => t[0].AvgPool2d(3, stride: 2, padding: 1)),
        ["matmul large (packed GEMM)"] = new([[20, 30], [30, 25]], t => t[0].MatMul(t[1])),
        ["matmul transposed large (packed GEMM)"] = new([[24, 40], [19, 40]], t => t[0].MatMulTransposed(t[1])),
        ["reshape"] = new([[2, 6]], t => t[0].Reshape(3, -1)),
        ["flatten"] = new([[2, 3, 2]], t => t[0].Flatten()),
        ["unsqueeze squeeze"] = new([[3, 2]], t => t[0].Unsqueeze(1).Squeeze(1)),
        ["permute"] = new([[2, 3, 4]], t => t[0].Permute(2, 0, 1)),
        ["transpose"] = new([[3, 5]], t => t[0].T),
        ["slice"] = new([[3, 6]], t => t[0].Slice(1, 2, 3)),
        ["select"] = new([[3, 4, 2]], t => t[0].Select(1, -1)),
        ["concat axis 0"] = new([[2, 3], [4, 3]], t => Tensor.Concat([t[0], t[1]], 0)),
        ["concat axis 1"] = new([[2, 3], [2, 1]], t => Tensor.Concat([t[0], t[1], t[0]], 1)),
        ["gather rows"] = new([[4, 3]], t => t[0].GatherRows([2, 0, 1, 2])),
        ["sigmoid"] = new([[3, 4]], t => t[0].Sigmoid()),
        ["tanh"] = new([[3, 4]], t => t[0].Tanh()),
        ["relu"] = new([[3, 4]], t => t[0].Relu(), Inputs.AwayFromZero),
        ["leaky relu"] = new([[3, 4]], t => t[0].LeakyRelu(0.1), Inputs.AwayFromZero),
        ["elu"] = new([[3, 4]], t => t[0].Elu()),
        ["elu alpha 0.5"] = new([[3, 4]], t => t[0].Elu(0.5), Inputs.AwayFromZero),
        ["silu"] = new([[3, 4]], t => t[0].Silu()),
        ["softplus"] = new([[3, 4]], t => t[0].Softplus()),
        ["gelu"] = new([[3, 4]], t => t[0].Gelu()),
        ["gelu on a wide range (both erf branches)"] = new([[6]], t => (t[0] * 4.0).Gelu()),
        ["softplus past its threshold"] = new([[4]], t => (t[0] * 15.0).Softplus(), Inputs.AwayFromZero),
        ["softmax"] = new([[3, 5]], t => t[0].Softmax()),
        ["softmax axis 0"] = new([[3, 5]], t => t[0].Softmax(0)),
        ["log softmax"] = new([[3, 5]], t => t[0].LogSoftmax()),
        ["log-sum-exp"] = new([[4, 3]], t => t[0].LogSumExp(1)),
        ["softmax cross-entropy (fused)"] = new([[4, 5]], t => new Nabla.Losses.CrossEntropyLoss().Compute(t[0], [4, 0, 2, 4])),
        ["cross-entropy with label smoothing and class weights"] = new([[4, 3]], t => new Nabla.Losses.CrossEntropyLoss(0.1, [1.0, 2.5, 0.5]).Compute(t[0], [2, 0, 1, 1])),
        ["binary cross-entropy with logits"] = new([[5, 1]], t => new Nabla.Losses.BinaryCrossEntropyWithLogitsLoss().Compute(t[0], [1, 0, 0, 1, 1])),
        ["binary cross-entropy, one class against the rest"] = new([[3, 4]], t => new Nabla.Losses.BinaryCrossEntropyWithLogitsLoss().Compute(t[0], [3, 0, 2])),
        ["huber"] = new([[4, 3]], t => new Nabla.Losses.HuberLoss(0.3).Compute(t[0] * 3.0, [0, 2, 1, 1])),
        ["negative log-likelihood"] = new([[3, 4]], t => new Nabla.Losses.NegativeLogLikelihoodLoss().Compute(t[0].LogSoftmax(), [1, 3, 0])),
        ["softmax cross-entropy, scaled upstream"] = new([[3, 4]], t => new Nabla.Losses.CrossEntropyLoss().Compute(t[0], [1, 3, 0]) * 2.5),
        ["composite"] = new([[3, 4], [4]], t => ((t[0] * t[1]).Tanh() + t[0].Square()).Sum(1).Sigmoid()),
    };

    /// <summary>A float64 leaf of <paramref name="shape"/> with values of the case's kind.</summary>
    public static Tensor Make(Shape shape, Inputs kind, Random random)
    {
        var t = kind switch
        {
            Inputs.Positive => Tensor.Uniform(shape, 0.5, 2, random, DType.Float64),
            Inputs.AwayFromZero => Tensor.Uniform(shape, 0.3, 2, random, DType.Float64) * ((Tensor.Uniform(shape, -1, 1, random, DType.Float64).Greater(0) * 2.0) - 1.0),
            _ => Tensor.Normal(shape, 0, 1, random, DType.Float64),
        };
        var leaf = t.Detach();
        leaf.RequiresGrad = true;
        return leaf;
    }
}
