namespace Nabla.Backends;

/// <summary>The optimisers' updates as kernels of a device backend's table, for parameters that live on its device.
/// (On the CPU the optimisers run their own vectorised passes over host memory.)</summary>
internal interface IOptimizerKernels
{
    /// <summary>SGD: g = ∇ + λw; v ← μv + g (when <paramref name="velocity"/> is given); w ← w − η·(Nesterov ? g + μv : v).</summary>
    void SgdStep(BackendStorage w, BackendStorage grad, BackendStorage? velocity, double learningRate, double momentum, bool nesterov, double weightDecay);

    /// <summary>Adam (AdamW's decoupled decay when <paramref name="decoupled"/>) at step <paramref name="step"/> (1 first).</summary>
    void AdamStep(BackendStorage w, BackendStorage grad, BackendStorage m, BackendStorage v, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, long step);
}
