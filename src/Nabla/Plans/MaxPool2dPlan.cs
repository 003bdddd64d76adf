using System.Numerics;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;
using Nabla.Threading;

namespace Nabla.Plans;

/// <summary>2×2 (or any) max pooling on preallocated buffers: forward keeps, for each output, the input it took;
/// backward clears the input gradient and adds each output's gradient there (see <c>MaxPool2dFunction</c>). The
/// N·C channel planes are split across threads; each plane's outputs point into the same plane, so parts never meet.</summary>
internal sealed class MaxPool2dPlan : LayerPlan, IParallelJob
{
    private readonly Conv2dGeometry _geometry;
    private readonly int _planes;
    private readonly Tensor _output, _inputGradient;
    private readonly int[] _argMax;
    private Tensor? _input, _outputGradient;
    private bool _backward;

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
        (_input, _backward) = (input, false);
        WorkerPool.Run(this, Parts());
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        (_outputGradient, _backward) = (outputGradient, true);
        WorkerPool.Run(this, Parts());
        return _inputGradient;
    }

    // Pooling is cheap per element: split only when each part has a few hundred thousand inputs.
    private int Parts() => (int)Math.Clamp((long)_planes * _geometry.Height * _geometry.Width / 200_000, 1, Math.Min(Parallelism.MaxThreads, _planes));

    public void Run(int part, int parts)
    {
        int first = _planes * part / parts, end = _planes * (part + 1) / parts;
        if (_output.DType == DType.Float32) Run<float>(first, end);
        else Run<double>(first, end);
    }

    private void Run<T>(int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_backward)
        {
            MaxPoolKernel.Forward<T>(_input!.Buffer<T>(), _output.Buffer<T>(), _argMax, first, end, _geometry);
            return;
        }

        int planeSize = _geometry.Height * _geometry.Width, outputsPerPlane = _geometry.OutputHeight * _geometry.OutputWidth;
        T[] g = _outputGradient!.Buffer<T>(), gx = _inputGradient.Buffer<T>();
        Array.Clear(gx, first * planeSize, (end - first) * planeSize);
        MaxPoolKernel.ScatterGradient<T>(g, _argMax, gx, first * outputsPerPlane, end * outputsPerPlane);
    }
}
