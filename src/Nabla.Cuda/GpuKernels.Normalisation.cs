using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;

namespace Nabla.Cuda;

// Batch and layer normalisation's launches (the op table's BatchNormOp and LayerNorm entries).
internal sealed partial class GpuKernels
{
    /// <summary>Training-mode batch normalisation of (n, channels, length) data, its statistics kept on the GPU.</summary>
    public BatchNormOp BatchNorm(int n, int channels, int length) => new GpuBatchNorm(this, n, channels, length);

    /// <summary>The running statistics from a forward pass's <paramref name="statistics"/>
    /// (<see cref="BatchNormOp.UpdateRunning"/>).</summary>
    internal void BatchNormRunning(BackendStorage runningMean, BackendStorage runningVariance, ArrayView<double> statistics, int channels, double momentum, double values)
    {
        if (IsSingle(runningMean)) Load("bn-running", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, double, double>(BatchNormKernels.Running<float, SinglePrecision>))(channels, View<float>(runningMean), View<float>(runningVariance), statistics, channels, momentum, values);
        else Load("bn-running", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, double, double>(BatchNormKernels.Running<double, DoublePrecision>))(channels, View<double>(runningMean), View<double>(runningVariance), statistics, channels, momentum, values);
    }

    internal void BatchNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, ArrayView<double> statistics, BatchNormShape s, double epsilon, bool relu)
    {
        int reluFlag = relu ? 1 : 0;
        if (IsSingle(x))
        {
            Load("bn-statistics-partials", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.StatisticsPartials<float, SinglePrecision>))(s.Channels * s.Parts, View<float>(x), statistics, s, 0);
            Load("bn-statistics", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, BatchNormShape, int, double>(BatchNormKernels.StatisticsFinish<float, SinglePrecision>))(s.Channels, View<float>(x), statistics, s, 0, epsilon);
            Load("bn-normalise", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.Normalise<float, SinglePrecision>))(x.Length, View<float>(x), View<float>(gamma), View<float>(beta), View<float>(y), View<float>(normalised), statistics, s, reluFlag);
        }
        else
        {
            // float64: the mean first, then the deviations around it (two passes, as the CPU).
            for (int phase = 0; phase < 2; phase++)
            {
                Load("bn-statistics-partials", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.StatisticsPartials<double, DoublePrecision>))(s.Channels * s.Parts, View<double>(x), statistics, s, phase);
                Load("bn-statistics", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, BatchNormShape, int, double>(BatchNormKernels.StatisticsFinish<double, DoublePrecision>))(s.Channels, View<double>(x), statistics, s, phase, epsilon);
            }

            Load("bn-normalise", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.Normalise<double, DoublePrecision>))(x.Length, View<double>(x), View<double>(gamma), View<double>(beta), View<double>(y), View<double>(normalised), statistics, s, reluFlag);
        }
    }

    internal void BatchNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, ArrayView<double> statistics, BatchNormShape s)
    {
        if (IsSingle(g))
        {
            Load("bn-sums-partials", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientPartials<float, SinglePrecision>))(s.Channels * s.Parts, View<float>(g), View<float>(normalised), statistics, s);
            Load("bn-sums", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientFinish<float, SinglePrecision>))(s.Channels, View<float>(gGamma), View<float>(gBeta), statistics, s);
            Load("bn-input-gradient", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape>(BatchNormKernels.InputGradient<float, SinglePrecision>))(g.Length, View<float>(g), View<float>(normalised), View<float>(gamma), View<float>(gx), statistics, s);
        }
        else
        {
            Load("bn-sums-partials", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientPartials<double, DoublePrecision>))(s.Channels * s.Parts, View<double>(g), View<double>(normalised), statistics, s);
            Load("bn-sums", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientFinish<double, DoublePrecision>))(s.Channels, View<double>(gGamma), View<double>(gBeta), statistics, s);
            Load("bn-input-gradient", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape>(BatchNormKernels.InputGradient<double, DoublePrecision>))(g.Length, View<double>(g), View<double>(normalised), View<double>(gamma), View<double>(gx), statistics, s);
        }
    }

    /// <summary>Layer normalisation's forward over rows of <paramref name="features"/>: y and x̂, and each row's
    /// 1/√(σ² + ε) into <paramref name="inverseStd"/> (on the host, as the op table's signature has it: a wait for the
    /// kernel).</summary>
    public void LayerNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, int features, double[] inverseStd, double epsilon)
    {
        int rows = inverseStd.Length;
        if (rows == 0) return;
        var inverse = Scratch(ref _rowStatistics, rows);
        if (IsSingle(x)) Load("ln-forward", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, double>(LayerNormKernels.Forward<float, SinglePrecision>))(rows, View<float>(x), View<float>(gamma), View<float>(beta), View<float>(y), View<float>(normalised), inverse.View, features, epsilon);
        else Load("ln-forward", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, double>(LayerNormKernels.Forward<double, DoublePrecision>))(rows, View<double>(x), View<double>(gamma), View<double>(beta), View<double>(y), View<double>(normalised), inverse.View, features, epsilon);
        ReadBack(inverse.View.SubView(0, rows), inverseStd.AsSpan());
    }

    /// <summary>Layer normalisation's backward: ∂L/∂x, ∂L/∂γ and ∂L/∂β (summed in float64 on the accelerator; the host
    /// scratch <paramref name="gammaSums"/> and <paramref name="betaSums"/> of the table's signature is not needed).</summary>
    public void LayerNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, double[] inverseStd, double[] gammaSums, double[] betaSums)
    {
        int rows = inverseStd.Length, features = gammaSums.Length;
        if (rows == 0) return;
        var inverse = Scratch(ref _rowStatistics, rows);
        HostTransfers.FromHost<double>(inverseStd, inverse.View.SubView(0, rows));
        if (IsSingle(g))
        {
            // ∂γ and ∂β first: ∂x may be written over g.
            Load("ln-parameters", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(LayerNormKernels.ParameterGradients<float, SinglePrecision>))(features, View<float>(g), View<float>(normalised), View<float>(gGamma), View<float>(gBeta), rows, features);
            Load("ln-input", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int>(LayerNormKernels.InputGradient<float, SinglePrecision>))(rows, View<float>(g), View<float>(normalised), View<float>(gamma), View<float>(gx), inverse.View, features);
        }
        else
        {
            Load("ln-parameters", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int>(LayerNormKernels.ParameterGradients<double, DoublePrecision>))(features, View<double>(g), View<double>(normalised), View<double>(gGamma), View<double>(gBeta), rows, features);
            Load("ln-input", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(LayerNormKernels.InputGradient<double, DoublePrecision>))(rows, View<double>(g), View<double>(normalised), View<double>(gamma), View<double>(gx), inverse.View, features);
        }
    }
}
