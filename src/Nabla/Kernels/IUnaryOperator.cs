using System.Numerics;

namespace Nabla.Kernels;

/// <summary>An elementwise unary operation d = op(x; α), where α is an optional scalar parameter
/// (the exponent of a power, the slope of a leaky ReLU) that other operators ignore.</summary>
internal interface IUnaryOperator
{
    static abstract void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The same operation on one element: the form a GPU kernel (one thread per element) runs.</summary>
    static abstract T Apply<T>(T x, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
