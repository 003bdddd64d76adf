using System.Numerics;
using Nabla.Kernels;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>Batch normalisation in training mode on preallocated buffers: the kernel of <c>BatchNormFunction</c>,
/// and the layer's running statistics updated as its own forward pass would.</summary>
internal sealed class BatchNormPlan(BatchNorm layer, Shape shape) : LayerPlan
{
    private readonly Tensor _output = Tensor.Uninitialized(shape, layer.Weight.DType);
    private readonly Tensor _normalised = Tensor.Uninitialized(shape, layer.Weight.DType);
    private readonly Tensor _inputGradient = Tensor.Uninitialized(shape, layer.Weight.DType);
    private readonly double[] _mean = new double[layer.Channels], _variance = new double[layer.Channels], _inverseStd = new double[layer.Channels];
    private readonly int _length = shape.Product(2, shape.Rank);

    public override Tensor Forward(Tensor input)
    {
        if (input.DType == DType.Float32) Forward<float>(input);
        else Forward<double>(input);
        layer.UpdateRunningStatistics(_mean, _variance, (double)input.Count / layer.Channels);
        return _output;
    }

    private void Forward<T>(Tensor input)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BatchNormKernel.Forward<T>(input.Buffer<T>(), layer.Weight.Buffer<T>(), layer.Bias.Buffer<T>(), _output.Buffer<T>(), _normalised.Buffer<T>(),
            shape[0], layer.Channels, _length, _mean, _variance, _inverseStd, layer.Epsilon);

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (outputGradient.DType == DType.Float32) Backward<float>(outputGradient);
        else Backward<double>(outputGradient);
        return needInputGradient ? _inputGradient : null;
    }

    private void Backward<T>(Tensor g)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BatchNormKernel.Backward<T>(g.Buffer<T>(), _normalised.Buffer<T>(), layer.Weight.Buffer<T>(), _inverseStd, shape[0], layer.Channels, _length,
            _inputGradient.Buffer<T>(), layer.Weight.GradientBuffer().Buffer<T>(), layer.Bias.GradientBuffer().Buffer<T>());
}
