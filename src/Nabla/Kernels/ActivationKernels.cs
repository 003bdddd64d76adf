using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>Single-pass kernels for activation backward passes and bias gradients, used by the training plans.</summary>
internal static class ActivationKernels
{
    /// <summary>ReLU backward from the output: g ← g ⊙ [y > 0], in place (ReLU'(a) = [a > 0] and y = max(a, 0), so
    /// y > 0 exactly where a > 0).</summary>
    public static void MaskWherePositive<T>(Span<T> gradient, ReadOnlySpan<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T g = ref MemoryMarshal.GetReference(gradient);
            ref T y = ref MemoryMarshal.GetReference(output);
            for (; i + Vector<T>.Count <= gradient.Length; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(Vector.LoadUnsafe(ref y, (nuint)i), Vector<T>.Zero);
                Vector.ConditionalSelect(positive, Vector.LoadUnsafe(ref g, (nuint)i), Vector<T>.Zero).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < gradient.Length; i++)
        {
            if (!(output[i] > T.Zero)) gradient[i] = T.Zero;
        }
    }

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

    /// <summary>tanh backward from the output: g ← g ⊙ (1 − y²), in place.</summary>
    public static void TanhBackward<T>(Span<T> gradient, ReadOnlySpan<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T g = ref MemoryMarshal.GetReference(gradient);
            ref T y = ref MemoryMarshal.GetReference(output);
            for (; i + Vector<T>.Count <= gradient.Length; i += Vector<T>.Count)
            {
                var yi = Vector.LoadUnsafe(ref y, (nuint)i);
                (Vector.LoadUnsafe(ref g, (nuint)i) * (Vector<T>.One - (yi * yi))).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < gradient.Length; i++) gradient[i] *= T.One - (output[i] * output[i]);
    }

    /// <summary>Sigmoid backward from the output: g ← g ⊙ y(1 − y), in place.</summary>
    public static void SigmoidBackward<T>(Span<T> gradient, ReadOnlySpan<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T g = ref MemoryMarshal.GetReference(gradient);
            ref T y = ref MemoryMarshal.GetReference(output);
            for (; i + Vector<T>.Count <= gradient.Length; i += Vector<T>.Count)
            {
                var yi = Vector.LoadUnsafe(ref y, (nuint)i);
                (Vector.LoadUnsafe(ref g, (nuint)i) * (yi * (Vector<T>.One - yi))).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < gradient.Length; i++) gradient[i] *= output[i] * (T.One - output[i]);
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
