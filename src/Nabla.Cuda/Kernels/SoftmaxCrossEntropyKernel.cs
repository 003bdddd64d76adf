using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Softmax cross-entropy and its gradient, one GPU thread per row; the math of the CPU kernel
/// (Nabla.Kernels.SoftmaxCrossEntropyKernel), written per element:
/// <code>
/// m = maxⱼ zⱼ,  lse = m + log Σⱼ exp(zⱼ − m),  Lᵢ = lse − z_y,  ∂Lᵢ/∂zⱼ = scale · (exp(zⱼ − m) / Σ − [j = y])
/// </code>
/// Each row's loss goes to <c>rowLoss</c>, added in row order in float64 as the CPU does: by the host for the op
/// table's sum, by StepReadoutKernels.MeanLoss on the device for a training step's mean.</summary>
internal static class SoftmaxCrossEntropyKernel
{
    public static void Run<T>(Index1D row, ArrayView<T> logits, ArrayView<int> labels, ArrayView<T> gradient, ArrayView<T> rowLoss, int classes, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int first = row * classes, label = labels[row];
        T max = logits[first];
        for (int j = 1; j < classes; j++) max = T.Max(max, logits[first + j]);
        T sum = T.Zero;
        for (int j = 0; j < classes; j++)
        {
            T e = T.Exp(logits[first + j] - max);
            gradient[first + j] = e;
            sum += e;
        }

        rowLoss[row] = max + T.Log(sum) - logits[first + label];
        T factor = scale / sum;
        for (int j = 0; j < classes; j++) gradient[first + j] *= factor;
        gradient[first + label] -= scale;
    }
}
