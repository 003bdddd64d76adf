using System.Numerics;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>2×2 (or any) max pooling on preallocated buffers: forward keeps, for each output, the input it took;
/// backward clears the input gradient and adds each output's gradient there (see <c>MaxPool2dFunction</c>).</summary>
internal sealed class MaxPool2dPlan : LayerPlan
{
    private readonly Conv2dGeometry _geometry;
    private readonly int _planes;
    private readonly Tensor _output, _inputGradient;
    private readonly int[] _argMax;

    public MaxPool2dPlan(Shape inputShape, int kernel, int stride, int padding, DType dtype)
    {
        _geometry = new Conv2dGeometry(1, inputShape[2], inputShape[3], kernel, kernel, stride, stride, padding, padding, 1, 1);
        _geometry.Validate($"max-pool on input {inputShape}");
        _planes = inputShape[0] * inputShape[1];
        _output = Tensor.Uninitialized([inputShape[0], inputShape[1], _geometry.OutputHeight, _geometry.OutputWidth], dtype);
        _inputGradient = Tensor.Uninitialized(inputShape, dtype);
        _argMax = new int[_output.Count];
    }

    public Shape OutputShape => _output.Shape;

    public override Tensor Forward(Tensor input)
    {
        if (input.DType == DType.Float32) MaxPoolKernel.Forward<float>(input.Buffer<float>(), _output.Buffer<float>(), _argMax, _planes, _geometry);
        else MaxPoolKernel.Forward<double>(input.Buffer<double>(), _output.Buffer<double>(), _argMax, _planes, _geometry);
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        if (outputGradient.DType == DType.Float32) Scatter<float>(outputGradient.Buffer<float>(), _inputGradient.Buffer<float>());
        else Scatter<double>(outputGradient.Buffer<double>(), _inputGradient.Buffer<double>());
        return _inputGradient;
    }

    private void Scatter<T>(T[] g, T[] gx)
        where T : unmanaged, INumber<T>
    {
        Array.Clear(gx);
        for (int o = 0; o < _argMax.Length; o++) gx[_argMax[o]] += g[o];
    }
}
