using System.Numerics;
using System.Numerics.Tensors;
using Nabla.NN.Layers;
using Nabla.Tensors;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Plans;

/// <summary>Dropout on preallocated buffers: y = x ⊙ mask and ∂L/∂x = g ⊙ mask, with each step's mask drawn from the
/// layer's own generator (so a planned run drops the same values as an autograd one).</summary>
internal sealed class DropoutPlan(Dropout layer, Shape shape) : LayerPlan
{
    private Tensor? _mask, _output, _inputGradient;

    public override Tensor Forward(Tensor input)
    {
        _mask ??= Tensor.Uninitialized(shape, input.DType);
        _output ??= Tensor.Uninitialized(shape, input.DType);
        if (input.DType == DType.Float32) Apply<float>(input, _output, fillMask: true);
        else Apply<double>(input, _output, fillMask: true);
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        _inputGradient ??= Tensor.Uninitialized(shape, outputGradient.DType);
        if (outputGradient.DType == DType.Float32) Apply<float>(outputGradient, _inputGradient, fillMask: false);
        else Apply<double>(outputGradient, _inputGradient, fillMask: false);
        return _inputGradient;
    }

    /// <summary>to = from ⊙ mask, drawing the next mask first in the forward pass.</summary>
    private void Apply<T>(Tensor from, Tensor to, bool fillMask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mask = _mask!.Buffer<T>();
        if (fillMask) layer.FillMask<T>(mask);
        TensorPrimitives.Multiply<T>(from.Buffer<T>(), mask, to.Buffer<T>());
    }
}
