using Nabla.Autograd;
using Nabla.Engine;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    private bool _requiresGrad;

    /// <summary>Whether gradients flow to this tensor. Set it on leaves (parameters, inputs to check); results of
    /// operations on such tensors require gradients automatically.</summary>
    /// <exception cref="InvalidOperationException">Set on a tensor that is the result of an operation.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf) throw new InvalidOperationException("RequiresGrad can only be set on a leaf tensor; use Detach() to cut a result from the graph");
            _requiresGrad = value;
        }
    }

    /// <summary>∂L/∂this, accumulated by <see cref="Backward()"/> into leaves that require gradients; null until the first backward pass.</summary>
    public Tensor? Grad { get; private set; }

    /// <summary>True for tensors not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    internal Function? GradFn { get; private set; }

    /// <summary>The name of the primitive that produced this tensor, or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Name;

    internal void SetGradFn(Function function)
    {
        GradFn = function;
        _requiresGrad = true;
    }

    /// <summary>Backpropagates from this one-element tensor (a loss): accumulates ∂this/∂x into x.Grad for every leaf x
    /// that requires gradients.</summary>
    /// <exception cref="InvalidOperationException">This tensor has more than one element, or does not require gradients.</exception>
    public void Backward()
    {
        if (Count != 1) throw new InvalidOperationException($"Backward() without a seed needs a one-element tensor, not shape {Shape}; pass a seed gradient");
        Backward(OnesLike(this));
    }

    /// <summary>Backpropagates with an explicit seed ∂L/∂this (the same shape as this tensor).</summary>
    public void Backward(Tensor seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (!RequiresGrad) throw new InvalidOperationException("Backward() on a tensor that does not require gradients: no parameter or input of it has RequiresGrad set");
        if (seed.Shape != Shape || seed.DType != DType)
            throw new ArgumentException($"seed gradient {seed.DType.Name()} {seed.Shape} does not match tensor {DType.Name()} {Shape}");
        if (IsLeaf)
        {
            AccumulateGrad(seed);
            return;
        }

        BackwardEngine.Run(this, seed);
    }

    internal void AccumulateGrad(Tensor g)
    {
        // A first gradient that something else also holds (the engine adopts those it may) is added to zeros rather
        // than copied: a captured step replays the zeroing and the add, and agrees with the eager one bit for bit.
        var sum = Grad ??= ZerosLike(this);
        var ops = Backends.Backend.Current.Ops;
        Kernel.LaunchElementwise([sum, g], [sum], typeof(Kernels.AddOperator), sum.Count, (start, count) => ops.AddInPlace(sum.Storage, g.Storage, start, count));
    }

    /// <summary>Takes <paramref name="g"/>, a gradient nothing else holds, as this leaf's gradient (there is none yet).</summary>
    internal void AdoptGrad(Tensor g)
    {
        if (Grad is not null) throw new InvalidOperationException("a leaf with a gradient accumulates into it; only a leaf without one adopts");
        Grad = g;
    }

    /// <summary>Points this parameter at <paramref name="gradient"/>, the tensor a captured step writes its gradient
    /// into, before the step is replayed.</summary>
    internal void UseGradient(Tensor? gradient) => Grad = gradient;

    /// <summary>The gradient tensor, created (zero) if there is none yet: for kernels that write gradients in place.</summary>
    internal Tensor GradientBuffer() => Grad ??= ZerosLike(this);

    /// <summary>Sets the accumulated gradient to zero, keeping its buffer.</summary>
    public void ZeroGrad() => Grad?.Fill(0);

    /// <summary>Drops the accumulated gradient (it is re-created by the next backward pass).</summary>
    public void ClearGrad() => Grad = null;

    /// <summary>A tensor sharing this one's values, cut from the graph: no gradient flows through it.</summary>
    public Tensor Detach() => new(Storage, Shape);
}
