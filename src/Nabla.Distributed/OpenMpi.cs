using System.Runtime.InteropServices;
using System.Text;

namespace Nabla.Distributed;

/// <summary>The few MPI calls a data-parallel run needs, bound at run time to Open MPI's <c>libmpi.so.40</c> (Debian's
/// <c>libopenmpi3</c>, which <c>openmpi-bin</c> installs).</summary>
/// <remarks>
/// <para>Why a binding of our own: the NuGet package MPI.NET is built for Microsoft's msmpi.dll, whose handles are
/// integers; Open MPI's handles are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, …), taken here with
/// <see cref="NativeLibrary.GetExport"/>, and with MPI.NET the first communicator call crashes (../shared/MPI.md).</para>
/// <para>The functions are called through unmanaged function pointers taken from the loaded library, so nothing is
/// looked up, and nothing fails, until <see cref="Load"/> runs: a process that never trains across ranks never touches
/// MPI, and needs no Open MPI installed.</para>
/// <para>Every call returns MPI's error code; the world communicator is switched to <c>MPI_ERRORS_RETURN</c> right after
/// initialisation (the default handler would abort the job without a word), and <see cref="Check"/> turns a non-zero
/// code into an <see cref="MpiException"/> carrying <c>MPI_Error_string</c>'s text.</para>
/// </remarks>
internal sealed unsafe class OpenMpi
{
    /// <summary>The shared library's file name (its soname): libopenmpi-dev adds the unversioned link only.</summary>
    public const string LibraryName = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call MPI, never two at once. The training loop calls it, and the
    /// thread that sums gradient buckets while the backward pass goes on; the kernels' worker threads never do.</summary>
    public const int ThreadSerialized = 2;

    /// <summary>MPI_MAX_ERROR_STRING in Open MPI's mpi.h.</summary>
    private const int MaxErrorString = 256;

    private readonly delegate* unmanaged<int*, nint, int, int*, int> _initThread;
    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int*, int> _queryThread;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<nint, nint, int> _commSetErrhandler;
    private readonly delegate* unmanaged<int, byte*, int*, int> _errorString;
    private readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> _alltoall;
    private readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> _allgather;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;

    private OpenMpi(nint library)
    {
        _initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export(library, "MPI_Init_thread");
        _initialized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Initialized");
        _queryThread = (delegate* unmanaged<int*, int>)Export(library, "MPI_Query_thread");
        _finalized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)Export(library, "MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_size");
        _commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export(library, "MPI_Comm_set_errhandler");
        _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export(library, "MPI_Error_string");
        _alltoall = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Export(library, "MPI_Alltoall");
        _allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Export(library, "MPI_Allgather");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(library, "MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)Export(library, "MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Export(library, "MPI_Abort");
        World = Export(library, "ompi_mpi_comm_world");
        Float = Export(library, "ompi_mpi_float");
        Double = Export(library, "ompi_mpi_double");
        Byte = Export(library, "ompi_mpi_byte");
        ErrorsReturn = Export(library, "ompi_mpi_errors_return");
    }

    /// <summary>MPI_COMM_WORLD: every rank mpirun started.</summary>
    public nint World { get; }

    /// <summary>MPI_FLOAT.</summary>
    public nint Float { get; }

    /// <summary>MPI_DOUBLE.</summary>
    public nint Double { get; }

    /// <summary>MPI_BYTE.</summary>
    public nint Byte { get; }

    /// <summary>MPI_ERRORS_RETURN.</summary>
    private nint ErrorsReturn { get; }

    /// <summary>Loads <see cref="LibraryName"/> and binds its functions and handles.</summary>
    /// <exception cref="MpiException">The library is not installed, or is not Open MPI's (a handle or function is
    /// missing); the message says which, and what to install.</exception>
    public static OpenMpi Load()
    {
        // NABLA_MPI_LIBRARY names another copy (an Open MPI built under /opt, say); the default is found as the
        // dynamic loader finds any library (its cache, LD_LIBRARY_PATH).
        string name = Environment.GetEnvironmentVariable("NABLA_MPI_LIBRARY") is { Length: > 0 } path ? path : LibraryName;
        if (!NativeLibrary.TryLoad(name, out var library))
            throw new MpiException($"Open MPI's {name} could not be loaded: install Open MPI (Debian and Ubuntu: apt-get install openmpi-bin), or run without mpirun");
        return new OpenMpi(library);
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address)
            ? address
            : throw new MpiException($"{LibraryName} has no symbol {name}: is it Open MPI 4 or later? (MPICH and others name their handles differently)");

    /// <summary>MPI_Init_thread asking for MPI_THREAD_SERIALIZED, unless MPI is already initialised, then errors are
    /// returned rather than aborting the job.</summary>
    public void Initialize()
    {
        int flag;
        Check(_initialized(&flag), "MPI_Initialized");
        if (flag == 0)
        {
            int provided;
            Check(_initThread(null, 0, ThreadSerialized, &provided), "MPI_Init_thread");
        }

        Check(_commSetErrhandler(World, ErrorsReturn), "MPI_Comm_set_errhandler");
    }

    /// <summary>MPI_Query_thread: the thread level MPI was initialised with (0 single, 1 funneled, 2 serialized, 3
    /// multiple), which may be less than was asked for.</summary>
    public int ThreadLevel()
    {
        int provided;
        Check(_queryThread(&provided), "MPI_Query_thread");
        return provided;
    }

    /// <summary>MPI_Finalize, once, if MPI is running.</summary>
    public void FinalizeOnce()
    {
        int initialized, finalized;
        if (_initialized(&initialized) != 0 || initialized == 0) return;
        if (_finalized(&finalized) != 0 || finalized != 0) return;
        Check(_finalize(), "MPI_Finalize");
    }

    /// <summary>MPI_Comm_rank(MPI_COMM_WORLD).</summary>
    public int Rank()
    {
        int rank;
        Check(_commRank(World, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary>MPI_Comm_size(MPI_COMM_WORLD).</summary>
    public int Size()
    {
        int size;
        Check(_commSize(World, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary>MPI_Alltoall on the world: block r of <paramref name="send"/> (<paramref name="count"/> values) goes to
    /// rank r, and rank r's block for this rank lands at block r of <paramref name="receive"/>.</summary>
    public void AllToAll(void* send, void* receive, int count, nint type) =>
        Check(_alltoall(send, count, type, receive, count, type, World), "MPI_Alltoall");

    /// <summary>MPI_Allgather on the world: every rank's <paramref name="count"/> values, in rank order.</summary>
    public void AllGather(void* send, void* receive, int count, nint type) =>
        Check(_allgather(send, count, type, receive, count, type, World), "MPI_Allgather");

    /// <summary>MPI_Bcast on the world.</summary>
    public void Broadcast(void* buffer, int count, nint type, int root) =>
        Check(_bcast(buffer, count, type, root, World), "MPI_Bcast");

    /// <summary>MPI_Barrier on the world.</summary>
    public void Barrier() => Check(_barrier(World), "MPI_Barrier");

    /// <summary>MPI_Abort on the world: every rank ends with <paramref name="code"/>.</summary>
    public void Abort(int code) => _abort(World, code);

    /// <summary>Throws unless <paramref name="code"/> is MPI_SUCCESS.</summary>
    private void Check(int code, string call)
    {
        if (code == 0) return;
        var text = stackalloc byte[MaxErrorString + 1];
        int length = 0;
        string reason = _errorString(code, text, &length) == 0 && length > 0
            ? Encoding.ASCII.GetString(text, Math.Min(length, MaxErrorString))
            : $"error code {code}";
        throw new MpiException($"{call} failed: {reason}");
    }
}
