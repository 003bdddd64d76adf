using Nabla.Threading;

namespace Nabla.Tests.Threading;

public sealed class WorkerPoolTests
{
    /// <summary>Records which parts ran; the worker's part can be made to outlast the caller's spin (200 µs), so
    /// that the caller falls back to sleeping on the completion event.</summary>
    private sealed class CountingJob(double workerMicroseconds = 0) : IParallelJob
    {
        public int[] Runs { get; } = new int[2];

        public void Run(int part, int parts)
        {
            if (part == 1)
            {
                long until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(workerMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1e6);
                while (System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(10);
            }

            Interlocked.Increment(ref Runs[part]);
        }
    }

    [Fact]
    public void Every_part_has_run_exactly_once_when_Run_returns_over_many_back_to_back_jobs()
    {
        // Short jobs, and every tenth one long enough that the caller sleeps on the completion event. An earlier
        // version could wake on a stale set of that event, left by the previous job's worker, and return before the
        // worker's part was done (the next job then found the worker busy). That needs a preemption at one point
        // of the worker's signal and is not forced here; this test holds the invariant over many hand-offs.
        for (int job = 0; job < 5_000; job++)
        {
            var counting = new CountingJob(job % 10 == 0 ? 300 : 0);
            WorkerPool.Run(counting, 2);
            Assert.True(counting.Runs[0] == 1 && counting.Runs[1] == 1, $"job {job}: parts ran {counting.Runs[0]} and {counting.Runs[1]} times");
        }
    }

    [Fact]
    public void An_exception_in_a_worker_part_reaches_the_caller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new ThrowingJob(), 2));
        Assert.Equal("part 1", e.Message);
        var counting = new CountingJob();
        WorkerPool.Run(counting, 2);   // the pool still works afterwards
        Assert.Equal([1, 1], counting.Runs);
    }

    private sealed class ThrowingJob : IParallelJob
    {
        public void Run(int part, int parts)
        {
            if (part == 1) throw new InvalidOperationException("part 1");
        }
    }
}
