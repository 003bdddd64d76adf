using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>The bias gradient of a layer a = x Wᵀ + b: ∂L/∂b = Σ_rows ∂L/∂a.</summary>
internal static class BiasGradientKernel
{
    /// <summary>sums[j] = Σᵢ g[i, j] over the rows of g (rows × columns), row by row in order (so the bits do not
    /// depend on the thread count); sums is overwritten.</summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, int rows, int columns, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sums = sums[..columns];
        gradient[..columns].CopyTo(sums);
        for (int i = 1; i < rows; i++) TensorPrimitives.Add(sums, gradient.Slice(i * columns, columns), sums);
    }
}
