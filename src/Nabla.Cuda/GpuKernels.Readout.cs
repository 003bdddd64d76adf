using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;

namespace Nabla.Cuda;

/// <summary>The end of a training step on the GPU without waiting mid-step: the mean loss written on the device, and
/// everything the host needs from the step gathered into one readout (<see cref="StepReadoutKernels"/>), copied back
/// with one wait.</summary>
internal sealed partial class GpuKernels
{
    private GpuStorage<float>? _readoutSingle, _partialsSingle;
    private GpuStorage<double>? _readoutDouble, _partialsDouble;
    private float[] _readoutHostSingle = [];
    private double[] _readoutHostDouble = [];

    /// <summary>The mean softmax loss into element 0 of <paramref name="loss"/> and its gradient into
    /// <paramref name="gradient"/>, all on the device: labels uploaded (the batch's), nothing read back.</summary>
    public void SoftmaxCrossEntropyMean(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient, BackendStorage loss)
    {
        var rowLoss = RowLosses(logits, labels, rows, classes, gradient);
        if (IsSingle(logits)) Load("mean-loss", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(StepReadoutKernels.MeanLoss<float, SinglePrecision>))(1, View<float>(rowLoss), View<float>(loss), rows);
        else Load("mean-loss", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(StepReadoutKernels.MeanLoss<double, DoublePrecision>))(1, View<double>(rowLoss), View<double>(loss), rows);
    }

    /// <summary>The step's values (<see cref="IStepReadout.ReadStep"/>): one launch per gradient, one to gather, one
    /// wait and copy.</summary>
    public StepValues ReadStep(BackendStorage dataLoss, BackendStorage objective, BackendStorage?[] gradients, BackendStorage logits, int rows, int classes, Span<int> predictions)
    {
        int gradientCount = 0;
        foreach (var g in gradients)
        {
            if (g is not null) gradientCount++;
        }

        int partialCount = gradientCount * PartialSumThreads, length = 3 + rows;
        if (IsSingle(logits))
        {
            var partials = Scratch(ref _partialsSingle, Math.Max(partialCount, 1));
            int offset = 0;
            foreach (var g in gradients)
            {
                if (g is null) continue;
                PartialSums(g, partials.View.SubView(offset, PartialSumThreads), PartialSumThreads, squares: false);
                offset += PartialSumThreads;
            }

            var readout = Scratch(ref _readoutSingle, length);
            Load("readout", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>>(StepReadoutKernels.Finish<float, SinglePrecision>))(1 + rows, View<float>(dataLoss), View<float>(objective), partials.View, partialCount, View<float>(logits), classes, readout.View);
            if (_readoutHostSingle.Length < length) _readoutHostSingle = new float[length];
            var host = _readoutHostSingle.AsSpan(0, length);
            ReadBack(readout.View.SubView(0, length), host);
            for (int r = 0; r < rows; r++) predictions[r] = (int)host[3 + r];
            return new StepValues(host[0], host[1], float.IsFinite(host[2]));
        }
        else
        {
            var partials = Scratch(ref _partialsDouble, Math.Max(partialCount, 1));
            int offset = 0;
            foreach (var g in gradients)
            {
                if (g is null) continue;
                PartialSums(g, partials.View.SubView(offset, PartialSumThreads), PartialSumThreads, squares: false);
                offset += PartialSumThreads;
            }

            var readout = Scratch(ref _readoutDouble, length);
            Load("readout", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, int, ArrayView<double>>(StepReadoutKernels.Finish<double, DoublePrecision>))(1 + rows, View<double>(dataLoss), View<double>(objective), partials.View, partialCount, View<double>(logits), classes, readout.View);
            if (_readoutHostDouble.Length < length) _readoutHostDouble = new double[length];
            var host = _readoutHostDouble.AsSpan(0, length);
            ReadBack(readout.View.SubView(0, length), host);
            for (int r = 0; r < rows; r++) predictions[r] = (int)host[3 + r];
            return new StepValues(host[0], host[1], double.IsFinite(host[2]));
        }
    }
}
