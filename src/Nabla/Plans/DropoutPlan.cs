using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>Dropout on preallocated buffers: y = x ⊙ mask and ∂L/∂x = g ⊙ mask, with each step's mask drawn from the
/// layer's own generator (so a planned run drops the same values as an autograd one).</summary>
internal sealed class DropoutPlan(Dropout layer, Shape shape) : LayerPlan
{
    private readonly Tensor _mask = Tensor.Uninitialized(shape, DType.Float64);
    private Tensor? _output, _inputGradient;

    public override Tensor Forward(Tensor input)
    {
        _output ??= Tensor.Uninitialized(shape, input.DType);
        if (input.DType == DType.Float32)
        {
            var mask = _mask.Buffer<double>().AsSpan();
            layer.FillMask<double>(mask);
            var (x, y) = (input.Buffer<float>(), _output.Buffer<float>());
            for (int i = 0; i < y.Length; i++) y[i] = x[i] * (float)mask[i];
        }
        else
        {
            layer.FillMask<double>(_mask.Buffer<double>());
            System.Numerics.Tensors.TensorPrimitives.Multiply<double>(input.Buffer<double>(), _mask.Buffer<double>(), _output.Buffer<double>());
        }

        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        _inputGradient ??= Tensor.Uninitialized(shape, outputGradient.DType);
        var mask = _mask.Buffer<double>();
        if (outputGradient.DType == DType.Float32)
        {
            var (g, gx) = (outputGradient.Buffer<float>(), _inputGradient.Buffer<float>());
            for (int i = 0; i < gx.Length; i++) gx[i] = g[i] * (float)mask[i];
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply<double>(outputGradient.Buffer<double>(), mask, _inputGradient.Buffer<double>());
        }

        return _inputGradient;
    }
}
