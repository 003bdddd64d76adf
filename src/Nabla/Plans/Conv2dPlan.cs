using System.Numerics;
using Nabla.Kernels.Convolution;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>A <see cref="Conv2d"/> layer, optionally fused with the ReLU after it, on preallocated buffers: the
/// <see cref="ConvolutionKernel{T}"/> that <c>Conv2dFunction</c> runs, writing the layer's gradients.</summary>
internal sealed class Conv2dPlan : LayerPlan
{
    private readonly Conv2d _layer;
    private readonly bool _fuseRelu;
    private readonly object _kernel;   // ConvolutionKernel<float> or <double>
    private readonly Tensor _output;
    private Tensor? _inputGradient, _input;

    public Conv2dPlan(Conv2d layer, Shape inputShape, bool fuseRelu)
    {
        _layer = layer;
        _fuseRelu = fuseRelu;
        var g = new Conv2dGeometry(layer.InChannels / layer.Groups, inputShape[2], inputShape[3], layer.KernelSize, layer.KernelSize,
            layer.Stride, layer.Stride, layer.Padding, layer.Padding, layer.Dilation, layer.Dilation);
        g.Validate($"{layer.Describe()} on input {inputShape}");
        _output = Tensor.Uninitialized([inputShape[0], layer.OutChannels, g.OutputHeight, g.OutputWidth], layer.Weight.DType);
        _kernel = layer.Weight.DType == DType.Float32
            ? new ConvolutionKernel<float>(g, inputShape[0], layer.OutChannels, layer.Groups)
            : new ConvolutionKernel<double>(g, inputShape[0], layer.OutChannels, layer.Groups);
    }

    public Shape OutputShape => _output.Shape;

    public override Tensor Forward(Tensor input)
    {
        _input = input;
        if (_output.DType == DType.Float32) Forward<float>(input);
        else Forward<double>(input);
        return _output;
    }

    private void Forward<T>(Tensor input)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ((ConvolutionKernel<T>)_kernel).Forward(input.Buffer<T>(), _layer.Weight.Buffer<T>(), _layer.Bias?.Buffer<T>(), _output.Buffer<T>(), _fuseRelu);

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (needInputGradient) _inputGradient ??= Tensor.Uninitialized(_input!.Shape, _input.DType);
        if (_output.DType == DType.Float32) Backward<float>(outputGradient, needInputGradient);
        else Backward<double>(outputGradient, needInputGradient);
        return needInputGradient ? _inputGradient : null;
    }

    private void Backward<T>(Tensor outputGradient, bool needInputGradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ((ConvolutionKernel<T>)_kernel).Backward(_input!.Buffer<T>(), _layer.Weight.Buffer<T>(), _output.Buffer<T>(), outputGradient.Buffer<T>(),
            needInputGradient ? _inputGradient!.Buffer<T>() : null, _layer.Weight.GradientBuffer().Buffer<T>(), _layer.Bias?.GradientBuffer().Buffer<T>(), _fuseRelu);
}
