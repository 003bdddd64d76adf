using System.Numerics;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>An elementwise binary operation d = op(x, y), with span forms for the three broadcast cases the
/// broadcasting kernel meets (both vary, y fixed, x fixed). Operators that TensorPrimitives has override the span
/// forms with its vectorised versions; the others fall back to the scalar loop.</summary>
internal interface IBinaryOperator<TSelf>
    where TSelf : IBinaryOperator<TSelf>
{
    static abstract T Apply<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Whether the operator has the vector form below; the span form then runs whole vectors at a time.</summary>
    static virtual bool IsVectorized => false;

    /// <summary>The operation on whole vectors, for operators whose <see cref="IsVectorized"/> is true.</summary>
    static virtual Vector<T> Apply<T>(Vector<T> x, Vector<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();

    static virtual void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (TSelf.IsVectorized && Vector.IsHardwareAccelerated)
        {
            ref T xRef = ref MemoryMarshal.GetReference(x);
            ref T yRef = ref MemoryMarshal.GetReference(y);
            ref T dRef = ref MemoryMarshal.GetReference(destination);
            for (; i + Vector<T>.Count <= destination.Length; i += Vector<T>.Count)
                TSelf.Apply(Vector.LoadUnsafe(ref xRef, (nuint)i), Vector.LoadUnsafe(ref yRef, (nuint)i)).StoreUnsafe(ref dRef, (nuint)i);
        }

        for (; i < destination.Length; i++) destination[i] = TSelf.Apply(x[i], y[i]);
    }

    static virtual void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = TSelf.Apply(x[i], y);
    }

    static virtual void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = TSelf.Apply(x, y[i]);
    }
}

/// <summary>Calls an operator's span form from outside a generic context (an interface's static virtual members can
/// only be reached through a type parameter).</summary>
internal static class BinaryOperator
{
    /// <summary>destination = op(x, y), elementwise; destination may be x or y.</summary>
    public static void Apply<TOp, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, IFloatingPointIeee754<T> => TOp.Apply(x, y, destination);
}
