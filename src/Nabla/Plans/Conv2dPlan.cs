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
    private readonly List<(Tensor Columns, Tensor Product, Tensor WeightGrad, Tensor BiasGrad)> _scratch = [];
    private readonly int _chunk;
    private int _partsInUse;
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

        // Images go through the products a few at a time, side by side, about 2,048 output positions in all: one
        // image of a 14×14 map is 196 columns, too narrow a product to run the GEMM near its peak (64 against 97
        // GFLOP/s for W4's second convolution).
        _chunk = Math.Clamp(2048 / _g.OutputPositions, 1, _batch);
    }

    public Shape OutputShape => _output.Shape;

    public override Tensor Forward(Tensor input)
    {
        _input = input;
        _backward = false;
        _partsInUse = Parts();
        WorkerPool.Run(this, _partsInUse);
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        _outputGradient = outputGradient;
        _needInputGradient = needInputGradient;
        if (needInputGradient) _inputGradient ??= Tensor.Uninitialized(_input!.Shape, _input.DType);
        _backward = true;
        int parts = _partsInUse = Parts();
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
            _scratch.Add((Tensor.Uninitialized([_g.PatchSize, _chunk * _g.OutputPositions], dtype),
                Tensor.Uninitialized([_perGroup, _chunk * _g.OutputPositions], dtype),
                Tensor.Uninitialized(_layer.Weight.Shape, dtype), Tensor.Uninitialized([_outputs], dtype)));
        }

        return parts;
    }

    public void Run(int part, int parts)
    {
        int start = _batch * part / parts, end = _batch * (part + 1) / parts;
        for (int first = start; first < end; first += _chunk)
        {
            int last = Math.Min(end, first + _chunk);
            if (_output.DType == DType.Float32)
            {
                if (_backward) BackwardChunk<float>(part, first, last);
                else ForwardChunk<float>(part, first, last);
            }
            else if (_backward)
            {
                BackwardChunk<double>(part, first, last);
            }
            else
            {
                ForwardChunk<double>(part, first, last);
            }
        }
    }

    /// <summary>Images [first, last) side by side: cols (P × count·L), one product per group, then each image's
    /// channels copied out with the bias (and ReLU) applied.</summary>
    private void ForwardChunk<T>(int part, int first, int last)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = _g.OutputPositions, groups = _layer.Groups, width = (last - first) * positions;
        var (columnsTensor, productTensor, _, _) = _scratch[part];
        T[] xs = _input!.Buffer<T>(), ws = _layer.Weight.Buffer<T>(), ys = _output.Buffer<T>();
        T[] columns = columnsTensor.Buffer<T>(), product = productTensor.Buffer<T>();
        T[]? bias = _layer.Bias?.Buffer<T>();
        for (int group = 0; group < groups; group++)
        {
            for (int n = first; n < last; n++)
                Im2Col.Unfold<T>(xs.AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize), _g, columns.AsSpan((n - first) * positions), width);
            Gemm.Multiply(ws, group * _perGroup * _g.PatchSize, false, columns, 0, false, product, 0, _perGroup, _g.PatchSize, width);
            for (int n = first; n < last; n++)
            {
                for (int o = 0; o < _perGroup; o++)
                {
                    int channel = (group * _perGroup) + o;
                    var plane = ys.AsSpan(((n * _outputs) + channel) * positions, positions);
                    var computed = product.AsSpan((o * width) + ((n - first) * positions), positions);
                    if (bias is not null) TensorPrimitives.Add(computed, bias[channel], plane);
                    else computed.CopyTo(plane);
                    if (_fuseRelu) TensorPrimitives.Max(plane, T.Zero, plane);
                }
            }
        }
    }

    /// <summary>Images [first, last) side by side: G_y gathered as (O/G × count·L) per group, then
    /// ∂L/∂W_g += G_y · colsᵀ and ∂L/∂cols = W_gᵀ · G_y as two products over the whole chunk.</summary>
    private void BackwardChunk<T>(int part, int first, int last)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = _g.OutputPositions, groups = _layer.Groups, width = (last - first) * positions;
        var (columnsTensor, gradientTensor, weightGradTensor, biasGradTensor) = _scratch[part];
        T[] xs = _input!.Buffer<T>(), ws = _layer.Weight.Buffer<T>(), ys = _output.Buffer<T>(), gys = _outputGradient!.Buffer<T>();
        T[] columns = columnsTensor.Buffer<T>(), gathered = gradientTensor.Buffer<T>(), weightGrad = weightGradTensor.Buffer<T>(), biasGrad = biasGradTensor.Buffer<T>();
        if (first == _batch * part / _partsInUse)
        {
            Array.Clear(weightGrad);
            Array.Clear(biasGrad);
        }

        for (int n = first; n < last; n++)
        {
            int imageOut = n * _outputs * positions;
            var gy = gys.AsSpan(imageOut, _outputs * positions);
            if (_fuseRelu) BinaryOperator.Apply<ReluBackwardOperator, T>(ys.AsSpan(imageOut, _outputs * positions), gy, gy);
            if (_layer.Bias is null) continue;
            for (int o = 0; o < _outputs; o++) biasGrad[o] += TensorPrimitives.Sum<T>(gy.Slice(o * positions, positions));
        }

        for (int group = 0; group < groups; group++)
        {
            int wOffset = group * _perGroup * _g.PatchSize;
            for (int n = first; n < last; n++)
            {
                Im2Col.Unfold<T>(xs.AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize), _g, columns.AsSpan((n - first) * positions), width);
                for (int o = 0; o < _perGroup; o++)
                {
                    gys.AsSpan(((n * _outputs) + (group * _perGroup) + o) * positions, positions)
                        .CopyTo(gathered.AsSpan((o * width) + ((n - first) * positions), positions));
                }
            }

            Gemm.Multiply(gathered, 0, false, columns, 0, true, weightGrad, wOffset, _perGroup, width, _g.PatchSize, accumulate: true);
            if (!_needInputGradient) continue;
            Gemm.Multiply(ws, wOffset, true, gathered, 0, false, columns, 0, _g.PatchSize, _perGroup, width);
            for (int n = first; n < last; n++)
            {
                var gx = _inputGradient!.Buffer<T>().AsSpan(((n * groups) + group) * _g.ImageSize, _g.ImageSize);
                gx.Clear();
                Im2Col.FoldAdd<T>(columns.AsSpan((n - first) * positions), _g, gx, width);
            }
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
