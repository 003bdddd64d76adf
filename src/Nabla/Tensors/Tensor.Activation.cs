using Nabla.Autograd.Functions;
using Nabla.Kernels;

namespace Nabla.Tensors;

// The lecture's activations g(a), elementwise except the softmax family, which works along one axis.
public sealed partial class Tensor
{
    /// <summary>σ(x) = 1 / (1 + e⁻ˣ) ∈ (0, 1).</summary>
    public Tensor Sigmoid() => SigmoidFunction.Apply(this);

    /// <summary>tanh x = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) ∈ (−1, 1).</summary>
    public Tensor Tanh() => TanhFunction.Apply(this);

    /// <summary>ReLU(x) = max(0, x).</summary>
    public Tensor Relu() => ReluFunction.Apply(this);

    /// <summary>LeakyReLU(x) = x for x &gt; 0, α·x otherwise.</summary>
    public Tensor LeakyRelu(double slope = 0.01) => LeakyReluFunction.Apply(this, slope);

    /// <summary>ELU(x) = x for x &gt; 0, α(eˣ − 1) otherwise: smooth at 0 for α = 1, and negative outputs down to −α.</summary>
    public Tensor Elu(double alpha = 1) => SmoothActivationFunction.Apply(this, SmoothActivation.Elu, alpha);

    /// <summary>SiLU(x) = x·σ(x) (also called swish).</summary>
    public Tensor Silu() => SmoothActivationFunction.Apply(this, SmoothActivation.Silu);

    /// <summary>GELU(x) = x·Φ(x), Φ the standard normal distribution function (the exact form).</summary>
    public Tensor Gelu() => SmoothActivationFunction.Apply(this, SmoothActivation.Gelu);

    /// <summary>softplus(x) = log(1 + eˣ), a smooth ReLU; x itself beyond 20.</summary>
    public Tensor Softplus() => SmoothActivationFunction.Apply(this, SmoothActivation.Softplus);

    /// <summary>softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along <paramref name="axis"/>, computed as e^{x−m} / Σ e^{x−m} with m the
    /// (detached) maximum so that large scores cannot overflow. The result sums to 1 along the axis.</summary>
    public Tensor Softmax(int axis = -1)
    {
        var shifted = this - Max(axis, keepDims: true).Detach();   // (…, C): every row's largest entry is 0
        var e = shifted.Exp();
        return e / e.Sum(axis, keepDims: true);
    }

    /// <summary>log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along <paramref name="axis"/>, via log-sum-exp.</summary>
    public Tensor LogSoftmax(int axis = -1) => this - LogSumExp(axis, keepDims: true);
}
