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

    /// <summary>Counts finished parts; the caller spins on it, then sleeps.</summary>
    private sealed class CompletionCountdown
    {
        private int _remaining;
        private readonly ManualResetEventSlim _done = new(false, spinCount: 2047);

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
            if (Volatile.Read(ref _remaining) == 0) return;
            _done.Wait();
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 2047);
        private IParallelJob? _job;
        private int _part, _parts;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Nabla worker {index}" };
            thread.Start();
        }

        public void Start(IParallelJob job, int part, int parts)
        {
            (_job, _part, _parts) = (job, part, parts);
            _wake.Set();
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
                _wake.Wait();
                _wake.Reset();
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
