using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

/// <summary>Tensor operations with operands that do not fit name both shapes (and dtypes) at the operation.</summary>
public sealed class TensorGuardTests
{
    [Fact]
    public void Elementwise_operations_name_both_shapes()
    {
        var a = Tensor.Zeros([2, 3]);
        var b = Tensor.Zeros([4, 3]);
        Guard.Throws<ArgumentException>(() => _ = a + b, "(2, 3)", "(4, 3)");
        Guard.Throws<ArgumentException>(() => _ = a - b, "(2, 3)", "(4, 3)");
        Guard.Throws<ArgumentException>(() => _ = a * b, "(2, 3)", "(4, 3)");
        Guard.Throws<ArgumentException>(() => _ = a / b, "(2, 3)", "(4, 3)");
        Guard.Throws<ArgumentException>(() => _ = a + Tensor.Zeros([2, 3], DType.Float64), "float32", "float64");
    }

    [Fact]
    public void Matrix_products_name_both_shapes()
    {
        Guard.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])), "(2, 3)", "(4, 5)");
        Guard.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMulTransposed(Tensor.Zeros([5, 4])), "(2, 3)", "(5, 4)");
        Guard.Throws<ArgumentException>(() => Tensor.Zeros([3]).MatMul(Tensor.Zeros([3, 2])), "(3,)");
        Guard.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([3, 2], DType.Float64)), "float32", "float64");
    }

    [Fact]
    public void Shaping_names_the_shapes_and_axes()
    {
        var t = Tensor.Zeros([2, 3]);
        Guard.Throws<ArgumentException>(() => t.Reshape(4, 2), "(2, 3)", "(4, 2)");
        Guard.Throws<ArgumentOutOfRangeException>(() => t.Sum(2), "axis 2", "(2, 3)");
        Guard.Throws<ArgumentOutOfRangeException>(() => t.Slice(1, 2, 2), "(2, 3)");
        Guard.Throws<ArgumentException>(() => Tensor.Concat([t, Tensor.Zeros([2, 4])], 0), "(2, 3)", "(2, 4)");
        Guard.Throws<ArgumentException>(() => t.CopyFrom(Tensor.Zeros([3, 2])), "(3, 2)", "(2, 3)");
        Guard.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], [2, 3]), "5", "(2, 3)");
        Guard.Throws<ArgumentOutOfRangeException>(() => t.IndexRows([0, 2]), "row 2", "(2, 3)");
        Guard.Throws<ArgumentOutOfRangeException>(() => t.GatherRows([0, 3]), "index 3", "(2, 3)");
        Guard.Throws<InvalidOperationException>(() => t.Item(), "(2, 3)");
    }
}
