using System.Numerics;
using Nabla.Threading;

namespace Nabla.Kernels;

/// <summary>Batch normalisation's loops over (N, C, L) data in training mode, run by the autograd primitive
/// (eager and captured); the math is in <c>BatchNormFunction</c>'s remarks. Statistics are summed in float64.</summary>
/// <remarks>Channels are independent, so they are split across the kernel threads: each channel is summed in the same
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
    private double _epsilon;
    private bool _backward;

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

    /// <summary>y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel; keeps μ, σ² and 1/√(σ² + ε).</summary>
    public void Forward(T[] x, T[] gamma, T[] beta, T[] y, T[] normalised, double epsilon)
    {
        (_x, _gamma, _beta, _y, _normalised, _epsilon, _backward) = (x, gamma, beta, y, normalised, epsilon, false);
        WorkerPool.Run(this, Parts());
    }

    /// <summary>∂L/∂x (may be <paramref name="g"/> itself), ∂L/∂γ and ∂L/∂β from ∂L/∂y, x̂ and the last forward
    /// pass's 1/√(σ² + ε).</summary>
    public void Backward(T[] g, T[] normalised, T[] gamma, T[] gx, T[] gGamma, T[] gBeta)
    {
        (_g, _normalised, _gamma, _gx, _gGamma, _gBeta, _backward) = (g, normalised, gamma, gx, gGamma, gBeta, true);
        WorkerPool.Run(this, Parts());
    }

    private int Parts() =>
        (long)_n * _channels * _length < ParallelThreshold ? 1 : Math.Max(1, Math.Min(Parallelism.MaxThreads, _channels));

    public void Run(int part, int parts)
    {
        int first = _channels * part / parts, end = _channels * (part + 1) / parts;
        for (int c = first; c < end; c++)
        {
            if (_backward) BackwardChannel(c);
            else ForwardChannel(c);
        }
    }

    private void ForwardChannel(int c)
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
        double inverseStd = InverseStd[c] = 1 / Math.Sqrt(Variance[c] + _epsilon);
        double scale = double.CreateTruncating(_gamma[c]), shift = double.CreateTruncating(_beta[c]);
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            for (int j = start; j < start + _length; j++)
            {
                double h = (double.CreateTruncating(_x[j]) - mu) * inverseStd;
                _normalised[j] = T.CreateTruncating(h);
                _y[j] = T.CreateTruncating((scale * h) + shift);
            }
        }
    }

    private void BackwardChannel(int c)
    {
        double count = (double)_n * _length;
        double sumG = 0, sumGHat = 0;
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            for (int j = start; j < start + _length; j++)
            {
                double gj = double.CreateTruncating(_g[j]);
                sumG += gj;
                sumGHat += gj * double.CreateTruncating(_normalised[j]);
            }
        }

        _gBeta[c] = T.CreateTruncating(sumG);
        _gGamma[c] = T.CreateTruncating(sumGHat);
        double factor = double.CreateTruncating(_gamma[c]) * InverseStd[c] / count;
        for (int i = 0; i < _n; i++)
        {
            int start = ((i * _channels) + c) * _length;
            for (int j = start; j < start + _length; j++)
                _gx[j] = T.CreateTruncating(factor * ((count * double.CreateTruncating(_g[j])) - sumG - (double.CreateTruncating(_normalised[j]) * sumGHat)));
        }
    }
}
