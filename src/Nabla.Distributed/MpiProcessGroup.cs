using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>The ranks <c>mpirun</c> started, as an <see cref="IProcessGroup"/> over Open MPI's world communicator.</summary>
/// <remarks>
/// <para><b>The sum in rank order.</b> MPI_Allreduce would pick its algorithm by message size and rank count, and
/// some (recursive doubling) add the same values in different orders on different ranks, so the replicas' weights could
/// drift apart by a rounding. Here the sum is a reduce-scatter written with the standard collectives: the values are cut
/// into N equal blocks (the last padded with zeros); MPI_Alltoall sends block b of every rank to rank b, which adds the
/// N copies in rank order (((v₀ + v₁) + v₂) …); MPI_Allgather brings every summed block to every rank. Each value
/// crosses the wire 2(N − 1)/N times, as in a ring all-reduce, and the bits depend only on N. When N divides the
/// length the blocks are sent from and gathered into the caller's values, with no copy (the trainer pads its gradient
/// buffer so).</para>
/// <para>MPI is initialised asking for MPI_THREAD_SERIALIZED, so that the trainer may sum gradient buckets on a thread
/// of its own while the backward pass goes on (never two calls at once); where the library gives less,
/// <see cref="CallableFromAnyThread"/> is false and every call stays on the training loop's thread. The buffers are kept
/// between calls, so a training step allocates nothing.</para>
/// </remarks>
public sealed unsafe class MpiProcessGroup : IProcessGroup, IDisposable
{
    private readonly OpenMpi _mpi;
    private float[] _floatSend = [], _floatReceive = [], _floatSum = [];
    private double[] _doubleSend = [], _doubleReceive = [], _doubleSum = [];
    private bool _disposed;

    private MpiProcessGroup(OpenMpi mpi)
    {
        _mpi = mpi;
        Rank = mpi.Rank();
        Size = mpi.Size();
        CallableFromAnyThread = mpi.ThreadLevel() >= OpenMpi.ThreadSerialized;
    }

    /// <inheritdoc/>
    public bool CallableFromAnyThread { get; }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>Initialises MPI (loading Open MPI's library) and returns the world's ranks. A process started without
    /// mpirun is a group of one.</summary>
    /// <exception cref="MpiException">Open MPI is not installed, or its initialisation failed.</exception>
    public static MpiProcessGroup Start()
    {
        var mpi = OpenMpi.Load();
        mpi.Initialize();
        return new MpiProcessGroup(mpi);
    }

    /// <inheritdoc/>
    public void SumInRankOrder(Span<float> values) => Sum(values, ref _floatSend, ref _floatReceive, ref _floatSum, _mpi.Float);

    /// <inheritdoc/>
    public void SumInRankOrder(Span<double> values) => Sum(values, ref _doubleSend, ref _doubleReceive, ref _doubleSum, _mpi.Double);

    /// <inheritdoc/>
    public void Broadcast(Span<byte> bytes, int root)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        if (Size == 1) return;
        const int Piece = 1 << 30;   // MPI counts are ints
        fixed (byte* start = bytes)
        {
            for (long offset = 0; offset < bytes.Length; offset += Piece)
                _mpi.Broadcast(start + offset, (int)Math.Min(Piece, bytes.Length - offset), _mpi.Byte, root);
        }
    }

    /// <summary>Waits until every rank has reached this call.</summary>
    public void Barrier()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _mpi.Barrier();
    }

    /// <summary>Ends the whole job at once with <paramref name="code"/>: for a rank that cannot go on while the others
    /// wait for it in a collective.</summary>
    public void Abort(int code) => _mpi.Abort(code);

    /// <summary>MPI_Finalize. Every rank must call it (a rank that exits without it makes mpirun end the job with an
    /// error).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _mpi.FinalizeOnce();
    }

    /// <summary>The reduce-scatter and all-gather of the remarks, for MPI datatype <paramref name="type"/>.</summary>
    private void Sum<T>(Span<T> values, ref T[] padded, ref T[] receive, ref T[] sum, nint type)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Size == 1 || values.IsEmpty) return;
        int block = Prepare(values.Length, ref padded, ref receive, ref sum);
        bool whole = values.Length % Size == 0;   // then the blocks are read from and gathered into values directly
        if (!whole)
        {
            values.CopyTo(padded);
            padded.AsSpan(values.Length).Clear();
        }

        fixed (T* given = values, copy = padded, blocks = receive, total = sum)
        {
            T* send = whole ? given : copy;
            _mpi.AllToAll(send, blocks, block, type);
            var summed = new Span<T>(total, block);
            new ReadOnlySpan<T>(blocks, block).CopyTo(summed);
            for (int r = 1; r < Size; r++) TensorPrimitives.Add(summed, new ReadOnlySpan<T>(blocks + ((long)r * block), block), summed);
            _mpi.AllGather(total, send, block, type);
        }

        if (!whole) padded.AsSpan(0, values.Length).CopyTo(values);
    }

    /// <summary>Sizes the buffers for <paramref name="length"/> values: N blocks of ⌈length / N⌉ (a padded copy of the
    /// values only when N does not divide their length). Returns the block.</summary>
    private int Prepare<T>(int length, ref T[] send, ref T[] receive, ref T[] sum)
    {
        int block = (int)(((long)length + Size - 1) / Size);
        long whole = (long)block * Size;
        if (receive.Length != whole)
        {
            send = length % Size == 0 ? [] : new T[whole];
            receive = new T[whole];
            sum = new T[block];
        }
        else if (length % Size != 0 && send.Length != whole)
        {
            send = new T[whole];
        }

        return block;
    }
}
