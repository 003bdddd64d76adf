namespace Nabla.Tests.Threading;

/// <summary>The thread limit is a scope of the thread that opens it, not a process-wide variable.</summary>
public sealed class ParallelismTests
{
    [Fact]
    public void A_limit_holds_in_its_scope_nests_and_is_undone_when_the_scope_ends()
    {
        Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
        using (Parallelism.Limit(3))
        {
            Assert.Equal(3, Parallelism.MaxThreads);
            using (Parallelism.Limit(1)) Assert.Equal(1, Parallelism.MaxThreads);
            Assert.Equal(3, Parallelism.MaxThreads);
        }

        Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.Limit(0));
    }

    [Fact]
    public void Another_thread_keeps_its_own_setting()
    {
        using (Parallelism.Limit(1))
        {
            int seen = 0;
            var other = new Thread(() => seen = Parallelism.MaxThreads);
            other.Start();
            other.Join();
            Assert.Equal(Environment.ProcessorCount, seen);
            Assert.Equal(1, Parallelism.MaxThreads);
        }
    }
}
