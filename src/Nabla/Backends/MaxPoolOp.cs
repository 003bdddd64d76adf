namespace Nabla.Backends;

/// <summary>One max pooling, made by <see cref="BackendOps.MaxPool"/>: it keeps where each maximum came from.</summary>
internal abstract class MaxPoolOp
{
    /// <summary>y = the maximum of each window of x.</summary>
    public abstract void Forward(BackendStorage x, BackendStorage y);

    /// <summary>∂L/∂x: zero, but each output's gradient at the input its maximum came from.</summary>
    public abstract void Backward(BackendStorage g, BackendStorage gx);
}
