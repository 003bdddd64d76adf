using Nabla.Backends;
using Nabla.Kernels;

namespace Nabla.Engine;

/// <summary>The fusion pass of a capture: rewrites its recorded kernels into fewer passes over memory, after the eager
/// pass has run and before the buffer plan (<see cref="BufferPlan"/>); anchors: the pointwise fusion of XLA and
/// TorchInductor, tinygrad's scheduler. The rewrites match kernels by their forms (<see cref="KernelForm"/>) and by the
/// buffers they declare, never by layer kind, so they apply to any module, built in or a user's:
/// <list type="bullet">
/// <item><b>ReLU epilogue.</b> A GEMM, convolution or batch norm writing a, followed by y = max(0, a) where nothing
/// else uses a, becomes that kernel writing max(0, ·) into y while the values are in registers or cache: a is never
/// written or read.</item>
/// <item><b>ReLU mask prologue.</b> The ReLU's backward in place, G ← G ⊙ [y &gt; 0], followed by a convolution's or
/// batch norm's backward that reads G, becomes that backward masking G as its threads read it: one pass over G
/// fewer.</item>
/// <item><b>Elementwise chains.</b> Consecutive elementwise kernels over the same number of elements (the backward's
/// gradient adds and masks, a user's chain of tensor arithmetic) become one kernel that runs them block by block
/// (<see cref="ElementwiseChain"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// <para><b>Rounding.</b> Every rewrite keeps each element's arithmetic: the same operations in the same order, no
/// FMA contraction, no reassociation. A fused replay therefore equals the eager pass bit for bit, and the tests hold
/// it to that. No fusion here changes rounding; one that did would be listed here with its tolerance (1e-6 relative in
/// float32, 1e-12 in float64).</para>
/// <para><b>Elsewhere.</b> The optimiser's update of all parameters in one pass is the optimiser's own
/// (<c>Optimizer.Step</c>), and softmax with cross-entropy is one kernel already, the loss's primitive (as PyTorch's
/// <c>cross_entropy</c>).</para>
/// </remarks>
internal static class KernelFusion
{
    /// <summary>Elements per block of a chain: 2,048 floats are 8 KB, so the few buffers of a chain's block stay in
    /// a 32–48 KB L1 cache; a multiple of every vector width.</summary>
    internal const int BlockElements = 2048;

    /// <summary>The kernels of a capture, fused; <paramref name="fusions"/> counts the kernels that no longer run on
    /// their own.</summary>
    /// <param name="kernels">The capture, in order.</param>
    /// <param name="keep">Buffers used outside the kernels between replays (the output, the loss, the gradients, the
    /// model's state): never left unwritten.</param>
    /// <param name="fusions">The number of kernels merged into another.</param>
    public static RecordedKernel[] Apply(RecordedKernel[] kernels, IReadOnlyCollection<BackendStorage> keep, out int fusions)
    {
        var kept = new HashSet<BackendStorage>(keep, ReferenceEqualityComparer.Instance);
        var list = new List<RecordedKernel?>(kernels);
        fusions = FuseReluEpilogues(list, kept) + FuseReluMaskPrologues(list);
        var fused = FuseElementwiseChains([.. list.OfType<RecordedKernel>()], out int chained);
        fusions += chained;
        return fused;
    }

    /// <summary>GEMM, convolution or batch norm (a) → ReLU (y = max(0, a)) becomes one kernel writing y in place of a
    /// (a batch norm also writes x̂, which stays as it is).</summary>
    private static int FuseReluEpilogues(List<RecordedKernel?> list, HashSet<BackendStorage> kept)
    {
        int fusions = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not { Form: ReluEpilogueForm epilogue } producer || Array.IndexOf(producer.Writes, epilogue.Output) < 0 || kept.Contains(epilogue.Output))
                continue;
            var a = epilogue.Output;
            int j = NextUse(list, a, i + 1);
            if (j < 0 || list[j] is not { Form: ElementwiseForm form } relu || form.Operation != typeof(ReluOperator)
                || relu.Reads is not [{ } read] || !ReferenceEquals(read, a) || relu.Writes is not [{ } y] || ReferenceEquals(y, a))
                continue;
            // a must die at the ReLU, and y must not be touched between the two: y is now written where a was.
            if (NextUse(list, a, j + 1) >= 0 || Uses(producer, y) || Touched(list, y, i + 1, j)) continue;

            BackendStorage?[] writes = [.. producer.Writes.Select(write => ReferenceEquals(write, a) ? y : write)];
            list[i] = Rewritten(epilogue.WithRelu(y), producer.Reads, writes, $"{KernelName.Of(producer.Run)} with {KernelName.Of(relu.Run)} in its epilogue");
            list[j] = null;
            fusions++;
        }

        return fusions;
    }

    /// <summary>ReLU backward in place (G ← G ⊙ [y &gt; 0]) → convolution backward reading G becomes that backward
    /// masking G itself.</summary>
    private static int FuseReluMaskPrologues(List<RecordedKernel?> list)
    {
        int fusions = 0;
        for (int j = 0; j < list.Count; j++)
        {
            if (list[j] is not { Form: ElementwiseForm form } mask || form.Operation != typeof(ReluBackwardOperator)
                || mask.Reads is not [{ } y, { } g] || mask.Writes is not [{ } written] || !ReferenceEquals(written, g) || ReferenceEquals(y, g))
                continue;
            int k = NextUse(list, g, j + 1);
            if (k < 0 || list[k] is not { Form: ReluMaskPrologueForm prologue } backward || !ReferenceEquals(prologue.Gradient, g)
                || backward.Writes.Contains(y) || Written(list, y, j + 1, k))
                continue;

            BackendStorage?[] reads = [.. backward.Reads, y], writes = [g, .. backward.Writes];
            list[k] = Rewritten(prologue.MaskingBy(y), reads, writes, $"{KernelName.Of(backward.Run)} masking its gradient as {KernelName.Of(mask.Run)} did");
            list[j] = null;
            fusions++;
        }

        return fusions;
    }

    /// <summary>Runs of consecutive elementwise kernels over the same number of elements become one chain each. A
    /// kernel between two members that shares no buffer with the members before it (the fill of a scalar constant, as
    /// in x·2 + 1) runs before the chain instead, so it does not break the chain.</summary>
    private static RecordedKernel[] FuseElementwiseChains(RecordedKernel[] kernels, out int fusions)
    {
        const int MostSetAside = 8;   // kernels looked past between two members
        fusions = 0;
        var result = new List<RecordedKernel>(kernels.Length);
        var members = new List<RecordedKernel>();
        var hoisted = new List<RecordedKernel>();
        var pending = new List<RecordedKernel>();
        for (int i = 0; i < kernels.Length;)
        {
            if (kernels[i].Form is not ElementwiseForm first)
            {
                result.Add(kernels[i++]);
                continue;
            }

            members.Clear();
            hoisted.Clear();
            pending.Clear();
            members.Add(kernels[i]);
            int j = i + 1;
            for (; j < kernels.Length; j++)
            {
                var next = kernels[j];
                if (next.Form is ElementwiseForm form && form.Length == first.Length)
                {
                    members.Add(next);
                    hoisted.AddRange(pending);
                    pending.Clear();
                }
                else if (pending.Count < MostSetAside && Independent(next, members))
                {
                    pending.Add(next);
                }
                else
                {
                    break;
                }
            }

            if (members.Count < 2)
            {
                result.Add(kernels[i++]);
                continue;
            }

            result.AddRange(hoisted);
            result.Add(Chain(members, first.Length));
            result.AddRange(pending);   // after the last member, as they were
            fusions += members.Count - 1;
            i = j;
        }

        return [.. result];
    }

    /// <summary>Whether <paramref name="kernel"/> may run before <paramref name="members"/>: it reads nothing they
    /// write and writes nothing they read or write.</summary>
    private static bool Independent(RecordedKernel kernel, List<RecordedKernel> members)
    {
        foreach (var member in members)
        {
            foreach (var read in kernel.Reads)
            {
                if (read is not null && Array.IndexOf(member.Writes, read) >= 0) return false;
            }

            foreach (var write in kernel.Writes)
            {
                if (write is not null && Uses(member, write)) return false;
            }
        }

        return true;
    }

    /// <summary>One kernel running <paramref name="members"/> block by block. It reads what a member reads before an
    /// earlier member wrote it, and writes what any member writes: a buffer made and used up inside the chain is only
    /// written, so the buffer plan may give it memory that died before the chain.</summary>
    private static RecordedKernel Chain(List<RecordedKernel> members, int length)
    {
        var reads = new List<BackendStorage?>();
        var writes = new List<BackendStorage?>();
        var ranges = new Action<int, int>[members.Count];
        var names = new string[members.Count];
        for (int m = 0; m < members.Count; m++)
        {
            names[m] = KernelName.Of(members[m].Run);
            ranges[m] = ((ElementwiseForm)members[m].Form!).Range;
            foreach (var read in members[m].Reads)
            {
                if (read is not null && !writes.Contains(read) && !reads.Contains(read)) reads.Add(read);
            }

            foreach (var write in members[m].Writes)
            {
                if (write is not null && !writes.Contains(write)) writes.Add(write);
            }
        }

        return Rewritten(new ElementwiseChain(ranges, length).Run, [.. reads], [.. writes], $"elementwise chain of {string.Join(", ", names)}");
    }

    /// <summary>A new kernel, named <paramref name="name"/>, prepared by this thread's backend as a launch would be
    /// (under the checks, when they run).</summary>
    private static RecordedKernel Rewritten(Action kernel, BackendStorage?[] reads, BackendStorage?[] writes, string name) =>
        new(Backend.Current.Prepare(new FusedKernel(kernel, name).Run, reads, writes), reads, writes);

    private static bool Uses(RecordedKernel kernel, BackendStorage storage) =>
        Array.IndexOf(kernel.Reads, storage) >= 0 || Array.IndexOf(kernel.Writes, storage) >= 0;

    /// <summary>The index of the first kernel from <paramref name="from"/> on that reads or writes
    /// <paramref name="storage"/>, or −1.</summary>
    private static int NextUse(List<RecordedKernel?> list, BackendStorage storage, int from)
    {
        for (int k = from; k < list.Count; k++)
        {
            if (list[k] is { } kernel && Uses(kernel, storage)) return k;
        }

        return -1;
    }

    /// <summary>Whether a kernel in [from, to) reads or writes <paramref name="storage"/>.</summary>
    private static bool Touched(List<RecordedKernel?> list, BackendStorage storage, int from, int to)
    {
        int next = NextUse(list, storage, from);
        return next >= 0 && next < to;
    }

    /// <summary>Whether a kernel in [from, to) writes <paramref name="storage"/>.</summary>
    private static bool Written(List<RecordedKernel?> list, BackendStorage storage, int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (list[k] is { } kernel && Array.IndexOf(kernel.Writes, storage) >= 0) return true;
        }

        return false;
    }
}
