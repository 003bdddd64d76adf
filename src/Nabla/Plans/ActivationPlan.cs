using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Kernels;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Plans;

/// <summary>An elementwise activation on its own output buffer; its backward pass is one in-place pass over the
/// gradient, using the output (ReLU, tanh, sigmoid) or the input (leaky ReLU).</summary>
/// <remarks>
/// <code>
/// ReLU     y = max(a, 0)             g ← g ⊙ [y > 0]
/// tanh     y = tanh(a)               g ← g ⊙ (1 − y²)
/// sigmoid  y = 1 / (1 + e^(−a))      g ← g ⊙ y(1 − y)
/// leaky    y = a > 0 ? a : α·a       g ← g ⊙ (a > 0 ? 1 : α)
/// </code>
/// A ReLU right after a <see cref="NN.Layers.Linear"/> does not get this plan: it is fused into the layer's GEMM.
/// </remarks>
internal sealed class ActivationPlan(Activation activation, double slope, Shape shape, DType dtype) : LayerPlan
{
    private readonly Tensor _output = Tensor.Uninitialized(shape, dtype);
    private Tensor? _input;

    public override Tensor Forward(Tensor input)
    {
        _input = input;
        if (input.DType == DType.Float32) Forward<float>(input.Buffer<float>(), _output.Buffer<float>());
        else Forward<double>(input.Buffer<double>(), _output.Buffer<double>());
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        if (outputGradient.DType == DType.Float32) Backward<float>(outputGradient.Buffer<float>());
        else Backward<double>(outputGradient.Buffer<double>());
        return outputGradient;
    }

    private void Forward<T>(ReadOnlySpan<T> a, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>, IExponentialFunctions<T>, IHyperbolicFunctions<T>
    {
        switch (activation)
        {
            case Activation.Relu: TensorPrimitives.Max(a, T.Zero, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(a, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(a, y); break;
            case Activation.LeakyRelu:
                T alpha = T.CreateChecked(slope);
                for (int i = 0; i < a.Length; i++) y[i] = a[i] > T.Zero ? a[i] : alpha * a[i];
                break;
            default: throw new NotSupportedException($"no plan for activation {activation}");
        }
    }

    private void Backward<T>(Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = _output.Buffer<T>();
        switch (activation)
        {
            case Activation.Relu: BinaryOperator.Apply<ReluBackwardOperator, T>(y, g, g); break;
            case Activation.Tanh: BinaryOperator.Apply<TanhBackwardOperator, T>(y, g, g); break;
            case Activation.Sigmoid: BinaryOperator.Apply<SigmoidBackwardOperator, T>(y, g, g); break;
            case Activation.LeakyRelu: ActivationKernels.LeakyReluBackward<T>(g, _input!.Buffer<T>(), T.CreateChecked(slope)); break;
            default: throw new NotSupportedException($"no plan for activation {activation}");
        }
    }
}
