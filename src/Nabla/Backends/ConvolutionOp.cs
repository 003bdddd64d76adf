namespace Nabla.Backends;

/// <summary>One convolution's kernel, made by <see cref="BackendOps.Convolution"/>: it holds its scratch, and its
/// backward pass reuses what the forward pass left there.</summary>
internal abstract class ConvolutionOp
{
    /// <summary>y = conv2d(x, weight) + bias, then max(0, ·) when <paramref name="relu"/>.</summary>
    public abstract void Forward(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, bool relu);

    /// <summary>The gradients asked for (a null one is skipped) from ∂L/∂y; given the fused ReLU's output
    /// <paramref name="y"/>, ∂L/∂y is first masked by [y &gt; 0] in place.</summary>
    public abstract void Backward(BackendStorage x, BackendStorage weight, BackendStorage? y, BackendStorage gy, BackendStorage? gx, BackendStorage? gw, BackendStorage? gb);
}
