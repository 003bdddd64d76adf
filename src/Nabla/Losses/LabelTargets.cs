using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>The targets a loss compares logits with, made from the labels by a kernel: the labels are read when the
/// kernel runs, so a captured step, which copies each batch's labels into its own array, replays them with the new
/// batch's labels. Every built-in loss is written on these, eager and captured alike.</summary>
internal static class LabelTargets
{
    /// <summary>The labels of an eager computation, copied: a capture recording it could not repeat the copy with the
    /// next batch's labels, so the recording is spoilt (a captured step passes its own array instead).</summary>
    public static int[] Copy(ReadOnlySpan<int> labels)
    {
        KernelTape.ObserveHostValues("the labels were copied on the host");
        return labels.ToArray();
    }

    /// <summary>(B, C): 1 at (i, labels[i]), 0 elsewhere.</summary>
    public static Tensor OneHot(int[] labels, int classes, DType dtype)
    {
        var y = Tensor.Uninitialized([labels.Length, classes], dtype);
        var ops = Backend.Current.Ops;
        Kernel.Launch([], [y], () => ops.OneHot(labels, classes, y.Storage));
        return y;
    }

    /// <summary>(B, 1): the labels as numbers, the targets of a single binary output.</summary>
    public static Tensor Values(int[] labels, DType dtype)
    {
        var y = Tensor.Uninitialized([labels.Length, 1], dtype);
        var ops = Backend.Current.Ops;
        Kernel.Launch([], [y], () => ops.LabelValues(labels, y.Storage));
        return y;
    }

    /// <summary>x[i, labels[i]] for each row i, as (x ⊙ onehot) summed over the classes: exact (the other terms are
    /// zeros) and differentiable with the captured elementwise kernels.</summary>
    public static Tensor PickLabelled(Tensor x, Tensor oneHot, bool keepDims = false) => (x * oneHot).Sum(1, keepDims);
}
