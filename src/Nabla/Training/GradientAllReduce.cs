using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The gradient of the whole global batch from each rank's gradient of its own rows: the step of data
/// parallelism between the backward pass and the update.</summary>
/// <remarks>
/// <para>The math. The loss of a global batch of B rows is the mean (1/B) Σᵢ Lᵢ. Rank r holds b_r of the rows and its
/// backward pass gives the gradient of its own mean, g_r = ∇ (1/b_r) Σ_{i ∈ r} Lᵢ + ∇ λΩ(W). Then
/// Σ_r (b_r / B) · g_r = ∇ (1/B) Σᵢ Lᵢ + ∇ λΩ(W) · Σ_r b_r / B = the single process's gradient: the regulariser's term,
/// the same on every rank, is counted once because the weights b_r / B add up to 1. The data loss, the objective and
/// the number correct are summed the same way, as b_r-weighted values, in float64.</para>
/// <para>The gradients travel in their own precision (float32 for float32 models), packed into one buffer per dtype so
/// that each step makes one collective per dtype, plus one of four float64 scalars.</para>
/// </remarks>
internal sealed class GradientAllReduce(IProcessGroup group)
{
    private float[] _floats = [];
    private double[] _doubles = [];
    private readonly double[] _scalars = new double[4];

    /// <summary>The ranks.</summary>
    public IProcessGroup Group { get; } = group;

    /// <summary>Replaces each parameter's gradient (of this rank's <paramref name="localRows"/> rows) by the whole batch's
    /// gradient, the same bits on every rank. Returns the batch's mean data loss and objective, its number correct, and
    /// whether any rank's <paramref name="stopRequested"/> was set (a Ctrl-C seen by one rank stops all of them after
    /// the same step).</summary>
    public (double Loss, double Objective, int Correct, bool Stop) Sum(IReadOnlyList<Tensor> parameters, int localRows, int globalRows, double loss, double objective, int correct, bool stopRequested)
    {
        double weight = (double)localRows / globalRows;
        int floats = 0, doubles = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].DType == DType.Float32) floats += parameters[i].Count;
            else doubles += parameters[i].Count;
        }

        // Padded with zeros to a multiple of N, which lets the transport send and gather the blocks in place.
        int size = Group.Size;
        if (_floats.Length != RoundUp(floats, size)) _floats = new float[RoundUp(floats, size)];
        if (_doubles.Length != RoundUp(doubles, size)) _doubles = new double[RoundUp(doubles, size)];

        // Pack w_r · g_r.
        int f = 0, d = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.DType == DType.Float32)
            {
                var into = _floats.AsSpan(f, p.Count);
                TensorPrimitives.Multiply(p.GradientBuffer().AsSpan<float>(), (float)weight, into);
                f += p.Count;
            }
            else
            {
                var into = _doubles.AsSpan(d, p.Count);
                TensorPrimitives.Multiply(p.GradientBuffer().AsSpan<double>(), weight, into);
                d += p.Count;
            }
        }

        _scalars[0] = loss * localRows;
        _scalars[1] = objective * localRows;
        _scalars[2] = correct;
        _scalars[3] = stopRequested ? 1 : 0;
        if (floats > 0) Group.SumInRankOrder(_floats);
        if (doubles > 0) Group.SumInRankOrder(_doubles);
        Group.SumInRankOrder(_scalars);

        // Unpack Σ_r w_r · g_r.
        f = 0;
        d = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.DType == DType.Float32)
            {
                _floats.AsSpan(f, p.Count).CopyTo(p.GradientBuffer().AsSpan<float>());
                f += p.Count;
            }
            else
            {
                _doubles.AsSpan(d, p.Count).CopyTo(p.GradientBuffer().AsSpan<double>());
                d += p.Count;
            }
        }

        return (_scalars[0] / globalRows, _scalars[1] / globalRows, (int)_scalars[2], _scalars[3] > 0);
    }

    private static int RoundUp(int count, int multiple) => (count + multiple - 1) / multiple * multiple;
}
