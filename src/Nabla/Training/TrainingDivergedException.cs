namespace Nabla.Training;

/// <summary>Training produced a NaN or infinite loss or gradient. The parameters are left as they were before the
/// failing step, and no checkpoint is written after it, so the last checkpoint is the last good state.</summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>An exception for step <paramref name="step"/>, where <paramref name="layer"/> (a module path such as
    /// "layers.2", or null when no single layer is to blame) was the first to give non-finite values.</summary>
    public TrainingDivergedException(string message, long step, string? layer)
        : base(message)
    {
        Step = step;
        Layer = layer;
    }

    /// <summary>An exception with a message only.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with a message only.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>An exception wrapping another.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The 1-based step that failed.</summary>
    public long Step { get; }

    /// <summary>The module path of the first layer whose output or gradient was non-finite, if one was found.</summary>
    public string? Layer { get; }
}
