using System.Globalization;
using Nabla.Autograd.Functions;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>Layer normalisation over the last axis of F features: y = γ ⊙ (x − μ)/√(σ² + ε) + β with each row's own
/// mean and variance (see <c>LayerNormFunction</c>). Parameters weight γ (ones) and bias β (zeros), as in PyTorch.</summary>
public sealed class LayerNorm : Module
{
    /// <summary>A layer over <paramref name="features"/> features.</summary>
    public LayerNorm(int features, double epsilon = 1e-5, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be > 0, not {epsilon}"));
        (Features, Epsilon) = (features, epsilon);
        Weight = RegisterParameter("weight", Tensor.Ones([features], dtype));
        Bias = RegisterParameter("bias", Tensor.Zeros([features], dtype));
    }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>γ (F).</summary>
    public Tensor Weight { get; }

    /// <summary>β (F).</summary>
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
        if (input.Rank < 1 || input.Shape[-1] != Features) throw new ArgumentException($"{Describe()} expects input (…, {Features}), got shape {input.Shape}");
        if (input.DType != Weight.DType) throw new ArgumentException($"{Describe()} is {Weight.DType.Name()}, the input {input.Shape} is {input.DType.Name()}");
        return LayerNormFunction.Apply(input, Weight, Bias, Epsilon);
    }

    /// <inheritdoc/>
    public override string Describe() => $"LayerNorm({Features})";

    /// <summary>ONNX: LayerNormalization over the last axis.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        OnnxEmitter.Require(x.Shape[^1] == Features, path, this, $"(…, {Features})", x.Shape);
        return new(onnx.Node(path, "LayerNormalization", [x.Name, onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight), onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias)],
            Of("axis", -1L), Of("epsilon", (float)Epsilon)), x.Shape);
    }
}
