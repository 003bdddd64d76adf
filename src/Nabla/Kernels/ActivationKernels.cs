using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>Single-pass kernels the training plans and the fused Linear need beyond the elementwise operators: leaky
/// ReLU's backward (which reads the input) and the bias gradient.</summary>
internal static class ActivationKernels
{
    /// <summary>Leaky ReLU backward from the input: g ← g ⊙ (x > 0 ? 1 : α), in place.</summary>
    public static void LeakyReluBackward<T>(Span<T> gradient, ReadOnlySpan<T> input, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T g = ref MemoryMarshal.GetReference(gradient);
            ref T x = ref MemoryMarshal.GetReference(input);
            var slopeV = new Vector<T>(slope);
            for (; i + Vector<T>.Count <= gradient.Length; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(Vector.LoadUnsafe(ref x, (nuint)i), Vector<T>.Zero);
                var gi = Vector.LoadUnsafe(ref g, (nuint)i);
                Vector.ConditionalSelect(positive, gi, gi * slopeV).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < gradient.Length; i++)
        {
            if (!(input[i] > T.Zero)) gradient[i] *= slope;
        }
    }

    /// <summary>The bias gradient: sums[j] = Σᵢ g[i, j] over the rows of g (rows × columns); sums is overwritten.</summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, int rows, int columns, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sums = sums[..columns];
        gradient[..columns].CopyTo(sums);
        for (int i = 1; i < rows; i++) TensorPrimitives.Add(sums, gradient.Slice(i * columns, columns), sums);
    }
}
