using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>The smooth activations of current practice, each computed with its derivative in one forward pass; the
/// backward pass is then one multiplication, g ⊙ y′(x).</summary>
/// <remarks>
/// <code>
/// ELU       y = x for x &gt; 0, α(eˣ − 1) otherwise          y′ = 1, or α·eˣ = y + α
/// SiLU      y = x·σ(x)                                    y′ = σ(x)·(1 + x·(1 − σ(x)))
/// softplus  y = log(1 + eˣ), or x for x &gt; 20            y′ = σ(x), or 1 for x &gt; 20
/// GELU      y = x·Φ(x) = ½x(1 + erf(x/√2))              y′ = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
/// </code>
/// GELU is the exact form (PyTorch's default), not the tanh approximation.
/// The softplus threshold is PyTorch's: beyond it log(1 + eˣ) equals x to float precision, and eˣ would overflow.
/// </remarks>
internal sealed class SmoothActivationFunction(Tensor x, Tensor derivative, SmoothActivation kind) : Function(x)
{
    public override string Name => kind.ToString();

    public static Tensor Apply(Tensor x, SmoothActivation kind, double alpha = 1)
    {
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        var derivative = Tensor.Uninitialized(x.Shape, x.DType);
        // The op is made once, outside the kernel, so that a replay allocates nothing.
        var op = Backend.Current.Ops.SmoothActivation(kind, alpha, x.Count);
        Kernel.Launch([x], [y, derivative], () => op.Run(x.Storage, y.Storage, derivative.Storage));
        return Needed(x) ? Record(y, new SmoothActivationFunction(x, derivative, kind)) : y;
    }

    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<Kernels.MultiplyOperator>(g, derivative, "activation backward")];
}
