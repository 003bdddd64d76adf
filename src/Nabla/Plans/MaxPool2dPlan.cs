using System.Numerics;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>Max pooling on preallocated buffers: the <see cref="MaxPoolPass{T}"/> that <c>MaxPool2dFunction</c> runs.</summary>
internal sealed class MaxPool2dPlan : LayerPlan
{
    private readonly Tensor _output, _inputGradient;
    private readonly object _pass;   // MaxPoolPass<float> or <double>

    public MaxPool2dPlan(Shape inputShape, int kernel, int stride, int padding, DType dtype)
    {
        var geometry = new Conv2dGeometry(1, inputShape[2], inputShape[3], kernel, kernel, stride, stride, padding, padding, 1, 1);
        geometry.Validate($"max-pool on input {inputShape}");
        _output = Tensor.Uninitialized([inputShape[0], inputShape[1], geometry.OutputHeight, geometry.OutputWidth], dtype);
        _inputGradient = Tensor.Uninitialized(inputShape, dtype);
        int planes = inputShape[0] * inputShape[1];
        _pass = dtype == DType.Float32 ? new MaxPoolPass<float>(geometry, planes) : new MaxPoolPass<double>(geometry, planes);
    }

    public Shape OutputShape => _output.Shape;

    public override Tensor Forward(Tensor input)
    {
        if (_output.DType == DType.Float32) Forward<float>(input);
        else Forward<double>(input);
        return _output;
    }

    private void Forward<T>(Tensor input)
        where T : unmanaged, IFloatingPointIeee754<T> => ((MaxPoolPass<T>)_pass).Forward(input.Buffer<T>(), _output.Buffer<T>());

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        if (_output.DType == DType.Float32) Backward<float>(outputGradient);
        else Backward<double>(outputGradient);
        return _inputGradient;
    }

    private void Backward<T>(Tensor outputGradient)
        where T : unmanaged, IFloatingPointIeee754<T> => ((MaxPoolPass<T>)_pass).Backward(outputGradient.Buffer<T>(), _inputGradient.Buffer<T>());
}
