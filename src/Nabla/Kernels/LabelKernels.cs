using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Targets made from integer class labels, for the losses that compare logits with them.</summary>
internal static class LabelKernels
{
    /// <summary>y (B × C) = one-hot rows: 1 at (i, labels[i]), 0 elsewhere.</summary>
    public static void OneHot<T>(ReadOnlySpan<int> labels, int classes, Span<T> y)
        where T : INumberBase<T>
    {
        y[..(labels.Length * classes)].Clear();
        for (int i = 0; i < labels.Length; i++) y[(i * classes) + labels[i]] = T.One;
    }

    /// <summary>y (B) = the labels as numbers: the 0/1 targets of a single binary output.</summary>
    public static void Values<T>(ReadOnlySpan<int> labels, Span<T> y)
        where T : INumberBase<T>
    {
        for (int i = 0; i < labels.Length; i++) y[i] = T.CreateChecked(labels[i]);
    }
}
