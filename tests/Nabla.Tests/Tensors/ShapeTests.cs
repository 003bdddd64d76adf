using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

public sealed class ShapeTests
{
    [Fact]
    public void Shapes_compare_by_value_and_format_like_tuples()
    {
        Shape a = [2, 3];
        Assert.Equal(new Shape(2, 3), a);
        Assert.True(a == new Shape(2, 3));
        Assert.Equal(6, a.Count);
        Assert.Equal("(2, 3)", a.ToString());
        Assert.Equal("(5,)", new Shape(5).ToString());
        Assert.Equal("()", Shape.Scalar.ToString());
        Assert.Equal([3, 1], a.Strides());
    }

    [Fact]
    public void Broadcast_aligns_from_the_right()
    {
        Assert.Equal(new Shape(2, 3, 4), Shape.Broadcast([2, 1, 4], [3, 1]));
        Assert.Equal(new Shape(5, 4), Shape.Broadcast([4], [5, 1]));
        var e = Assert.Throws<ArgumentException>(() => Shape.Broadcast([2, 3], [2]));
        Assert.Contains("(2, 3) and (2,)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_dimensions_and_axes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, 3).NormalizeAxis(2));
        Assert.Equal(1, new Shape(2, 3).NormalizeAxis(-1));
    }
}
