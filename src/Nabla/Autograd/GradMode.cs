namespace Nabla.Autograd;

/// <summary>Whether operations record onto the autograd graph, per thread.</summary>
public static class GradMode
{
    [ThreadStatic]
    private static int _disabledDepth;

    /// <summary>True unless the current thread is inside a <see cref="NoGrad"/> scope.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Starts a scope in which nothing is recorded: <c>using (GradMode.NoGrad()) { … }</c>.
    /// Use it for inference, evaluation and in-place parameter updates.</summary>
    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope();
    }

    internal static void Exit() => _disabledDepth--;
}

/// <summary>A scope with gradient recording off; disposing it restores the previous mode.</summary>
public readonly struct NoGradScope : IDisposable, IEquatable<NoGradScope>
{
    /// <inheritdoc/>
    public void Dispose() => GradMode.Exit();

    /// <inheritdoc/>
    public bool Equals(NoGradScope other) => true;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NoGradScope;

    /// <inheritdoc/>
    public override int GetHashCode() => 0;

    /// <summary>All scopes are alike.</summary>
    public static bool operator ==(NoGradScope left, NoGradScope right) => true;

    /// <summary>All scopes are alike.</summary>
    public static bool operator !=(NoGradScope left, NoGradScope right) => false;
}
