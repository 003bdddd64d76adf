namespace Nabla.Backends;

/// <summary>One training-mode batch normalisation, made by <see cref="BackendOps.BatchNorm"/>: it keeps the batch's
/// statistics from its forward pass for its backward pass.</summary>
internal abstract class BatchNormOp
{
    /// <summary>y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel.</summary>
    public abstract void Forward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, double epsilon);

    /// <summary>∂L/∂x, ∂L/∂γ and ∂L/∂β from ∂L/∂y and x̂.</summary>
    public abstract void Backward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta);
}
