namespace Nabla.Threading;

/// <summary>A piece of work split into <c>parts</c> independent parts, run by <see cref="WorkerPool"/>.</summary>
internal interface IParallelJob
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>; parts may run concurrently.</summary>
    void Run(int part, int parts);
}

/// <summary>A small fixed pool of worker threads for the kernels' data-parallel loops.</summary>
/// <remarks>
/// Why not <see cref="Parallel.For(int, int, Action{int})"/>: it allocates on every call (delegates, closures, tasks),
/// and a training step makes dozens of parallel calls, so the step could never be allocation-free; and its hand-off to
/// the thread pool costs tens of microseconds, as much as a whole small matrix product. Here the calling thread runs
/// part 0 itself and long-lived workers run the others. Workers spin briefly after each job before they sleep, so the
/// next kernel of the same training step finds them awake. A job started while another is running (from inside a job,
/// or from a second thread) runs all its parts on the calling thread: correct, only not parallel.
/// </remarks>
internal static class WorkerPool
{
    private static readonly object StartLock = new();
    private static Worker[] _workers = [];
    private static int _busy;

    /// <summary>Runs <paramref name="job"/> in <paramref name="parts"/> parts, at most one part per thread, and returns
    /// when all are done. An exception in any part is rethrown here.</summary>
    public static void Run(IParallelJob job, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int part = 0; part < parts; part++) job.Run(part, parts);
            return;
        }

        try
        {
            var workers = EnsureWorkers(parts - 1);
            Countdown.Reset(parts - 1);
            for (int i = 0; i < parts - 1; i++) workers[i].Start(job, i + 1, parts);
            Exception? own = null;
            try
            {
                job.Run(0, parts);
            }
            catch (Exception e)
            {
                own = e;
            }

            Countdown.Wait();
            var failure = own;
            for (int i = 0; i < parts - 1; i++) failure ??= workers[i].TakeFailure();
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static readonly CompletionCountdown Countdown = new();

    private static Worker[] EnsureWorkers(int count)
    {
        if (_workers.Length >= count) return _workers;
        lock (StartLock)
        {
            if (_workers.Length >= count) return _workers;
            var grown = new Worker[count];
            _workers.CopyTo(grown, 0);
            for (int i = _workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
            _workers = grown;
            return grown;
        }
    }

    /// <summary>How long a waiting thread spins before it sleeps: a little longer than the gaps between the parallel
    /// kernels of one training step (elementwise work, the loss), so that within a step no hand-off waits for the
    /// operating system to wake a thread, which costs 5–50 µs and more when the cores are far apart. OpenMP runtimes
    /// spin for the same reason.</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000;   // 200 µs

    /// <summary>Spins until <paramref name="done"/> holds or the spin time is up; true when it holds.</summary>
    private static bool SpinUntil(Func<bool> done)
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
        while (true)
        {
            for (int i = 0; i < 64; i++)
            {
                if (done()) return true;
                Thread.SpinWait(1);
            }

            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline) return false;
        }
    }

    /// <summary>Counts finished parts; the caller spins on it, then sleeps.</summary>
    private sealed class CompletionCountdown
    {
        private readonly ManualResetEventSlim _done = new(false);
        private readonly Func<bool> _isDone;
        private int _remaining;

        public CompletionCountdown() => _isDone = () => Volatile.Read(ref _remaining) == 0;

        public void Reset(int count)
        {
            _done.Reset();
            Volatile.Write(ref _remaining, count);
        }

        public void Signal()
        {
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
        }

        public void Wait()
        {
            // The event can be set by the previous job's last signal after this job's Reset (that worker decremented
            // to zero, the caller saw zero and went on, and only then did the worker set the event). So a woken
            // waiter checks the count again, and clears such a stale set before waiting anew.
            while (!SpinUntil(_isDone))
            {
                _done.Wait();
                if (Volatile.Read(ref _remaining) == 0) return;
                _done.Reset();
            }
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false);
        private readonly Func<bool> _hasWork;
        private IParallelJob? _job;
        private int _part, _parts;
        private int _pending, _sleeping;
        private Exception? _failure;

        public Worker(int index)
        {
            _hasWork = () => Volatile.Read(ref _pending) != 0;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Nabla worker {index}" };
            thread.Start();
        }

        public void Start(IParallelJob job, int part, int parts)
        {
            (_job, _part, _parts) = (job, part, parts);
            // Full fences on both sides (Dekker): either the worker sees the job, or this sees it asleep and wakes it.
            Interlocked.Exchange(ref _pending, 1);
            if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
        }

        public Exception? TakeFailure()
        {
            var failure = _failure;
            _failure = null;
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                while (!SpinUntil(_hasWork))
                {
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _pending) == 0) _wake.Wait();
                    Interlocked.Exchange(ref _sleeping, 0);
                }

                Volatile.Write(ref _pending, 0);
                try
                {
                    _job!.Run(_part, _parts);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                finally
                {
                    _job = null;
                    Countdown.Signal();
                }
            }
        }
    }
}
