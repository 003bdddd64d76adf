namespace Nabla.Backends;

/// <summary>A backend that runs the CPU kernels and checks every buffer they use: fresh memory is poisoned with NaN,
/// and a kernel that reads a buffer before anything wrote it, or after its memory went to another buffer (recycled by
/// a captured step's plan or by an eager step's pool), or that touches a buffer it did not declare, throws, naming the
/// op. It proves the seam (a second backend behind the same launches) and is the test a buffer planner needs.</summary>
/// <remarks>
/// <para>Each piece of memory has one owner at a time: the storage that last wrote it. Memory handed to a new
/// storage is filled with NaN before that storage's first write, so an op that writes only part of its output leaves
/// NaN where a result should be. Memory this backend never saw allocated (made from host values, a batch read where
/// it lies) is taken as written.</para>
/// <para>Host code between kernels (a loss read with <c>Item()</c>, an optimiser's update) counts as writing what it
/// touches, but touching a storage whose memory another storage now owns is an error there too.</para>
/// <para>Use it on one thread, through <see cref="Backend.Use"/>; the kernels' own threads are not watched, since
/// they are handed their buffers by the launching thread.</para>
/// </remarks>
internal sealed class CheckingBackend : Backend
{
    private sealed record Owner(BackendStorage Storage, bool Written, string By);

    private readonly Dictionary<object, Owner> _owners = new(ReferenceEqualityComparer.Instance);
    private CheckedKernel? _running;

    /// <summary>Kernels run under the checks so far.</summary>
    public long Launches { get; private set; }

    /// <summary>Times memory was poisoned for a new owner.</summary>
    public long Poisonings { get; private set; }

    /// <inheritdoc/>
    public override BackendOps Ops => Cpu.Ops;   // the CPU's kernels, run as they are: only the buffers are watched

    /// <inheritdoc/>
    public override Action Prepare(Action kernel, BackendStorage?[] reads, BackendStorage?[] writes) => new CheckedKernel(this, kernel, reads, writes).Run;

    /// <inheritdoc/>
    public override void Allocated(BackendStorage storage, bool initialised)
    {
        if (!initialised)
        {
            storage.Poison();
            Poisonings++;
        }

        _owners[storage.Memory] = new Owner(storage, initialised, "its allocation");
    }

    /// <inheritdoc/>
    public override void Touched(BackendStorage storage)
    {
        if (_running is { } kernel)
        {
            if (Array.IndexOf(kernel.Reads, storage) < 0 && Array.IndexOf(kernel.Writes, storage) < 0)
                throw new InvalidOperationException($"checking backend: {kernel.Name} touched a buffer of {storage.Length} elements that it did not declare as read or written");
            return;
        }

        // Host code: whatever it does counts as a write, but not to memory another storage owns.
        if (_owners.TryGetValue(storage.Memory, out var owner) && !ReferenceEquals(owner.Storage, storage))
            throw new InvalidOperationException($"checking backend: host code used a buffer of {storage.Length} elements after its memory was recycled (now written by {owner.By})");
        _owners[storage.Memory] = new Owner(storage, true, "host code");
    }

    /// <summary>Stops watching <paramref name="memory"/>: it is the caller's (a batch a captured step reads where it
    /// lies), shared by storages that all see the same values.</summary>
    public void Forget(object memory) => _owners.Remove(memory);

    private void BeforeRun(CheckedKernel kernel)
    {
        foreach (var read in kernel.Reads)
        {
            if (read is null) continue;
            if (!_owners.TryGetValue(read.Memory, out var owner)) continue;   // memory from the host
            if (!ReferenceEquals(owner.Storage, read))
                throw new InvalidOperationException($"checking backend: {kernel.Name} read a buffer of {read.Length} elements after its memory was recycled (now written by {owner.By})");
            if (!owner.Written)
                throw new InvalidOperationException($"checking backend: {kernel.Name} read a buffer of {read.Length} elements before anything wrote it");
        }

        foreach (var write in kernel.Writes)
        {
            if (write is null) continue;
            foreach (var read in kernel.Reads)
            {
                if (read is not null && !ReferenceEquals(read, write) && ReferenceEquals(read.Memory, write.Memory))
                    throw new InvalidOperationException($"checking backend: {kernel.Name} read a buffer of {read.Length} elements after its memory was recycled: the same kernel writes that memory as another buffer");
            }

            if (_owners.TryGetValue(write.Memory, out var owner) && !ReferenceEquals(owner.Storage, write))
            {
                write.Poison();   // the memory changes hands: what the new owner leaves unwritten reads as NaN
                Poisonings++;
            }

            _owners[write.Memory] = new Owner(write, true, kernel.Name);
        }
    }

    /// <summary>A kernel with its declared buffers, run under the checks (now, and at every replay).</summary>
    private sealed class CheckedKernel(CheckingBackend backend, Action kernel, BackendStorage?[] reads, BackendStorage?[] writes) : IWrappedKernel
    {
        public Delegate Kernel => kernel;

        public BackendStorage?[] Reads => reads;

        public BackendStorage?[] Writes => writes;

        public string Name => KernelName.Of(kernel);

        public void Run()
        {
            backend.BeforeRun(this);
            var outer = backend._running;
            backend._running = this;
            try
            {
                kernel();
            }
            finally
            {
                backend._running = outer;
            }

            backend.Launches++;
        }
    }
}
