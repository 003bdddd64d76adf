using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Elementwise binary operators. Forward ops first, then the fused backward rules of the activations.
#pragma warning disable CA1812 // instantiated only as generic type arguments

internal readonly struct AddOperator : IBinaryOperator<AddOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x + y;
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractOperator : IBinaryOperator<SubtractOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x - y;
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyOperator : IBinaryOperator<MultiplyOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x * y;
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideOperator : IBinaryOperator<DivideOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x / y;
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct MaximumOperator : IBinaryOperator<MaximumOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, y);
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinimumOperator : IBinaryOperator<MinimumOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(x, y);
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, d);
    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(y, x, d);
}

internal readonly struct GreaterOperator : IBinaryOperator<GreaterOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > y ? T.One : T.Zero;
}

internal readonly struct GreaterOrEqualOperator : IBinaryOperator<GreaterOrEqualOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= y ? T.One : T.Zero;
}

internal readonly struct LessOperator : IBinaryOperator<LessOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x < y ? T.One : T.Zero;
}

internal readonly struct LessOrEqualOperator : IBinaryOperator<LessOrEqualOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x <= y ? T.One : T.Zero;
}

internal readonly struct EqualOperator : IBinaryOperator<EqualOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x == y ? T.One : T.Zero;
}

/// <summary>(y, g) ↦ g·y·(1−y): the sigmoid's backward from its saved output y.</summary>
internal readonly struct SigmoidBackwardOperator : IBinaryOperator<SigmoidBackwardOperator>
{
    public static bool IsVectorized => true;

    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (T.One - y);

    public static Vector<T> Apply<T>(Vector<T> y, Vector<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (Vector<T>.One - y);
}

/// <summary>(y, g) ↦ g·(1−y²): tanh's backward from its saved output y.</summary>
internal readonly struct TanhBackwardOperator : IBinaryOperator<TanhBackwardOperator>
{
    public static bool IsVectorized => true;

    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - (y * y));

    public static Vector<T> Apply<T>(Vector<T> y, Vector<T> g) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector<T>.One - (y * y));
}

/// <summary>(y, g) ↦ g·[y &gt; 0]: ReLU's backward from its saved output y, one masked pass.</summary>
internal readonly struct ReluBackwardOperator : IBinaryOperator<ReluBackwardOperator>
{
    public static bool IsVectorized => true;

    public static T Apply<T>(T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => y > T.Zero ? g : T.Zero;

    public static Vector<T> Apply<T>(Vector<T> y, Vector<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), g, Vector<T>.Zero);
}

internal readonly struct NotEqualOperator : IBinaryOperator<NotEqualOperator>
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x != y ? T.One : T.Zero;
}

/// <summary>(m, v) ↦ v where m ≠ 0, else 0: a selection that, unlike m·v, leaves no NaN from 0·∞ in unselected places.</summary>
internal readonly struct SelectOperator : IBinaryOperator<SelectOperator>
{
    public static T Apply<T>(T m, T v) where T : unmanaged, IFloatingPointIeee754<T> => m != T.Zero ? v : T.Zero;
}
