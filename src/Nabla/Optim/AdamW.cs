using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay.</summary>
/// <remarks>
/// <code>
/// W ← (1 − η · λ_wd) · W                  (decay, outside the adaptive scaling)
/// m ← β₁ · m + (1 − β₁) · ∇W,  v ← β₂ · v + (1 − β₂) · ∇W²
/// W ← W − η · m̂ / (√v̂ + ε)
/// </code>
/// With Adam's L2 decay the penalty's gradient is rescaled by 1/√v̂ like any other, so weights with large gradients
/// are barely decayed; decoupling gives every weight the same relative decay. Defaults are PyTorch's (λ_wd = 0.01).
/// </remarks>
public sealed class AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
    : Adam(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: true);
