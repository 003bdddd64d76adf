using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Threading;

namespace Nabla.Kernels.Convolution;

/// <summary>2-D convolution of a batch, forward and backward, with the batch's images split across the kernel threads:
/// the one implementation behind <c>Conv2dFunction</c> (eager and captured).</summary>
/// <remarks>
/// <para>Per image and group, with cols = im2col(x[n, group]) (C/G·KH·KW × L) and W_g the group's weights as a matrix
/// (O/G × C/G·KH·KW): y[n, group] = W_g · cols + b. Backward, with G_y = ∂L/∂y[n, group] (O/G × L):
/// ∂L/∂W_g = Σ_n G_y · colsᵀ, ∂L/∂x[n, group] = col2im(W_gᵀ · G_y), ∂L/∂b[o] = Σ_{n, i, j} G_y[o, i, j]. With the
/// ReLU fused (the plans' conv-relu), y = max(0, ·) and G_y is first masked by [y &gt; 0], in place.</para>
/// <para>The weight gradient is computed transposed, (∂L/∂W_g)ᵀ = Σ_n cols · G_yᵀ (C/G·KH·KW × O/G), and transposed
/// once at the end: the product then has only O/G columns, so the GEMM reads the unfolded columns where they lie
/// instead of transposing all of them into packed panels (W5's 64-channel layer: 78 → 154 GFLOP/s on one AVX-512
/// thread). Each element's sum runs in the same order either way, so the bits are those of G_y · colsᵀ.</para>
/// <para>Each thread takes a fixed share of the images, with its own columns and its own partial weight and bias
/// gradients, summed in thread order afterwards: the result depends on the thread count, never on timing. Splitting
/// images gives each thread whole products, where splitting every small product would hand off work hundreds of times
/// per step. Within a share, images go through the products a few at a time, side by side, about 2,048 output
/// positions in all: one image of a 14×14 map is 196 columns, too narrow a product to run the GEMM near its peak (64
/// against 97 GFLOP/s for W4's second convolution).</para>
/// <para>The columns are unfolded again in backward rather than kept: the unfolding is cheap next to the products, and
/// keeping it would hold KH·KW copies of the input per layer. The scratch is made on first use and kept by this
/// object, so a captured step that holds it replays with no allocation.</para>
/// </remarks>
internal sealed class ConvolutionKernel<T> : IParallelJob
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Conv2dGeometry _g;
    private readonly int _batch, _outputs, _groups, _perGroup, _chunk;
    // Per thread: the unfolded columns, the product (forward) or gathered output gradient (backward), the partial
    // weight gradient transposed (group by group, C/G·KH·KW × O/G) and the partial bias gradient.
    private readonly List<(T[] Columns, T[] Product, T[]? WeightGradTransposed, T[]? BiasGrad)> _scratch = [];

    // The operands of the pass under way, read by the threads' parts.
    private T[] _x = [], _weight = [], _y = [];
    private T[]? _bias, _outputGradient, _inputGradient, _weightGradient, _biasGradient;
    private bool _backward, _fuseRelu;

    /// <param name="geometry">One group of one image: C/G input channels, the map and the kernel window.</param>
    /// <param name="batch">The number of images N.</param>
    /// <param name="outputs">The number of output channels O, all groups together.</param>
    /// <param name="groups">The number of groups G.</param>
    public ConvolutionKernel(in Conv2dGeometry geometry, int batch, int outputs, int groups)
    {
        _g = geometry;
        _batch = batch;
        _outputs = outputs;
        _groups = groups;
        _perGroup = outputs / groups;
        _chunk = Math.Clamp(2048 / geometry.OutputPositions, 1, batch);
    }

    /// <summary>y = conv2d(x, weight) + bias, then max(0, ·) when <paramref name="fuseRelu"/>; every element of
    /// <paramref name="y"/> is written.</summary>
    public void Forward(T[] x, T[] weight, T[]? bias, T[] y, bool fuseRelu)
    {
        (_x, _weight, _bias, _y, _fuseRelu, _backward) = (x, weight, bias, y, fuseRelu, false);
        WorkerPool.Run(this, Parts(gradients: false));
    }

    /// <summary>Writes (not adds) ∂L/∂x, ∂L/∂W and ∂L/∂b into whichever of <paramref name="inputGradient"/>,
    /// <paramref name="weightGradient"/> and <paramref name="biasGradient"/> are given, from
    /// <paramref name="outputGradient"/>; with <paramref name="fuseRelu"/>, the output gradient is masked by
    /// [<paramref name="y"/> &gt; 0] in place first (<paramref name="y"/> is read only then).</summary>
    public void Backward(T[] x, T[] weight, T[]? y, T[] outputGradient, T[]? inputGradient, T[]? weightGradient, T[]? biasGradient, bool fuseRelu)
    {
        if (fuseRelu && y is null) throw new ArgumentNullException(nameof(y), "the fused ReLU's backward needs its output");
        (_x, _weight, _y, _outputGradient, _fuseRelu, _backward) = (x, weight, y ?? [], outputGradient, fuseRelu, true);
        (_inputGradient, _weightGradient, _biasGradient) = (inputGradient, weightGradient, biasGradient);
        int parts = Parts(gradients: true);
        WorkerPool.Run(this, parts);

        // Part 0 summed the bias gradient straight into it; the others' partial sums are added in thread order. Each
        // part's transposed weight gradient is transposed back as it is added (part 0's written).
        for (int p = 0; p < parts; p++)
        {
            if (weightGradient is not null) AddTransposed(_scratch[p].WeightGradTransposed!, weightGradient, overwrite: p == 0);
            if (biasGradient is not null && p > 0) TensorPrimitives.Add(biasGradient, _scratch[p].BiasGrad!, biasGradient);
        }
    }

    /// <summary>W[group][o, q] (+)= Wᵀ[group][q, o] for every group: O/G × P blocks from P × O/G ones.</summary>
    private void AddTransposed(T[] transposed, T[] weightGradient, bool overwrite)
    {
        int patch = _g.PatchSize;
        for (int group = 0; group < _groups; group++)
        {
            int offset = group * _perGroup * patch;
            for (int o = 0; o < _perGroup; o++)
            {
                var row = weightGradient.AsSpan(offset + (o * patch), patch);
                for (int q = 0; q < patch; q++)
                {
                    T value = transposed[offset + (q * _perGroup) + o];
                    row[q] = overwrite ? value : row[q] + value;
                }
            }
        }
    }

    /// <summary>How many shares of the batch: one per thread, at most one per image; scratch is made on first use.</summary>
    private int Parts(bool gradients)
    {
        int parts = Math.Max(1, Math.Min(Parallelism.MaxThreads, _batch));
        int width = _chunk * _g.OutputPositions;
        while (_scratch.Count < parts) _scratch.Add((new T[_g.PatchSize * width], new T[_perGroup * width], null, null));
        for (int p = 0; gradients && p < parts; p++)
        {
            var s = _scratch[p];
            _scratch[p] = (s.Columns, s.Product, s.WeightGradTransposed ?? new T[_outputs * _g.PatchSize], s.BiasGrad ?? (p == 0 ? null : new T[_outputs]));
        }

        return parts;
    }

    public void Run(int part, int parts)
    {
        int start = _batch * part / parts, end = _batch * (part + 1) / parts;
        if (_backward)
        {
            // Every part sums its weight gradient, transposed, into its own scratch; part 0 sums the bias gradient
            // into the gradient itself, the others into their own scratch.
            var (_, _, weightGradTransposed, biasGrad) = _scratch[part];
            var weightSumTransposed = _weightGradient is null ? null : weightGradTransposed;
            var biasSum = part == 0 ? _biasGradient : biasGrad;
            if (_weightGradient is not null) Array.Clear(weightSumTransposed!);
            if (_biasGradient is not null) Array.Clear(biasSum!);
            for (int first = start; first < end; first += _chunk) BackwardChunk(part, first, Math.Min(end, first + _chunk), weightSumTransposed, biasSum);
        }
        else
        {
            for (int first = start; first < end; first += _chunk) ForwardChunk(part, first, Math.Min(end, first + _chunk));
        }
    }

    /// <summary>Images [first, last) side by side: cols (P × count·L), one product per group, then each image's
    /// channels copied out with the bias (and ReLU) applied.</summary>
    private void ForwardChunk(int part, int first, int last)
    {
        int positions = _g.OutputPositions, width = (last - first) * positions;
        var (columns, product, _, _) = _scratch[part];
        for (int group = 0; group < _groups; group++)
        {
            for (int n = first; n < last; n++)
                Im2Col.Unfold<T>(_x.AsSpan(((n * _groups) + group) * _g.ImageSize, _g.ImageSize), _g, columns.AsSpan((n - first) * positions), width);
            Gemm.Gemm.Multiply(_weight, group * _perGroup * _g.PatchSize, false, columns, 0, false, product, 0, _perGroup, _g.PatchSize, width);
            for (int n = first; n < last; n++)
            {
                for (int o = 0; o < _perGroup; o++)
                {
                    int channel = (group * _perGroup) + o;
                    var plane = _y.AsSpan(((n * _outputs) + channel) * positions, positions);
                    var computed = product.AsSpan((o * width) + ((n - first) * positions), positions);
                    if (_bias is not null) TensorPrimitives.Add(computed, _bias[channel], plane);
                    else computed.CopyTo(plane);
                    if (_fuseRelu) TensorPrimitives.Max(plane, T.Zero, plane);
                }
            }
        }
    }

    /// <summary>Images [first, last) side by side: G_y gathered as (O/G × count·L) per group, then
    /// (∂L/∂W_g)ᵀ += cols · G_yᵀ and ∂L/∂cols = W_gᵀ · G_y as two products over the whole chunk.</summary>
    private void BackwardChunk(int part, int first, int last, T[]? weightSumTransposed, T[]? biasSum)
    {
        int positions = _g.OutputPositions, width = (last - first) * positions;
        var (columns, gathered, _, _) = _scratch[part];
        var gys = _outputGradient!;
        for (int n = first; n < last; n++)
        {
            int imageOut = n * _outputs * positions;
            var gy = gys.AsSpan(imageOut, _outputs * positions);
            if (_fuseRelu) BinaryOperator.Apply<ReluBackwardOperator, T>(_y.AsSpan(imageOut, _outputs * positions), gy, gy);
            if (biasSum is null) continue;
            for (int o = 0; o < _outputs; o++) biasSum[o] += TensorPrimitives.Sum<T>(gy.Slice(o * positions, positions));
        }

        for (int group = 0; group < _groups; group++)
        {
            int wOffset = group * _perGroup * _g.PatchSize;
            for (int n = first; n < last; n++)
            {
                Im2Col.Unfold<T>(_x.AsSpan(((n * _groups) + group) * _g.ImageSize, _g.ImageSize), _g, columns.AsSpan((n - first) * positions), width);
                for (int o = 0; o < _perGroup; o++)
                {
                    gys.AsSpan(((n * _outputs) + (group * _perGroup) + o) * positions, positions)
                        .CopyTo(gathered.AsSpan((o * width) + ((n - first) * positions), positions));
                }
            }

            if (weightSumTransposed is not null)
                Gemm.Gemm.Multiply(columns, 0, false, gathered, 0, true, weightSumTransposed, wOffset, _g.PatchSize, width, _perGroup, accumulate: true);
            if (_inputGradient is null) continue;
            Gemm.Gemm.Multiply(_weight, wOffset, true, gathered, 0, false, columns, 0, _g.PatchSize, _perGroup, width);
            for (int n = first; n < last; n++)
            {
                var gx = _inputGradient.AsSpan(((n * _groups) + group) * _g.ImageSize, _g.ImageSize);
                gx.Clear();
                Im2Col.FoldAdd<T>(columns.AsSpan((n - first) * positions), _g, gx, width);
            }
        }
    }
}
