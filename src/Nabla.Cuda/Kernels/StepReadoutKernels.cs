using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>What a training step on the GPU leaves for the host, gathered on the device so that the step ends with one
/// wait and one copy (GpuKernels.ReadStep): the mean loss written where it lies, each gradient's partial sums
/// (ReductionKernels.PartialSums), and then
/// one small buffer, the readout, of
/// <code>
/// [0] data loss   [1] objective   [2] Σ of every gradient's elements   [3 + r] argmaxⱼ logits[r, j]  (r &lt; rows)
/// </code>
/// Slot 2 is finite exactly when every gradient element is (a NaN or ±∞ anywhere makes the sum NaN or ±∞), unless
/// large finite values overflow it, which the host then checks element by element.</summary>
internal static class StepReadoutKernels
{
    /// <summary>loss[0] = (Σᵣ rowLoss[r]) / rows, the row losses added in row order in float64 and the mean rounded to
    /// the element type once: the CPU's softmax loss, which adds its rows the same way.</summary>
    public static void MeanLoss<T, TPrecision>(Index1D i, ArrayView<T> rowLoss, ArrayView<T> loss, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double sum = 0;
        for (int r = 0; r < rows; r++) sum += TPrecision.Widen(rowLoss[r]);
        loss[0] = TPrecision.Narrow(sum / rows);
    }

    /// <summary>The readout: thread 0 copies the two scalars and adds the first <paramref name="partialCount"/>
    /// partial sums; thread 1 + r writes row r's argmax (as a number of the element type, exact below 2²⁴).</summary>
    public static void Finish<T, TPrecision>(Index1D t, ArrayView<T> dataLoss, ArrayView<T> objective, ArrayView<T> partials, int partialCount, ArrayView<T> logits, int classes, ArrayView<T> readout)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        if (t == 0)
        {
            readout[0] = dataLoss[0];
            readout[1] = objective[0];
            T sum = T.Zero;
            for (int k = 0; k < partialCount; k++) sum += partials[k];
            readout[2] = sum;
            return;
        }

        int row = t - 1;
        readout[3 + row] = TPrecision.Narrow(ReductionKernels.IndexOfMax(logits, row * classes, classes, 1));
    }
}
