using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The gradients of a captured pass in the order its backward pass finishes them, grouped into buckets of
/// about <see cref="TargetBytes"/>, each with the kernel after which all of its gradients are final: what a
/// data-parallel replay hands to the sum while the rest of the backward pass runs (PyTorch DDP's buckets).</summary>
/// <remarks>A gradient is final after the last kernel that reads or writes its buffer: the backward pass runs from the
/// loss towards the input, so the last layer's gradients are final first and the first layer's last. Every rank
/// captures the same kernels, so every rank makes the same buckets and hands them to the sum in the same order, as a
/// collective must be called. A gradient no kernel touches (a parameter the pass does not reach: zero) joins the first
/// bucket.</remarks>
internal sealed class GradientBuckets
{
    /// <summary>A bucket closes once it holds this many bytes of gradients. PyTorch's DDP starts with 1 MiB and then
    /// 25 MiB; our networks' gradients are a few MB in all, and a quarter of a MiB gives W1 two buckets (its classifier
    /// and middle layer's, then its first layer's) and W4 two (the dense layers', finished early, then the
    /// convolutions').</summary>
    public const int TargetBytes = 256 * 1024;

    private GradientBuckets(Bucket[] buckets) => Buckets = buckets;

    /// <summary>One bucket: its gradients, final once kernel <see cref="AfterKernel"/> (an index into the pass's
    /// kernels; −1 for before the first) has run.</summary>
    public sealed record Bucket(int AfterKernel, Tensor[] Gradients);

    /// <summary>The buckets, in the order the pass finishes them.</summary>
    public IReadOnlyList<Bucket> Buckets { get; }

    /// <summary>Plans the buckets of a pass of <paramref name="kernels"/> that leaves each parameter's gradient in
    /// <paramref name="gradients"/>.</summary>
    public static GradientBuckets Plan(IReadOnlyList<RecordedKernel> kernels, IReadOnlyList<Tensor> gradients)
    {
        var lastTouch = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        foreach (var g in gradients) lastTouch[g.Storage] = -1;
        for (int k = 0; k < kernels.Count; k++)
        {
            foreach (var read in kernels[k].Reads) Touch(read, k);
            foreach (var write in kernels[k].Writes) Touch(write, k);
        }

        // Stable by finishing kernel, so that gradients finished together stay in the parameters' order.
        var order = Enumerable.Range(0, gradients.Count).OrderBy(i => lastTouch[gradients[i].Storage]).ToArray();
        var buckets = new List<Bucket>();
        var members = new List<Tensor>();
        long bytes = 0;
        int after = -1;
        foreach (int i in order)
        {
            var g = gradients[i];
            members.Add(g);
            bytes += (long)g.Count * g.DType.ElementSize();
            after = Math.Max(after, lastTouch[g.Storage]);
            if (bytes >= TargetBytes)
            {
                buckets.Add(new Bucket(after, [.. members]));
                (members, bytes) = ([], 0);
            }
        }

        if (members.Count > 0) buckets.Add(new Bucket(after, [.. members]));
        return new GradientBuckets([.. buckets]);

        void Touch(object? storage, int kernel)
        {
            if (storage is not null && lastTouch.ContainsKey(storage)) lastTouch[storage] = kernel;
        }
    }
}
