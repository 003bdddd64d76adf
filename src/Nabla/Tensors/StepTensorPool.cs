namespace Nabla.Tensors;

/// <summary>The caching pool of eager training steps, as PyTorch's caching allocator is for its tensors: while a pool
/// lends on a thread, every tensor that thread makes with <see cref="Tensor.Zeros"/> or <c>Tensor.Uninitialized</c>
/// (every op's output, every gradient) takes an array the pool keeps from an earlier step, and at the end of the step
/// the pool takes back every array that the model no longer holds. So an eager step allocates only the graph's small
/// objects, not its activations and gradients.</summary>
/// <remarks>
/// <para>A .NET tensor has no reference count to say when it dies, so the pool relies on what a step is: everything
/// it makes is an intermediate, dead once the update is applied, except what the model keeps — its parameters, their
/// gradients and its buffers (<see cref="Release"/> is given them). An intermediate that escapes anyway (a custom
/// module that keeps its last activation in a field) is not silently overwritten: its storage is marked recycled when
/// the array goes back, and any later read of it throws, saying to <c>Clone()</c> it.</para>
/// <para>Arrays are kept by element type and exact length: a step of one batch shape asks for the same lengths every
/// time, so after the first step every request is met from the pool.</para>
/// </remarks>
internal sealed class StepTensorPool
{
    [ThreadStatic]
    private static StepTensorPool? t_lending;

    private readonly Dictionary<int, Stack<float[]>> _floats = [];
    private readonly Dictionary<int, Stack<double[]>> _doubles = [];
    private readonly List<TensorStorage> _lent = [];

    /// <summary>The pool lending on this thread, or null.</summary>
    internal static StepTensorPool? Lending => t_lending;

    /// <summary>Storages lent and not yet released.</summary>
    public int Outstanding => _lent.Count;

    /// <summary>Lends to this thread's new tensors until <see cref="StopLending"/>.</summary>
    /// <exception cref="InvalidOperationException">Another pool lends on this thread.</exception>
    public void StartLending()
    {
        if (t_lending is not null && !ReferenceEquals(t_lending, this)) throw new InvalidOperationException("another step's pool already lends on this thread: eager steps do not nest");
        t_lending = this;
    }

    /// <summary>Stops lending on this thread; what was lent stays lent until <see cref="Release"/>.</summary>
    public void StopLending()
    {
        if (ReferenceEquals(t_lending, this)) t_lending = null;
    }

    /// <summary>A tensor of <paramref name="shape"/> on a pooled array, zeroed when <paramref name="zeroed"/>.</summary>
    public Tensor Take(Shape shape, DType dtype, bool zeroed)
    {
        TensorStorage storage = dtype switch
        {
            DType.Float32 => new CpuStorage<float>(Rent(_floats, shape.Count, zeroed)),
            DType.Float64 => new CpuStorage<double>(Rent(_doubles, shape.Count, zeroed)),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        _lent.Add(storage);
        return new Tensor(storage, shape);
    }

    private static T[] Rent<T>(Dictionary<int, Stack<T[]>> kept, int length, bool zeroed)
        where T : unmanaged
    {
        if (kept.TryGetValue(length, out var stack) && stack.TryPop(out var array))
        {
            if (zeroed) Array.Clear(array);
            return array;
        }

        return zeroed ? new T[length] : GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes back every array lent since the last release, except those of a storage that one of
    /// <paramref name="keep"/> (the model's parameters, their gradients, its buffers) is on; the storages of the arrays
    /// taken back are marked recycled, so a tensor left on one throws when read.</summary>
    public void Release(List<Tensor> keep)
    {
        foreach (var storage in _lent)
        {
            if (Kept(storage, keep)) continue;
            switch (storage)
            {
                case CpuStorage<float> floats:
                    Return(_floats, floats.Recycle());
                    break;
                case CpuStorage<double> doubles:
                    Return(_doubles, doubles.Recycle());
                    break;
            }
        }

        _lent.Clear();
    }

    private static bool Kept(TensorStorage storage, List<Tensor> keep)
    {
        for (int i = 0; i < keep.Count; i++)   // a step lends a few dozen storages and keeps a few dozen tensors
        {
            if (ReferenceEquals(keep[i].Storage, storage)) return true;
        }

        return false;
    }

    private static void Return<T>(Dictionary<int, Stack<T[]>> kept, T[] array)
    {
        if (!kept.TryGetValue(array.Length, out var stack)) kept[array.Length] = stack = new Stack<T[]>();
        stack.Push(array);
    }
}
