using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Elementwise unary operators; α is used only where the operator says so.
#pragma warning disable CA1812 // instantiated only as generic type arguments

internal readonly struct NegateOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
}

/// <summary>sign(x) ∈ {−1, 0, 1}; NaN stays NaN.</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = T.IsNaN(x[i]) ? x[i] : T.CreateTruncating(T.Sign(x[i]));
    }

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;   // 0 and NaN are their own sign
}

/// <summary>x^α.</summary>
internal readonly struct PowOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (alpha == T.CreateTruncating(2)) TensorPrimitives.Multiply(x, x, d);
        else TensorPrimitives.Pow(x, alpha, d);
    }

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => alpha == T.One + T.One ? x * x : T.Pow(x, alpha);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, d);

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, T.Zero);
}

/// <summary>x if x &gt; 0 else α·x.</summary>
internal readonly struct LeakyReluOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? x[i] : alpha * x[i];
    }

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : alpha * x;
}

/// <summary>The leaky ReLU's derivative: 1 if x &gt; 0 else α.</summary>
internal readonly struct LeakyReluDerivativeOperator : IUnaryOperator
{
    public static void Apply<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? T.One : alpha;
    }

    public static T Apply<T>(T x, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : alpha;
}
