using System.Numerics;
using Nabla.Kernels;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>Batch normalisation in training mode on preallocated buffers: the kernel of <c>BatchNormFunction</c>,
/// and the layer's running statistics updated as its own forward pass would.</summary>
internal sealed class BatchNormPlan : LayerPlan
{
    private readonly BatchNorm _layer;
    private readonly Tensor _output, _normalised, _inputGradient;
    private readonly double[] _mean, _variance;
    private readonly object _kernel;   // BatchNormKernel<float> or <double>

    public BatchNormPlan(BatchNorm layer, Shape shape)
    {
        _layer = layer;
        var dtype = layer.Weight.DType;
        (_output, _normalised, _inputGradient) = (Tensor.Uninitialized(shape, dtype), Tensor.Uninitialized(shape, dtype), Tensor.Uninitialized(shape, dtype));
        (_mean, _variance) = (new double[layer.Channels], new double[layer.Channels]);
        int length = shape.Product(2, shape.Rank);
        _kernel = dtype == DType.Float32
            ? new BatchNormKernel<float>(shape[0], layer.Channels, length, _mean, _variance)
            : new BatchNormKernel<double>(shape[0], layer.Channels, length, _mean, _variance);
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.DType == DType.Float32) Forward<float>(input);
        else Forward<double>(input);
        _layer.UpdateRunningStatistics(_mean, _variance, (double)input.Count / _layer.Channels);
        return _output;
    }

    private void Forward<T>(Tensor input)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ((BatchNormKernel<T>)_kernel).Forward(input.Buffer<T>(), _layer.Weight.Buffer<T>(), _layer.Bias.Buffer<T>(), _output.Buffer<T>(), _normalised.Buffer<T>(), _layer.Epsilon);

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (outputGradient.DType == DType.Float32) Backward<float>(outputGradient);
        else Backward<double>(outputGradient);
        return needInputGradient ? _inputGradient : null;
    }

    private void Backward<T>(Tensor g)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ((BatchNormKernel<T>)_kernel).Backward(g.Buffer<T>(), _normalised.Buffer<T>(), _layer.Weight.Buffer<T>(),
            _inputGradient.Buffer<T>(), _layer.Weight.GradientBuffer().Buffer<T>(), _layer.Bias.GradientBuffer().Buffer<T>());
}
