using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Elementwise unary operators; α is used only where the operator says so.
#pragma warning disable CA1812 // instantiated only as generic type arguments

internal readonly struct NegateOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, d);
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, d);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, d);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, d);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, d);
}

/// <summary>sign(x) ∈ {−1, 0, 1}; NaN stays NaN.</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = T.IsNaN(x[i]) ? x[i] : T.CreateTruncating(T.Sign(x[i]));
    }
}

/// <summary>x^α.</summary>
internal readonly struct PowOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (alpha == T.CreateTruncating(2)) TensorPrimitives.Multiply(x, x, d);
        else TensorPrimitives.Pow(x, alpha, d);
    }
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, d);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, d);
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, d);
}

/// <summary>x if x &gt; 0 else α·x.</summary>
internal readonly struct LeakyReluOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? x[i] : alpha * x[i];
    }
}

/// <summary>The leaky ReLU's derivative: 1 if x &gt; 0 else α.</summary>
internal readonly struct LeakyReluDerivativeOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? T.One : alpha;
    }
}
