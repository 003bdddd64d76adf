using Nabla.Backends;

namespace Nabla.Engine;

/// <summary>What a fusion pass (<see cref="KernelFusion"/>) may know of a recorded kernel beyond the buffers it reads
/// and writes: the small kernel IR the rewrites of a capture match on. A kernel without a form is opaque and is kept
/// as it is.</summary>
internal abstract class KernelForm;

/// <summary>An elementwise kernel: element i of every buffer it writes depends only on element i of the buffers it
/// reads, each <see cref="Length"/> long, and on operands of one element (a scalar). So it can run over any range of
/// elements, and a chain of such kernels can run block by block.</summary>
/// <param name="operation">The operator, e.g. <c>typeof(ReluOperator)</c>: what a rewrite recognises.</param>
/// <param name="length">The number of elements of what it writes.</param>
/// <param name="range">Runs the kernel on elements [start, start + count).</param>
internal sealed class ElementwiseForm(Type operation, int length, Action<int, int> range) : KernelForm, IWrappedKernel
{
    /// <summary>The range's lambda, which names the op in messages.</summary>
    Delegate IWrappedKernel.Kernel => range;

    /// <summary>The operator.</summary>
    public Type Operation => operation;

    /// <summary>The number of elements of what it writes.</summary>
    public int Length => length;

    /// <summary>Runs the kernel on elements [start, start + count).</summary>
    public Action<int, int> Range => range;

    /// <summary>The whole kernel: all <see cref="Length"/> elements, as an eager launch runs it (split across the
    /// kernel threads in blocks, <see cref="ElementwiseRun"/>).</summary>
    public void RunAll() => ElementwiseRun.Run(range, length);
}

/// <summary>A GEMM, convolution or batch norm that can pass its result through max(0, ·) in its own epilogue, while the
/// result is still in registers or cache, and so write y = max(0, a) without a pass over a.</summary>
/// <param name="output">a, the buffer it writes without the ReLU.</param>
/// <param name="withRelu">The same kernel writing max(0, a) into the given buffer instead.</param>
internal sealed class ReluEpilogueForm(BackendStorage output, Func<BackendStorage, Action> withRelu) : KernelForm
{
    /// <summary>a.</summary>
    public BackendStorage Output => output;

    /// <summary>The kernel writing max(0, a) into the given buffer.</summary>
    public Func<BackendStorage, Action> WithRelu => withRelu;
}

/// <summary>A backward kernel (a convolution's or a batch norm's) that can mask its upstream gradient by the ReLU after its forward,
/// G ← G ⊙ [y &gt; 0], in its own threads as it reads G, saving the ReLU backward's pass over G.</summary>
/// <param name="gradient">G, the upstream gradient it reads.</param>
/// <param name="maskingBy">The same kernel masking G in place by the given y first.</param>
internal sealed class ReluMaskPrologueForm(BackendStorage gradient, Func<BackendStorage, Action> maskingBy) : KernelForm
{
    /// <summary>G.</summary>
    public BackendStorage Gradient => gradient;

    /// <summary>The kernel masking G by the given y, in place, before using it.</summary>
    public Func<BackendStorage, Action> MaskingBy => maskingBy;
}
