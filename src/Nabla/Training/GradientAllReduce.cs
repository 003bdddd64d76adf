using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The gradient of the whole global batch from each rank's gradient of its own rows: the step of data
/// parallelism between the backward pass and the update, summed after the backward pass or, bucket by bucket, while it
/// runs.</summary>
/// <remarks>
/// <para>The math. The loss of a global batch of B rows is the mean (1/B) Σᵢ Lᵢ. Rank r holds b_r of the rows and its
/// backward pass gives the gradient of its own mean, g_r = ∇ (1/b_r) Σ_{i ∈ r} Lᵢ + ∇ λΩ(W). Then
/// Σ_r (b_r / B) · g_r = ∇ (1/B) Σᵢ Lᵢ + ∇ λΩ(W) · Σ_r b_r / B = the single process's gradient: the regulariser's term,
/// the same on every rank, is counted once because the weights b_r / B add up to 1. The data loss, the objective and
/// the number correct are summed the same way, as b_r-weighted values, in float64.</para>
/// <para>The gradients travel in their own precision (float32 for float32 models), packed into one buffer per dtype
/// per bucket. Each element is added in rank order whatever bucket it travels in, so overlapping changes no bit.</para>
/// <para><b>Overlap</b> (PyTorch DDP's design). When the group may be called from another thread
/// (<see cref="IProcessGroup.CallableFromAnyThread"/>), a replayed step hands each bucket of gradients to a thread of
/// this class's own as soon as the backward pass has finished them (<see cref="GradientBuckets"/>), and that thread
/// packs, sums and unpacks it while the backward pass computes the earlier layers' gradients; the step then waits only
/// for what is left. The training loop's thread makes no MPI call while a bucket is in flight, so one call is made at a
/// time. An eager step (the first of each shape), a profiled step and a step with synchronised batch norm (whose
/// backward pass makes collectives of its own) sum everything after the backward pass.</para>
/// </remarks>
internal sealed class GradientAllReduce(IProcessGroup group) : IDisposable
{
    private readonly PackedSum _onLoop = new();
    private readonly PackedSum _onWorker = new();
    private readonly double[] _scalars = new double[4];
    private Tensor[] _all = [];
    private double _weight;

    // The bucket thread: buckets handed over and not yet summed, guarded by _gate.
    private readonly object _gate = new();
    private readonly Queue<Tensor[]> _pending = new();
    private int _unfinished, _launchedThisStep;
    private Exception? _failure;
    private Thread? _worker;
    private bool _stopping;

    /// <summary>The ranks.</summary>
    public IProcessGroup Group { get; } = group;

    /// <summary>Whether replayed steps sum their buckets during the backward pass (false by default): the trainer sets
    /// it where the group allows it and <see cref="Trainer.OverlapGradientSum"/> asks for it.</summary>
    public bool Overlaps { get; init; }

    /// <summary>Buckets summed during a backward pass so far (what the tests read to know overlap happened).</summary>
    public long BucketsOverlapped { get; private set; }

    /// <summary>Starts a step in which this rank holds <paramref name="localRows"/> of <paramref name="globalRows"/>: the
    /// weight b_r / B every bucket is scaled by.</summary>
    public void BeginStep(int localRows, int globalRows) => _weight = (double)localRows / globalRows;

    /// <summary>Hands a bucket of gradients, final from now on in this step, to the bucket thread, which replaces them by
    /// the whole batch's gradients.</summary>
    public void Launch(Tensor[] gradients)
    {
        if (_worker is null)
        {
            _worker = new Thread(SumBuckets) { IsBackground = true, Name = "Nabla gradient sum" };
            _worker.Start();
        }

        lock (_gate)
        {
            _pending.Enqueue(gradients);
            _unfinished++;
            _launchedThisStep++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Replaces each parameter's gradient (of this rank's rows) by the whole batch's gradient, the same bits on
    /// every rank: waits for the buckets launched during the step, or sums all gradients now when none was. Returns the
    /// batch's mean data loss and objective, its number correct, and whether any rank's
    /// <paramref name="stopRequested"/> was set (a Ctrl-C seen by one rank stops all of them after the same step).</summary>
    public (double Loss, double Objective, int Correct, bool Stop) Finish(IReadOnlyList<Tensor> parameters, int localRows, int globalRows, double loss, double objective, int correct, bool stopRequested)
    {
        if (_launchedThisStep > 0)
        {
            WaitForBuckets();
            BucketsOverlapped += _launchedThisStep;
            _launchedThisStep = 0;
        }
        else
        {
            if (_all.Length != parameters.Count) _all = new Tensor[parameters.Count];
            for (int i = 0; i < parameters.Count; i++) _all[i] = parameters[i].GradientBuffer();
            _onLoop.Sum(_all, _weight, Group);
        }

        _scalars[0] = loss * localRows;
        _scalars[1] = objective * localRows;
        _scalars[2] = correct;
        _scalars[3] = stopRequested ? 1 : 0;
        Group.SumInRankOrder(_scalars);
        return (_scalars[0] / globalRows, _scalars[1] / globalRows, (int)_scalars[2], _scalars[3] > 0);
    }

    /// <summary>Stops the bucket thread once it is idle. One still inside a collective (this rank failed mid-step, and
    /// the job is being aborted) is left to end with the process rather than waited for.</summary>
    public void Dispose()
    {
        bool idle;
        lock (_gate)
        {
            _stopping = true;
            idle = _unfinished == 0;
            Monitor.PulseAll(_gate);
        }

        if (idle) _worker?.Join();
    }

    private void WaitForBuckets()
    {
        lock (_gate)
        {
            while (_unfinished > 0) Monitor.Wait(_gate);
            if (_failure is { } failure)
            {
                _failure = null;
                throw new IOException($"summing the gradients across the ranks failed: {failure.Message}", failure);
            }
        }
    }

    /// <summary>The bucket thread: sums each bucket handed over, in the order handed over (the same on every rank).</summary>
    private void SumBuckets()
    {
        while (true)
        {
            Tensor[] bucket;
            double weight;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_pending.Count == 0) return;
                bucket = _pending.Dequeue();
                weight = _weight;
            }

            try
            {
                _onWorker.Sum(bucket, weight, Group);
            }
            catch (Exception e)
            {
                lock (_gate) _failure ??= e;
            }

            lock (_gate)
            {
                _unfinished--;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>One thread's buffers for summing gradients: w · g packed per dtype into a buffer padded with zeros to a
    /// multiple of N (which lets the transport send and gather the blocks in place), summed, and unpacked.</summary>
    private sealed class PackedSum
    {
        private float[] _floats = [];
        private double[] _doubles = [];

        public void Sum(Tensor[] gradients, double weight, IProcessGroup group)
        {
            int floats = 0, doubles = 0;
            foreach (var g in gradients)
            {
                if (g.DType == DType.Float32) floats += g.Count;
                else doubles += g.Count;
            }

            var packedFloats = Padded(ref _floats, floats, group.Size);
            var packedDoubles = Padded(ref _doubles, doubles, group.Size);

            // Pack w_r · g_r.
            int f = 0, d = 0;
            foreach (var g in gradients)
            {
                if (g.DType == DType.Float32)
                {
                    TensorPrimitives.Multiply(g.AsSpan<float>(), (float)weight, packedFloats.Slice(f, g.Count));
                    f += g.Count;
                }
                else
                {
                    TensorPrimitives.Multiply(g.AsSpan<double>(), weight, packedDoubles.Slice(d, g.Count));
                    d += g.Count;
                }
            }

            if (floats > 0) group.SumInRankOrder(packedFloats);
            if (doubles > 0) group.SumInRankOrder(packedDoubles);

            // Unpack Σ_r w_r · g_r.
            (f, d) = (0, 0);
            foreach (var g in gradients)
            {
                if (g.DType == DType.Float32)
                {
                    packedFloats.Slice(f, g.Count).CopyTo(g.AsSpan<float>());
                    f += g.Count;
                }
                else
                {
                    packedDoubles.Slice(d, g.Count).CopyTo(g.AsSpan<double>());
                    d += g.Count;
                }
            }
        }

        /// <summary>The first ⌈count / N⌉ · N elements of <paramref name="buffer"/>, grown when too short, with the
        /// padding past <paramref name="count"/> zeroed (a larger bucket may have left values there).</summary>
        private static Span<T> Padded<T>(ref T[] buffer, int count, int size)
        {
            int padded = (count + size - 1) / size * size;
            if (buffer.Length < padded) buffer = new T[padded];
            var span = buffer.AsSpan(0, padded);
            span[count..].Clear();
            return span;
        }
    }
}
