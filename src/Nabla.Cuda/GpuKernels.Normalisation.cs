using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;

namespace Nabla.Cuda;

// Batch normalisation's launches (the op table's BatchNormOp).
internal sealed partial class GpuKernels
{
    /// <summary>Training-mode batch normalisation of (n, channels, length) data, writing each forward pass's statistics
    /// into <paramref name="mean"/> and <paramref name="variance"/>.</summary>
    public BatchNormOp BatchNorm(int n, int channels, int length, double[] mean, double[] variance) => new GpuBatchNorm(this, n, channels, length, mean, variance);

    internal void BatchNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, ArrayView<double> statistics, BatchNormShape s, double epsilon, bool relu)
    {
        int reluFlag = relu ? 1 : 0;
        if (IsSingle(x))
        {
            Load("bn-statistics", typeof(void), typeof(float), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, BatchNormShape, double>(BatchNormKernels.Statistics<float, SinglePrecision>))(s.Channels, View<float>(x), statistics, s, epsilon);
            Load("bn-normalise", typeof(void), typeof(float), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.Normalise<float, SinglePrecision>))(x.Length, View<float>(x), View<float>(gamma), View<float>(beta), View<float>(y), View<float>(normalised), statistics, s, reluFlag);
        }
        else
        {
            Load("bn-statistics", typeof(void), typeof(double), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, BatchNormShape, double>(BatchNormKernels.Statistics<double, DoublePrecision>))(s.Channels, View<double>(x), statistics, s, epsilon);
            Load("bn-normalise", typeof(void), typeof(double), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape, int>(BatchNormKernels.Normalise<double, DoublePrecision>))(x.Length, View<double>(x), View<double>(gamma), View<double>(beta), View<double>(y), View<double>(normalised), statistics, s, reluFlag);
        }
    }

    internal void BatchNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, ArrayView<double> statistics, BatchNormShape s)
    {
        if (IsSingle(g))
        {
            Load("bn-sums", typeof(void), typeof(float), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientSums<float, SinglePrecision>))(s.Channels, View<float>(g), View<float>(normalised), View<float>(gGamma), View<float>(gBeta), statistics, s);
            Load("bn-input-gradient", typeof(void), typeof(float), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, BatchNormShape>(BatchNormKernels.InputGradient<float, SinglePrecision>))(g.Length, View<float>(g), View<float>(normalised), View<float>(gamma), View<float>(gx), statistics, s);
        }
        else
        {
            Load("bn-sums", typeof(void), typeof(double), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape>(BatchNormKernels.GradientSums<double, DoublePrecision>))(s.Channels, View<double>(g), View<double>(normalised), View<double>(gGamma), View<double>(gBeta), statistics, s);
            Load("bn-input-gradient", typeof(void), typeof(double), () => Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, BatchNormShape>(BatchNormKernels.InputGradient<double, DoublePrecision>))(g.Length, View<double>(g), View<double>(normalised), View<double>(gamma), View<double>(gx), statistics, s);
        }
    }
}
