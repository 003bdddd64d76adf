using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.Threading;

namespace Nabla.Kernels;

/// <summary>Batch normalisation's loops over (N, C, L) data in training mode, run by the autograd primitive
/// (eager and captured); the math is in <c>BatchNormFunction</c>'s remarks. Statistics are summed in float64; float32
/// data runs vectorised with one pass for the statistics, float64 data (the gradient checks) in exact two-pass loops.</summary>
/// <remarks>A ReLU after the normalisation can run inside it (the capture's fusion pass asks for it): the forward pass
/// then writes y = max(0, γ·x̂ + β), and the backward pass first masks ∂L/∂y by [y &gt; 0] in place, as the ReLU's own
/// backward would, while each channel's gradient is in cache for its sums. Both are the ReLU kernels' operations on the
/// same values, so the results are theirs bit for bit.
/// Channels are independent, so they are split across the kernel threads: each channel is summed in the same
/// order whatever the split, and the bits are those of one thread. The object keeps the batch's statistics for the
/// backward pass and for the running statistics, and allocates nothing after construction, so a captured step that
/// holds it replays without allocation.</remarks>
internal sealed class BatchNormKernel<T> : IParallelJob
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // Below this many elements a thread hand-off costs more than it saves.
    private const int ParallelThreshold = 32 * 1024;

    private readonly int _n, _channels, _length;

    // The operands of the pass under way, read by the threads' parts.
    private T[] _x = [], _gamma = [], _beta = [], _y = [], _normalised = [], _g = [], _gx = [], _gGamma = [], _gBeta = [];
    private T[]? _reluOutput;
    private double _epsilon;
    private bool _backward, _relu;

    // Synchronised batch norm (a data-parallel step with BatchShard.SyncBatchNormGroup set): the phase each part runs,
    // and the per-channel partial sums the ranks add up between phases.
    private SyncPhase _phase;
    private double[] _sums = [];
    private double _weight;
    private int _globalRows;

    /// <summary>A kernel for (<paramref name="n"/>, <paramref name="channels"/>, <paramref name="length"/>) data that
    /// writes each forward pass's statistics into <paramref name="mean"/> and <paramref name="variance"/>.</summary>
    public BatchNormKernel(int n, int channels, int length, double[] mean, double[] variance)
    {
        (_n, _channels, _length) = (n, channels, length);
        Mean = mean;
        Variance = variance;
        InverseStd = new double[channels];
    }

    /// <summary>μ of each channel in the last forward pass.</summary>
    public double[] Mean { get; }

    /// <summary>σ² (biased) of each channel in the last forward pass.</summary>
    public double[] Variance { get; }

    /// <summary>1/√(σ² + ε) of each channel in the last forward pass.</summary>
    public double[] InverseStd { get; }

    /// <summary>y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel, then y = max(0, y) when
    /// <paramref name="relu"/>; keeps μ, σ² and 1/√(σ² + ε).</summary>
    public void Forward(T[] x, T[] gamma, T[] beta, T[] y, T[] normalised, double epsilon, bool relu = false)
    {
        (_x, _gamma, _beta, _y, _normalised, _epsilon, _relu, _backward) = (x, gamma, beta, y, normalised, epsilon, relu, false);
        if (Training.BatchShard.Current is { SyncBatchNormGroup: { } group } shard)
        {
            ForwardSynchronised(group, shard.GlobalRows);
            return;
        }

        WorkerPool.Run(this, Parts());
    }

    /// <summary>∂L/∂x (may be <paramref name="g"/> itself), ∂L/∂γ and ∂L/∂β from ∂L/∂y, x̂ and the last forward
    /// pass's 1/√(σ² + ε). With <paramref name="reluOutput"/> (the y of a ReLU after this layer), ∂L/∂y is the ReLU's
    /// upstream gradient and is first masked in place, g ← g ⊙ [y &gt; 0].</summary>
    public void Backward(T[] g, T[] normalised, T[] gamma, T[] gx, T[] gGamma, T[] gBeta, T[]? reluOutput = null)
    {
        (_g, _normalised, _gamma, _gx, _gGamma, _gBeta, _reluOutput, _backward) = (g, normalised, gamma, gx, gGamma, gBeta, reluOutput, true);
        if (Training.BatchShard.Current is { SyncBatchNormGroup: { } group } shard)
        {
            BackwardSynchronised(group, shard.GlobalRows);
            return;
        }

        WorkerPool.Run(this, Parts());
    }

    /// <summary>The forward pass with the statistics of the whole global batch, whose <paramref name="globalRows"/>
    /// rows are spread over <paramref name="group"/>'s ranks (this rank holds _n of them). Two passes, each summed
    /// across the ranks: μ = Σx / M, then Σ(x − μ) and Σ(x − μ)², σ² = E[(x − μ)²] − E[x − μ]² (the second term is
    /// the first pass's rounding, as in the one-pass form's shift). The ranks cannot share the one-pass form's shift
    /// (each channel's first value is each rank's own), hence the first pass.</summary>
    private void ForwardSynchronised(Training.IProcessGroup group, int globalRows)
    {
        double count = (double)globalRows * _length;
        if (_sums.Length != 2 * _channels) _sums = new double[2 * _channels];
        _phase = SyncPhase.Sum;
        WorkerPool.Run(this, Parts());
        group.SumInRankOrder(_sums.AsSpan(0, _channels));
        // float32 deviations are taken around μ rounded to float: keep that μ, to which their mean is the correction.
        for (int c = 0; c < _channels; c++) Mean[c] = typeof(T) == typeof(float) ? (float)(_sums[c] / count) : _sums[c] / count;
        _phase = SyncPhase.Deviations;
        WorkerPool.Run(this, Parts());
        group.SumInRankOrder(_sums);
        for (int c = 0; c < _channels; c++)
        {
            double shifted = _sums[c] / count;
            Variance[c] = Math.Max(0, (_sums[_channels + c] / count) - (shifted * shifted));
            Mean[c] += shifted;
            InverseStd[c] = 1 / Math.Sqrt(Variance[c] + _epsilon);
        }

        _phase = SyncPhase.Apply;
        WorkerPool.Run(this, Parts());
        _phase = SyncPhase.None;
    }

    /// <summary>The backward pass through the whole batch's statistics. This rank's ∂L/∂y is that of its own mean loss,
    /// (B / b) times its rows' part of the batch's (b of the B rows; the trainer weights every gradient by b / B before
    /// the ranks sum them). So the ranks sum (b / B)·(Σg, Σg·x̂), the whole batch's sums, and each rank uses them times
    /// B / b in ∂L/∂x = γ·r/M·(M·g − Σg − x̂·Σg·x̂), M the whole batch's count. ∂L/∂γ and ∂L/∂β keep this rank's own
    /// sums: they are parameter gradients, which the trainer's sum adds up.</summary>
    private void BackwardSynchronised(Training.IProcessGroup group, int globalRows)
    {
        if (_sums.Length != 2 * _channels) _sums = new double[2 * _channels];
        (_weight, _globalRows) = ((double)_n / globalRows, globalRows);
        _phase = SyncPhase.Sum;
        WorkerPool.Run(this, Parts());
        group.SumInRankOrder(_sums);
        _phase = SyncPhase.Apply;
        WorkerPool.Run(this, Parts());
        _phase = SyncPhase.None;
    }

    /// <summary>What a part of a synchronised pass does: sum (forward: Σx; backward: the weighted Σg, Σg·x̂), the
    /// forward's deviations from μ, or apply the summed statistics.</summary>
    private enum SyncPhase
    {
        None,
        Sum,
        Deviations,
        Apply,
    }

    private int Parts() =>
        (long)_n * _channels * _length < ParallelThreshold ? 1 : Math.Max(1, Math.Min(Parallelism.MaxThreads, _channels));

    public void Run(int part, int parts)
    {
        int first = _channels * part / parts, end = _channels * (part + 1) / parts;
        for (int c = first; c < end; c++)
        {
            if (_phase != SyncPhase.None)
            {
                if (_backward) BackwardChannelSynchronised(c);
                else ForwardChannelSynchronised(c);
            }
            else if (_backward)
            {
                BackwardChannel(c);
            }
            else
            {
                ForwardChannel(c);
            }
        }
    }

    // float32: vectorised, one pass for the statistics. The sums stay in float64 (each vector of floats is widened to
    // two of doubles): a channel of W5 sums 100,352 values, and float32 sums would lose about 17 of the 24 bits of the
    // last ones. The per-element arithmetic (x̂, y, ∂L/∂x) is float32, in the same order in the vector lanes and the
    // scalar tail, so every element rounds alike wherever it falls.
    // float64 (the gradient checks): exact two-pass statistics and plain loops.

    /// <summary>The forward pass on channel <paramref name="c"/>: its statistics over this rank's rows, then x̂ and y.</summary>
    private void ForwardChannel(int c)
    {
        if (typeof(T) == typeof(float)) StatisticsShifted(c);
        else StatisticsTwoPass(c);
        NormaliseChannel(c);
    }

    /// <summary>μ and σ² of float32 channel <paramref name="c"/> from one pass over shifted values (Σ(x − s) and
    /// Σ(x − s)² with s the channel's first value, so that a channel far from zero keeps its variance's digits:
    /// σ² = E[(x − s)²] − E[x − s]²), and r = 1/√(σ² + ε).</summary>
    private void StatisticsShifted(int c)
    {
        var x = Unsafe.As<float[]>(_x);
        double count = (double)_n * _length, sum = 0, squares = 0;
        float shift = x[c * _length];
        for (int i = 0; i < _n; i++) SumShifted(x.AsSpan(((i * _channels) + c) * _length, _length), shift, ref sum, ref squares);
        double shiftedMean = sum / count;
        Mean[c] = shift + shiftedMean;
        Variance[c] = Math.Max(0, (squares / count) - (shiftedMean * shiftedMean));
        InverseStd[c] = 1 / Math.Sqrt(Variance[c] + _epsilon);
    }

    /// <summary>μ, then σ² = (1/M) Σ (x − μ)², of channel <paramref name="c"/> in float64, and r = 1/√(σ² + ε).</summary>
    private void StatisticsTwoPass(int c)
    {
        double count = (double)_n * _length;
        double sum = 0;
        for (int i = 0; i < _n; i++)
            foreach (var v in _x.AsSpan(((i * _channels) + c) * _length, _length)) sum += double.CreateTruncating(v);
        double mu = sum / count, squares = 0;
        for (int i = 0; i < _n; i++)
        {
            foreach (var v in _x.AsSpan(((i * _channels) + c) * _length, _length))
            {
                double d = double.CreateTruncating(v) - mu;
                squares += d * d;
            }
        }

        (Mean[c], Variance[c]) = (mu, squares / count);
        InverseStd[c] = 1 / Math.Sqrt(Variance[c] + _epsilon);
    }

    /// <summary>x̂ = (x − μ)·r and y = γ·x̂ + β on channel <paramref name="c"/>, from the statistics in
    /// <see cref="Mean"/> and <see cref="InverseStd"/>, then y = max(0, y) when the ReLU is fused.</summary>
    private void NormaliseChannel(int c)
    {
        double mu = Mean[c], r = InverseStd[c];
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            if (typeof(T) == typeof(float))
            {
                Normalise(Unsafe.As<float[]>(_x).AsSpan(start, _length), (float)mu, (float)r, Unsafe.As<float[]>(_gamma)[c], Unsafe.As<float[]>(_beta)[c], Unsafe.As<float[]>(_normalised).AsSpan(start, _length), Unsafe.As<float[]>(_y).AsSpan(start, _length));
            }
            else
            {
                double scale = double.CreateTruncating(_gamma[c]), shift = double.CreateTruncating(_beta[c]);
                for (int j = start; j < start + _length; j++)
                {
                    double h = (double.CreateTruncating(_x[j]) - mu) * r;
                    _normalised[j] = T.CreateTruncating(h);
                    _y[j] = T.CreateTruncating((scale * h) + shift);
                }
            }

            if (_relu) Rectify(_y.AsSpan(start, _length));
        }
    }

    /// <summary>The backward pass on channel <paramref name="c"/>: Σg and Σg·x̂ (∂L/∂β and ∂L/∂γ), then ∂L/∂x.</summary>
    private void BackwardChannel(int c)
    {
        var (sumG, sumGHat) = GradientSums(c);
        (_gBeta[c], _gGamma[c]) = (T.CreateTruncating(sumG), T.CreateTruncating(sumGHat));
        InputGradientChannel(c, (double)_n * _length, sumG, sumGHat);
    }

    /// <summary>Σg and Σg·x̂ over channel <paramref name="c"/> of this rank's rows, in float64; with the fused ReLU, g
    /// is first masked by [y &gt; 0] in place.</summary>
    private (double SumG, double SumGHat) GradientSums(int c)
    {
        double sumG = 0, sumGHat = 0;
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            if (typeof(T) == typeof(float))
            {
                var reluOutput = _reluOutput is null ? default : Unsafe.As<float[]>(_reluOutput).AsSpan(start, _length);
                SumProducts(Unsafe.As<float[]>(_g).AsSpan(start, _length), reluOutput, Unsafe.As<float[]>(_normalised).AsSpan(start, _length), ref sumG, ref sumGHat);
                continue;
            }

            if (_reluOutput is not null) MaskByRelu(start);
            for (int j = start; j < start + _length; j++)
            {
                double gj = double.CreateTruncating(_g[j]);
                sumG += gj;
                sumGHat += gj * double.CreateTruncating(_normalised[j]);
            }
        }

        return (sumG, sumGHat);
    }

    /// <summary>∂L/∂x = γ·r/M·(M·g − Σg − x̂·Σg·x̂) on channel <paramref name="c"/>, M = <paramref name="count"/> the
    /// values the statistics were taken over; float32 as a·g + b·x̂ + d with a, b, d per channel.</summary>
    private void InputGradientChannel(int c, double count, double sumG, double sumGHat)
    {
        double factor = double.CreateTruncating(_gamma[c]) * InverseStd[c] / count;
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            if (typeof(T) == typeof(float))
            {
                float a = (float)(factor * count), b = (float)(-factor * sumGHat), d = (float)(-factor * sumG);
                InputGradient(Unsafe.As<float[]>(_g).AsSpan(start, _length), Unsafe.As<float[]>(_normalised).AsSpan(start, _length), a, b, d, Unsafe.As<float[]>(_gx).AsSpan(start, _length));
                continue;
            }

            for (int j = start; j < start + _length; j++)
                _gx[j] = T.CreateTruncating(factor * ((count * double.CreateTruncating(_g[j])) - sumG - (double.CreateTruncating(_normalised[j]) * sumGHat)));
        }
    }

    /// <summary>One channel's part of <see cref="ForwardSynchronised"/>'s current phase: this rank's Σ(x − s) and
    /// Σ(x − s)² (s = 0 in the first phase, μ in the second; float32 through the vectorised float64 sums), or x̂ and y
    /// from the summed statistics.</summary>
    private void ForwardChannelSynchronised(int c)
    {
        if (_phase == SyncPhase.Apply)
        {
            NormaliseChannel(c);
            return;
        }

        double around = _phase == SyncPhase.Sum ? 0 : Mean[c], sum = 0, squares = 0;
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            if (typeof(T) == typeof(float))
            {
                SumShifted(Unsafe.As<float[]>(_x).AsSpan(start, _length), (float)around, ref sum, ref squares);
            }
            else
            {
                foreach (var v in _x.AsSpan(start, _length))
                {
                    double d = double.CreateTruncating(v) - around;
                    sum += d;
                    squares += d * d;
                }
            }
        }

        (_sums[c], _sums[_channels + c]) = (sum, squares);
    }

    /// <summary>One channel's part of <see cref="BackwardSynchronised"/>'s current phase: this rank's sums (its own
    /// ∂L/∂β and ∂L/∂γ, and weighted by b/B for the ranks' sum), or ∂L/∂x from the whole batch's sums, as this rank's
    /// gradient scale sees them (× B / b), over the whole batch's count.</summary>
    private void BackwardChannelSynchronised(int c)
    {
        if (_phase == SyncPhase.Sum)
        {
            var (sumG, sumGHat) = GradientSums(c);
            (_gBeta[c], _gGamma[c]) = (T.CreateTruncating(sumG), T.CreateTruncating(sumGHat));
            (_sums[c], _sums[_channels + c]) = (_weight * sumG, _weight * sumGHat);
            return;
        }

        InputGradientChannel(c, (double)_globalRows * _length, _sums[c] / _weight, _sums[_channels + c] / _weight);
    }

    /// <summary>sum += Σ(x − s), squares += Σ(x − s)², in float64.</summary>
    private static void SumShifted(ReadOnlySpan<float> x, float shift, ref double sum, ref double squares)
    {
        int width = Vector<float>.Count, i = 0;
        var s = new Vector<double>(shift);
        Vector<double> sums = Vector<double>.Zero, squaresSum = Vector<double>.Zero;
        ref float start = ref MemoryMarshal.GetReference(x);
        for (; i + width <= x.Length; i += width)
        {
            Vector.Widen(Vector.LoadUnsafe(ref start, (nuint)i), out var low, out var high);
            low -= s;
            high -= s;
            sums += low + high;
            squaresSum += (low * low) + (high * high);
        }

        double tailSum = 0, tailSquares = 0;
        for (; i < x.Length; i++)
        {
            double d = x[i] - (double)shift;
            tailSum += d;
            tailSquares += d * d;
        }

        sum += Vector.Sum(sums) + tailSum;
        squares += Vector.Sum(squaresSum) + tailSquares;
    }

    /// <summary>x̂ = (x − μ)·r, y = γ·x̂ + β.</summary>
    private static void Normalise(ReadOnlySpan<float> x, float mean, float r, float gamma, float beta, Span<float> normalised, Span<float> y)
    {
        int width = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), rv = new(r), g = new(gamma), b = new(beta);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float hs = ref MemoryMarshal.GetReference(normalised);
        ref float ys = ref MemoryMarshal.GetReference(y);
        for (; i + width <= x.Length; i += width)
        {
            var h = (Vector.LoadUnsafe(ref xs, (nuint)i) - m) * rv;
            h.StoreUnsafe(ref hs, (nuint)i);
            ((h * g) + b).StoreUnsafe(ref ys, (nuint)i);
        }

        for (; i < x.Length; i++)
        {
            float h = (x[i] - mean) * r;
            normalised[i] = h;
            y[i] = (h * gamma) + beta;
        }
    }

    /// <summary>sumG += Σg, sumGHat += Σg·x̂, in float64. With the fused ReLU's output (not empty), g is first masked
    /// in place, g ← g ⊙ [y &gt; 0] (the ReLU's backward, as <see cref="ReluBackwardOperator"/>), in the same pass: a
    /// separate masking pass over the row cost most of what the sums do.</summary>
    private static void SumProducts(Span<float> g, ReadOnlySpan<float> reluOutput, ReadOnlySpan<float> normalised, ref double sumG, ref double sumGHat)
    {
        int width = Vector<float>.Count, i = 0;
        bool masks = !reluOutput.IsEmpty;
        if (masks && reluOutput.Length < g.Length) throw new ArgumentException("batch norm: the ReLU's output is shorter than the gradient");
        Vector<double> sums = Vector<double>.Zero, products = Vector<double>.Zero;
        ref float gs = ref MemoryMarshal.GetReference(g);
        ref float ys = ref MemoryMarshal.GetReference(reluOutput);
        ref float hs = ref MemoryMarshal.GetReference(normalised);
        for (; i + width <= g.Length; i += width)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            if (masks)
            {
                gv = ReluBackwardOperator.Apply(Vector.LoadUnsafe(ref ys, (nuint)i), gv);
                gv.StoreUnsafe(ref gs, (nuint)i);
            }

            Vector.Widen(gv, out var gLow, out var gHigh);
            Vector.Widen(Vector.LoadUnsafe(ref hs, (nuint)i), out var hLow, out var hHigh);
            sums += gLow + gHigh;
            products += (gLow * hLow) + (gHigh * hHigh);
        }

        double tailSum = 0, tailProducts = 0;
        for (; i < g.Length; i++)
        {
            if (masks) g[i] = ReluBackwardOperator.Apply(reluOutput[i], g[i]);
            tailSum += g[i];
            tailProducts += (double)g[i] * normalised[i];
        }

        sumG += Vector.Sum(sums) + tailSum;
        sumGHat += Vector.Sum(products) + tailProducts;
    }

    /// <summary>gx = a·g + b·x̂ + d (gx may be g).</summary>
    private static void InputGradient(ReadOnlySpan<float> g, ReadOnlySpan<float> normalised, float a, float b, float d, Span<float> gx)
    {
        int width = Vector<float>.Count, i = 0;
        Vector<float> av = new(a), bv = new(b), dv = new(d);
        ref float gs = ref MemoryMarshal.GetReference(g);
        ref float hs = ref MemoryMarshal.GetReference(normalised);
        ref float outs = ref MemoryMarshal.GetReference(gx);
        for (; i + width <= g.Length; i += width)
            ((av * Vector.LoadUnsafe(ref gs, (nuint)i)) + (bv * Vector.LoadUnsafe(ref hs, (nuint)i)) + dv).StoreUnsafe(ref outs, (nuint)i);
        for (; i < g.Length; i++) gx[i] = (a * g[i]) + (b * normalised[i]) + d;
    }

    /// <summary>y ← max(0, y), the ReLU kernel's operation: T.Max is IEEE 754's maximum, as TensorPrimitives.Max
    /// (NaN stays NaN, −0 becomes +0). A channel's rows of one value each (features, L = 1) take the scalar form, which
    /// costs less than a call into TensorPrimitives per value.</summary>
    private static void Rectify<TValue>(Span<TValue> y)
        where TValue : unmanaged, IFloatingPointIeee754<TValue>
    {
        if (y.Length >= Vector<TValue>.Count)
        {
            TensorPrimitives.Max(y, TValue.Zero, y);
            return;
        }

        foreach (ref var v in y) v = TValue.Max(v, TValue.Zero);
    }

    /// <summary>g ← g ⊙ [y &gt; 0] on the row of one image and channel that starts at <paramref name="start"/>: the
    /// ReLU's backward, on the gradient this layer is about to sum.</summary>
    private void MaskByRelu(int start)
    {
        var g = _g.AsSpan(start, _length);
        BinaryOperator.Apply<ReluBackwardOperator, T>(_reluOutput.AsSpan(start, _length), g, g);
    }
}
