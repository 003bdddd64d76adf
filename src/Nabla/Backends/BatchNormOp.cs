namespace Nabla.Backends;

/// <summary>One training-mode batch normalisation, made by <see cref="BackendOps.BatchNorm"/>: it keeps the batch's
/// statistics from its forward pass for its backward pass.</summary>
internal abstract class BatchNormOp
{
    /// <summary>y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel; with <paramref name="relu"/>,
    /// y = max(0, γ·x̂ + β) (a ReLU fused into its epilogue).</summary>
    public abstract void Forward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, double epsilon, bool relu);

    /// <summary>∂L/∂x, ∂L/∂γ and ∂L/∂β from ∂L/∂y and x̂. With <paramref name="reluOutput"/>, the y of a ReLU fused
    /// after this layer, <paramref name="g"/> is first masked in place by [y &gt; 0] (the ReLU's backward).</summary>
    public abstract void Backward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, BackendStorage? reluOutput);

    /// <summary>μ_run ← (1 − m)·μ_run + m·μ and σ²_run ← (1 − m)·σ²_run + m·σ²·M/(M − 1) per channel, from the
    /// statistics of the last forward pass over M = <paramref name="values"/> values per channel, computed in float64
    /// and rounded to the buffers' element type: on the device where the running buffers lie, with no host copy.</summary>
    public abstract void UpdateRunning(BackendStorage runningMean, BackendStorage runningVariance, double momentum, double values);
}
