using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Kernels.Gemm;
using Nabla.NN.Layers;
using Nabla.Tensors;
using Nabla.Threading;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Plans;

/// <summary>A <see cref="Conv2d"/> layer, optionally fused with the ReLU after it, on preallocated buffers, with the
/// batch's images split across threads.</summary>
/// <remarks>
/// The math is <c>Conv2dFunction</c>'s: per image and group, y = W_g · im2col(x) + b; backward
/// ∂L/∂W_g += G_y · colsᵀ, ∂L/∂x = col2im(W_gᵀ · G_y), ∂L/∂b = Σ G_y; with the ReLU fused, G_y is first masked by
/// [y &gt; 0]. Each thread takes a fixed share of the images with its own columns buffer and its own partial weight
/// and bias gradients, summed in thread order afterwards: the result depends on the thread count, never on timing.
/// Splitting images gives each thread whole products, where splitting every small product would hand off work
/// hundreds of times per step.
/// </remarks>
internal sealed class Conv2dPlan : LayerPlan, IParallelJob
{
    private readonly Conv2d _layer;
    private readonly Conv2dGeometry _g;
    private readonly bool _fuseRelu;
    private readonly int _batch, _outputs, _perGroup;
    private readonly Tensor _output;
    private readonly List<(Tensor Columns, Tensor WeightGrad, Tensor BiasGrad)> _scratch = [];
    private Tensor? _inputGradient, _input, _outputGradient;
    private bool _backward, _needInputGradient;

    public Conv2dPlan(Conv2d layer, Shape inputShape, bool fuseRelu)
    {
        _layer = layer;
        _fuseRelu = fuseRelu;
        _batch = inputShape[0];
        _outputs = layer.OutChannels;
        _perGroup = _outputs / layer.Groups;
        _g = new Conv2dGeometry(layer.InChannels / layer.Groups, inputShape[2], inputShape[3], layer.KernelSize, layer.KernelSize,
            layer.Stride, layer.Stride, layer.Padding, layer.Padding, layer.Dilation, layer.Dilation);
        _g.Validate($"{layer.Describe()} on input {inputShape}");
        _output = Tensor.Uninitialized([_batch, _outputs, _g.OutputHeight, _g.OutputWidth], layer.Weight.DType);
    }

    public Shape OutputShape => _output.Shape;

    public override Tensor Forward(Tensor input)
    {
        _input = input;
        _backward = false;
        WorkerPool.Run(this, Parts());
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        _outputGradient = outputGradient;
        _needInputGradient = needInputGradient;
        if (needInputGradient) _inputGradient ??= Tensor.Uninitialized(_input!.Shape, _input.DType);
        _backward = true;
        int parts = Parts();
        WorkerPool.Run(this, parts);
        if (_output.DType == DType.Float32) Reduce<float>(parts);
        else Reduce<double>(parts);
        return needInputGradient ? _inputGradient : null;
    }

    /// <summary>How many shares of the batch: one per thread, at most one per image; scratch is made on first use.</summary>
    private int Parts()
    {
        int parts = Math.Max(1, Math.Min(Parallelism.MaxThreads, _batch));
        var dtype = _output.DType;
        while (_scratch.Count < parts)
        {
            _scratch.Add((Tensor.Uninitialized([_g.PatchSize, _g.OutputPositions], dtype),
                Tensor.Uninitialized(_layer.Weight.Shape, dtype), Tensor.Uninitialized([_outputs], dtype)));
        }

        return parts;
    }

    public void Run(int part, int parts)
    {
        int start = _batch * part / parts, end = _batch * (part + 1) / parts;
        if (_output.DType == DType.Float32)
        {
            if (_backward) BackwardImages<float>(part, start, end);
            else ForwardImages<float>(part, start, end);
        }
        else if (_backward)
        {
            BackwardImages<double>(part, start, end);
        }
        else
        {
            ForwardImages<double>(part, start, end);
        }
    }

    private void ForwardImages<T>(int part, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = _g.OutputPositions, groups = _layer.Groups;
        T[] xs = _input!.Buffer<T>(), ws = _layer.Weight.Buffer<T>(), ys = _output.Buffer<T>(), columns = _scratch[part].Columns.Buffer<T>();
        T[]? bias = _layer.Bias?.Buffer<T>();
        for (int n = start; n < end; n++)
        {
            for (int group = 0; group < groups; group++)
            {
                Im2Col.Unfold<T>(xs.AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize), _g, columns);
                Gemm.Multiply(ws, group * _perGroup * _g.PatchSize, false, columns, 0, false, ys, ((n * _outputs) + (group * _perGroup)) * positions, _perGroup, _g.PatchSize, positions);
            }

            for (int o = 0; o < _outputs; o++)
            {
                var plane = ys.AsSpan(((n * _outputs) + o) * positions, positions);
                if (bias is not null) TensorPrimitives.Add(plane, bias[o], plane);
                if (_fuseRelu) TensorPrimitives.Max(plane, T.Zero, plane);
            }
        }
    }

    private void BackwardImages<T>(int part, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = _g.OutputPositions, groups = _layer.Groups;
        var (columnsTensor, weightGradTensor, biasGradTensor) = _scratch[part];
        T[] xs = _input!.Buffer<T>(), ws = _layer.Weight.Buffer<T>(), ys = _output.Buffer<T>(), gys = _outputGradient!.Buffer<T>();
        T[] columns = columnsTensor.Buffer<T>(), weightGrad = weightGradTensor.Buffer<T>(), biasGrad = biasGradTensor.Buffer<T>();
        Array.Clear(weightGrad);
        Array.Clear(biasGrad);
        for (int n = start; n < end; n++)
        {
            int imageOut = n * _outputs * positions;
            if (_fuseRelu)
            {
                var gy = gys.AsSpan(imageOut, _outputs * positions);
                BinaryOperator.Apply<ReluBackwardOperator, T>(ys.AsSpan(imageOut, _outputs * positions), gy, gy);
            }

            for (int group = 0; group < groups; group++)
            {
                int gyOffset = imageOut + (group * _perGroup * positions), wOffset = group * _perGroup * _g.PatchSize;
                var image = xs.AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize);
                Im2Col.Unfold<T>(image, _g, columns);
                Gemm.Multiply(gys, gyOffset, false, columns, 0, true, weightGrad, wOffset, _perGroup, positions, _g.PatchSize, accumulate: true);
                if (!_needInputGradient) continue;
                Gemm.Multiply(ws, wOffset, true, gys, gyOffset, false, columns, 0, _g.PatchSize, _perGroup, positions);
                var gx = _inputGradient!.Buffer<T>().AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize);
                gx.Clear();
                Im2Col.FoldAdd<T>(columns, _g, gx);
            }

            if (_layer.Bias is null) continue;
            for (int o = 0; o < _outputs; o++) biasGrad[o] += TensorPrimitives.Sum<T>(gys.AsSpan(imageOut + (o * positions), positions));
        }
    }

    /// <summary>∂L/∂W and ∂L/∂b: the threads' partial sums, added in thread order.</summary>
    private void Reduce<T>(int parts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var weightGrad = _layer.Weight.GradientBuffer().Buffer<T>();
        _scratch[0].WeightGrad.Buffer<T>().CopyTo(weightGrad, 0);
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(weightGrad, _scratch[p].WeightGrad.Buffer<T>(), weightGrad);
        if (_layer.Bias is null) return;
        var biasGrad = _layer.Bias.GradientBuffer().Buffer<T>();
        _scratch[0].BiasGrad.Buffer<T>().CopyTo(biasGrad, 0);
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(biasGrad, _scratch[p].BiasGrad.Buffer<T>(), biasGrad);
    }
}
