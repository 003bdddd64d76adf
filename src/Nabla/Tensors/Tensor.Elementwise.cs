using Nabla.Autograd.Functions;
using Nabla.Kernels;

namespace Nabla.Tensors;

// Elementwise arithmetic with NumPy broadcasting: shapes are aligned from the right and each pair of dimensions must
// be equal or one of them 1. Both operands must have the same dtype; a scalar operand takes the tensor's dtype.
public sealed partial class Tensor
{
    /// <summary>a + b, broadcast.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => AddFunction.Apply(a, b);

    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, double s) => AddFunction.Apply(a, ScalarLike(s, a));

    /// <summary>s + a.</summary>
    public static Tensor operator +(double s, Tensor a) => AddFunction.Apply(ScalarLike(s, a), a);

    /// <summary>a − b, broadcast.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => SubtractFunction.Apply(a, b);

    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, double s) => SubtractFunction.Apply(a, ScalarLike(s, a));

    /// <summary>s − a.</summary>
    public static Tensor operator -(double s, Tensor a) => SubtractFunction.Apply(ScalarLike(s, a), a);

    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => NegateFunction.Apply(a);

    /// <summary>a ⊙ b (elementwise product), broadcast.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => MultiplyFunction.Apply(a, b);

    /// <summary>a·s.</summary>
    public static Tensor operator *(Tensor a, double s) => MultiplyFunction.Apply(a, ScalarLike(s, a));

    /// <summary>s·a.</summary>
    public static Tensor operator *(double s, Tensor a) => MultiplyFunction.Apply(ScalarLike(s, a), a);

    /// <summary>a / b elementwise, broadcast. Division by zero gives ±∞ or NaN, as in IEEE 754.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => DivideFunction.Apply(a, b);

    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, double s) => DivideFunction.Apply(a, ScalarLike(s, a));

    /// <summary>s / a.</summary>
    public static Tensor operator /(double s, Tensor a) => DivideFunction.Apply(ScalarLike(s, a), a);

    /// <summary>a + b (named form of the operator).</summary>
    public Tensor Add(Tensor other) => this + other;

    /// <summary>a − b (named form of the operator).</summary>
    public Tensor Subtract(Tensor other) => this - other;

    /// <summary>a ⊙ b (named form of the operator).</summary>
    public Tensor Multiply(Tensor other) => this * other;

    /// <summary>a / b (named form of the operator).</summary>
    public Tensor Divide(Tensor other) => this / other;

    /// <summary>−a (named form of the operator).</summary>
    public Tensor Negate() => -this;

    /// <summary>xᵖ elementwise for a constant exponent; x &lt; 0 with a non-integer p gives NaN.</summary>
    public Tensor Pow(double exponent) => PowScalarFunction.Apply(this, exponent);

    /// <summary>x² elementwise.</summary>
    public Tensor Square() => PowScalarFunction.Apply(this, 2);

    /// <summary>eˣ elementwise.</summary>
    public Tensor Exp() => ExpFunction.Apply(this);

    /// <summary>ln x elementwise (−∞ at 0, NaN below).</summary>
    public Tensor Log() => LogFunction.Apply(this);

    /// <summary>√x elementwise (NaN below 0).</summary>
    public Tensor Sqrt() => SqrtFunction.Apply(this);

    /// <summary>|x| elementwise; its gradient at 0 is 0.</summary>
    public Tensor Abs() => AbsFunction.Apply(this);

    /// <summary>max(a, b) elementwise, broadcast; at ties the gradient goes to a.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MaximumFunction.Apply(a, b);

    /// <summary>min(a, b) elementwise, broadcast; at ties the gradient goes to a.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinimumFunction.Apply(a, b);

    /// <summary>max(x, s) elementwise.</summary>
    public Tensor Maximum(double s) => MaximumFunction.Apply(this, ScalarLike(s, this));

    /// <summary>min(x, s) elementwise.</summary>
    public Tensor Minimum(double s) => MinimumFunction.Apply(this, ScalarLike(s, this));

    /// <summary>condition ? a : b elementwise, all three broadcast; a non-zero condition means true.
    /// Gradients flow to a and b, not to the condition.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WhereFunction.Apply(condition, a, b);
    }

    /// <summary>[a &gt; b] as 1 or 0, broadcast; not differentiable.</summary>
    public Tensor Greater(Tensor other) => RawBinary<GreaterOperator>(this, other, "greater");

    /// <summary>[a ≥ b] as 1 or 0, broadcast; not differentiable.</summary>
    public Tensor GreaterOrEqual(Tensor other) => RawBinary<GreaterOrEqualOperator>(this, other, "greater-or-equal");

    /// <summary>[a &lt; b] as 1 or 0, broadcast; not differentiable.</summary>
    public Tensor Less(Tensor other) => RawBinary<LessOperator>(this, other, "less");

    /// <summary>[a ≤ b] as 1 or 0, broadcast; not differentiable.</summary>
    public Tensor LessOrEqual(Tensor other) => RawBinary<LessOrEqualOperator>(this, other, "less-or-equal");

    /// <summary>[a = b] as 1 or 0, broadcast; not differentiable.</summary>
    public Tensor EqualTo(Tensor other) => RawBinary<EqualOperator>(this, other, "equal");

    /// <summary>[a &gt; s] as 1 or 0; not differentiable.</summary>
    public Tensor Greater(double s) => Greater(ScalarLike(s, this));

    /// <summary>[a &lt; s] as 1 or 0; not differentiable.</summary>
    public Tensor Less(double s) => Less(ScalarLike(s, this));

    private static Tensor ScalarLike(double value, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Scalar(value, like.DType);
    }
}
