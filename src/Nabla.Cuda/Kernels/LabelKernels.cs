using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Targets built from integer labels (uploaded to the accelerator with the batch), one thread per element.</summary>
internal static class LabelKernels
{
    /// <summary>y[r, c] = 1 where c is row r's label, else 0 (y is rows × classes).</summary>
    public static void OneHot<T>(Index1D i, ArrayView<int> labels, ArrayView<T> y, int classes)
        where T : unmanaged, IFloatingPointIeee754<T> => y[i] = labels[i / classes] == i % classes ? T.One : T.Zero;

    /// <summary>y[r] = row r's label as a number (one kernel per element type: a kernel may convert an int to a float
    /// or a double, not to a generic type).</summary>
    public static void Values(Index1D i, ArrayView<int> labels, ArrayView<float> y) => y[i] = labels[i];

    /// <inheritdoc cref="Values(Index1D, ArrayView{int}, ArrayView{float})"/>
    public static void Values(Index1D i, ArrayView<int> labels, ArrayView<double> y) => y[i] = labels[i];
}
