using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public sealed class BackwardEngineTests
{
    [Fact]
    public void A_chain_of_ten_thousand_ops_backpropagates_without_overflowing_the_stack()
    {
        var x = Tensor.FromArray([1.0], [1]);
        x.RequiresGrad = true;
        var y = x;
        for (int i = 0; i < 10_000; i++) y = y * 1.0001;
        y.Sum().Backward();
        Assert.Equal(Math.Pow(1.0001, 10_000), x.Grad!.Item(), 6);
    }

    [Fact]
    public void A_tensor_used_twice_receives_the_sum_of_both_gradients()
    {
        var x = Tensor.FromArray([3.0], [1]);
        x.RequiresGrad = true;
        var y = (x * x) + x.Exp();    // dy/dx = 2x + eˣ
        y.Sum().Backward();
        Assert.Equal((2 * 3.0) + Math.Exp(3), x.Grad!.Item(), 10);
    }

    [Fact]
    public void A_leaf_takes_its_first_gradient_as_it_is_only_when_nothing_else_holds_it()
    {
        // An addition passes its upstream gradient to both operands, and a reshape passes a view of it: were a leaf to
        // take such a tensor as its gradient, a later accumulation into one leaf would change the other's gradient too.
        var a = Tensor.FromArray([1.0, 2.0, 3.0], [3]);
        var b = Tensor.FromArray([4.0, 5.0, 6.0], [3]);
        var w = Tensor.FromArray([1.0, -1.0, 2.0, 0.5, 3.0, 1.0], [3, 2]);
        foreach (var t in new[] { a, b, w }) t.RequiresGrad = true;
        var c = a + b;
        ((c * c).Sum() + (c.Reshape(1, 3).MatMul(w) * 2.0).Sum()).Backward();
        double[] expected = [.. c.ToDoubleArray().Select((v, i) => (2 * v) + (2 * ((w[i, 0] + w[i, 1]))))];
        Assert.Equal(expected, a.Grad!.ToDoubleArray());
        Assert.Equal(expected, b.Grad!.ToDoubleArray());

        (a * 10.0).Sum().Backward();   // accumulates into a's gradient alone
        Assert.Equal(expected.Select(v => v + 10), a.Grad!.ToDoubleArray());
        Assert.Equal(expected, b.Grad!.ToDoubleArray());
        var wGrad = w.Grad!.ToDoubleArray();
        (w * 1.0).Sum().Backward();
        Assert.Equal(wGrad.Select(v => v + 1), w.Grad!.ToDoubleArray());
        Assert.Equal(expected, b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Gradients_accumulate_until_zeroed()
    {
        var x = Tensor.FromArray([2.0, -1.0], [2]);
        x.RequiresGrad = true;
        (x * 3.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.Equal([6.0, 6.0], x.Grad!.ToDoubleArray());
        x.ZeroGrad();
        Assert.Equal([0.0, 0.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void NoGrad_scope_records_nothing_and_restores_the_mode()
    {
        var x = Tensor.FromArray([1.0f], [1]);
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
        }

        Assert.True(GradMode.IsEnabled);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Detach_cuts_the_graph()
    {
        var x = Tensor.FromArray([2.0], [1]);
        x.RequiresGrad = true;
        var y = (x.Detach() * x).Sum();   // only the second factor carries gradient: d/dx = x (detached) = 2
        y.Backward();
        Assert.Equal(2.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Backward_with_an_explicit_seed_weights_the_outputs()
    {
        var x = Tensor.FromArray([1.0, 2.0], [2]);
        x.RequiresGrad = true;
        var y = x * x;                                   // dy_i/dx_i = 2x_i
        y.Backward(Tensor.FromArray([10.0, 100.0], [2]));
        Assert.Equal([20.0, 400.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Backward_needs_a_scalar_or_a_seed_of_the_same_shape()
    {
        var x = Tensor.Ones([2, 2]);
        x.RequiresGrad = true;
        var y = x * 2.0;
        Assert.Contains("(2, 2)", Assert.Throws<InvalidOperationException>(y.Backward).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([3])));
    }

    [Fact]
    public void RequiresGrad_cannot_be_set_on_a_result()
    {
        var x = Tensor.Ones([2]);
        x.RequiresGrad = true;
        var y = x + 1.0;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }
}
