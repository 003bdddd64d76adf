using System.Numerics;

namespace Nabla.Kernels;

/// <summary>An elementwise binary operation d = op(x, y), with span forms for the three broadcast cases the
/// broadcasting kernel meets (both vary, y fixed, x fixed). Operators that TensorPrimitives has override the span
/// forms with its vectorised versions; the others fall back to the scalar loop.</summary>
internal interface IBinaryOperator<TSelf>
    where TSelf : IBinaryOperator<TSelf>
{
    static abstract T Apply<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static virtual void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = TSelf.Apply(x[i], y[i]);
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
