using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Engine;

/// <summary>Lets a capture's intermediates share memory: each buffer the capture made lives from the first kernel
/// that writes it to the last kernel that reads or writes it (as the launches declared), and a buffer whose life has
/// ended gives its memory to the next buffer of the same element type and length that starts. The kernels close over
/// the storages, not the arrays, so re-pointing a storage is all a replay needs.</summary>
/// <remarks>
/// <para>What the step's caller reads between replays (the logits, the losses, the parameters' gradients, the model's
/// state, the input) is never shared. Neither is a buffer whose first use in the capture is a read: its values came
/// from before the pass.</para>
/// <para>The checking backend (<see cref="CheckingBackend"/>) is the test of a plan: a kernel that reads a buffer
/// after its memory went to another one throws, naming the kernel.</para>
/// </remarks>
internal static class BufferPlan
{
    [ThreadStatic]
    private static bool t_releaseOneKernelEarly;

    /// <summary>For tests only, on this thread: when set, each buffer's memory is handed on one kernel before its last
    /// use, a broken liveness rule that the checking backend must catch.</summary>
    internal static bool ReleaseOneKernelEarly
    {
        get => t_releaseOneKernelEarly;
        set => t_releaseOneKernelEarly = value;
    }

    /// <summary>Re-points the storages of <paramref name="created"/> that are intermediates of
    /// <paramref name="kernels"/> so that buffers with disjoint lives share memory. Returns the elements no longer
    /// held (the capture's memory saved).</summary>
    /// <param name="kernels">The capture, in order.</param>
    /// <param name="created">The buffers made while it recorded.</param>
    /// <param name="keep">Buffers used outside the kernels between replays: never shared.</param>
    public static long Apply(RecordedKernel[] kernels, IReadOnlyList<BackendStorage> created, IReadOnlyCollection<BackendStorage> keep)
    {
        // Host arrays only: a device's buffers keep their own memory (planning them is the device backend's to do).
        var lives = Lives(kernels, created, keep, hostOnly: true);

        // Start and end events, in kernel order; memory is free again after the kernel of its buffer's last use.
        var starts = new List<BackendStorage>[kernels.Length];
        var ends = new List<BackendStorage>[kernels.Length];
        foreach (var (storage, life) in lives)
        {
            if (life.First < 0 || !life.FirstIsWrite) continue;
            int last = ReleaseOneKernelEarly ? Math.Max(life.First, life.Last - 1) : life.Last;
            (starts[life.First] ??= []).Add(storage);
            (ends[last] ??= []).Add(storage);
        }

        var free = new Dictionary<(Type, int), Stack<object>>();
        long saved = 0;
        for (int i = 0; i < kernels.Length; i++)
        {
            foreach (var storage in starts[i] ?? [])
            {
                if (free.TryGetValue(Key(storage), out var stack) && stack.TryPop(out var memory))
                {
                    saved += storage.Length;
                    ShareMemory(storage, memory);
                }
            }

            foreach (var storage in ends[i] ?? [])
            {
                var key = Key(storage);
                if (!free.TryGetValue(key, out var stack)) free[key] = stack = new Stack<object>();
                stack.Push(storage.Memory);
            }
        }

        return saved;
    }

    /// <summary>The buffers of <paramref name="created"/>, on any device, that are the pass's own intermediates: not in
    /// <paramref name="keep"/>, and first written by a kernel of the pass (not read for values from before it). A replay
    /// must write each before it reads it, which poisoning them all before a replay tests
    /// (<c>TrainingStep.PoisonIntermediates</c>): what the planner relies on, checked on a device the checking backend
    /// does not run on.</summary>
    public static List<BackendStorage> Intermediates(RecordedKernel[] kernels, IReadOnlyList<BackendStorage> created, IReadOnlyCollection<BackendStorage> keep) =>
        [.. Lives(kernels, created, keep, hostOnly: false).Where(l => l.Value.First >= 0 && l.Value.FirstIsWrite).Select(l => l.Key)];

    /// <summary>Each buffer of <paramref name="created"/> not in <paramref name="keep"/> (host arrays only, when
    /// <paramref name="hostOnly"/>), with the first and last kernels that use it and whether the first writes it.</summary>
    private static Dictionary<BackendStorage, (int First, int Last, bool FirstIsWrite)> Lives(RecordedKernel[] kernels, IReadOnlyList<BackendStorage> created, IReadOnlyCollection<BackendStorage> keep, bool hostOnly)
    {
        var kept = new HashSet<BackendStorage>(keep, ReferenceEqualityComparer.Instance);
        var lives = new Dictionary<BackendStorage, (int First, int Last, bool FirstIsWrite)>(ReferenceEqualityComparer.Instance);
        foreach (var storage in created)
        {
            if ((!hostOnly || storage is CpuStorage<float> or CpuStorage<double>) && !kept.Contains(storage)) lives[storage] = (-1, -1, false);
        }

        for (int i = 0; i < kernels.Length; i++)
        {
            foreach (var s in kernels[i].Reads) Use(lives, s, i, write: false);
            foreach (var s in kernels[i].Writes) Use(lives, s, i, write: true);
        }

        return lives;
    }

    private static void Use(Dictionary<BackendStorage, (int First, int Last, bool FirstIsWrite)> lives, BackendStorage? storage, int kernel, bool write)
    {
        if (storage is null || !lives.TryGetValue(storage, out var life)) return;
        // Reads are visited before writes within one kernel, so a kernel that reads and writes a buffer first reads it.
        lives[storage] = life.First < 0 ? (kernel, kernel, write) : (life.First, kernel, life.FirstIsWrite);
    }

    private static (Type, int) Key(BackendStorage storage) => (storage.Memory.GetType(), storage.Length);

    private static void ShareMemory(BackendStorage storage, object memory)
    {
        switch (storage)
        {
            case CpuStorage<float> floats:
                floats.ShareMemory((float[])memory);
                break;
            case CpuStorage<double> doubles:
                doubles.ShareMemory((double[])memory);
                break;
        }
    }
}
