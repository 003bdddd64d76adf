namespace Nabla.Backends;

/// <summary>A backend's handle on a flat buffer of elements: what the kernels read and write, below any notion of
/// shape, gradient or tensor.</summary>
internal abstract class BackendStorage
{
    /// <summary>The number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>The memory the elements live in (the array, on the CPU). Two storages on the same memory (a batch
    /// read where it lies, a buffer a captured step reuses) give the same object.</summary>
    public abstract object Memory { get; }

    /// <summary>Fills every element with NaN: the checking backend's poison for memory handed to a new owner.</summary>
    public abstract void Poison();
}
