using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Tests.Backends;

/// <summary>The checking backend catches what a buffer plan could get wrong: a read of a buffer nothing wrote, a
/// kernel touching a buffer it did not declare, a read of memory that went to another buffer, and a partial write.</summary>
public sealed class CheckingBackendTests
{
    [Fact]
    public void A_kernel_that_reads_a_buffer_nothing_wrote_throws_naming_the_op()
    {
        using var scope = Backend.Use(new CheckingBackend());
        var fresh = Tensor.Uninitialized([4], DType.Float32);
        var output = Tensor.Uninitialized([4], DType.Float32);
        var e = Assert.Throws<InvalidOperationException>(() => Kernel.Launch([fresh], [output], () => fresh.Buffer<float>().CopyTo(output.Buffer<float>(), 0)));
        Assert.Contains("before anything wrote it", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(CheckingBackendTests), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fresh_buffer_is_poisoned_so_that_a_partial_write_leaves_nan()
    {
        using var scope = Backend.Use(new CheckingBackend());
        var output = Tensor.Uninitialized([4], DType.Float64);
        Kernel.Launch([], [output], () => output.Buffer<double>()[0] = 1);
        Assert.True(double.IsNaN(output.GetFlat(3)));

        var zeros = Tensor.Zeros([4], DType.Float64);   // zeros are written by their allocation
        Kernel.Launch([zeros], [output], () => zeros.Buffer<double>().CopyTo(output.Buffer<double>(), 0));
        Assert.Equal(0, output.GetFlat(3));
    }

    [Fact]
    public void A_kernel_that_touches_a_buffer_it_did_not_declare_throws()
    {
        using var scope = Backend.Use(new CheckingBackend());
        var hidden = Tensor.Ones([3]);
        var output = Tensor.Uninitialized([3], DType.Float32);
        var e = Assert.Throws<InvalidOperationException>(() => Kernel.Launch([], [output], () => hidden.Buffer<float>().CopyTo(output.Buffer<float>(), 0)));
        Assert.Contains("did not declare", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_of_memory_that_another_buffer_now_owns_throws()
    {
        using var scope = Backend.Use(new CheckingBackend());
        var first = Tensor.Uninitialized([3], DType.Float32);
        Kernel.Launch([], [first], () => first.Buffer<float>().AsSpan().Fill(2));

        // A second buffer on the same memory (as a buffer plan makes one) writes it: the first one is recycled.
        var second = new Tensor(new CpuStorage<float>(first.Buffer<float>()), [3]);
        Kernel.Launch([], [second], () => second.Buffer<float>().AsSpan().Fill(5));
        var output = Tensor.Uninitialized([3], DType.Float32);
        var e = Assert.Throws<InvalidOperationException>(() => Kernel.Launch([first], [output], () => first.Buffer<float>().CopyTo(output.Buffer<float>(), 0)));
        Assert.Contains("after its memory was recycled", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_checking_backend_nothing_is_checked_or_poisoned()
    {
        var fresh = Tensor.Uninitialized([4], DType.Float32);
        var output = Tensor.Uninitialized([4], DType.Float32);
        Kernel.Launch([fresh], [output], () => fresh.Buffer<float>().CopyTo(output.Buffer<float>(), 0));
        Assert.Same(Backend.Cpu, Backend.Current);
    }
}
