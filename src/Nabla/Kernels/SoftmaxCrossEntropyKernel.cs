using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>Softmax cross-entropy, its gradient and the count of correct predictions in one pass over the logits.</summary>
/// <remarks>
/// For row i with logits z and label y, with m = maxⱼ zⱼ:
/// <code>
/// lse  = m + log Σⱼ exp(zⱼ − m)          (log-sum-exp, stable for logits of any size)
/// Lᵢ   = lse − z_y                        (= −log softmax(z)_y)
/// ∂Lᵢ/∂zⱼ = softmax(z)ⱼ − [j = y] = exp(zⱼ − lse) − [j = y]
/// </code>
/// The gradient is written scaled by <c>scale</c> (1/B for a mean over the batch). Separately, log-softmax, gather and
/// mean would each make a full (B, C) pass and a tensor; here each row is read once and its gradient written once.
/// </remarks>
internal static class SoftmaxCrossEntropyKernel
{
    /// <summary>Returns Σᵢ Lᵢ (in float64) and the number of rows whose largest logit is at the label; writes
    /// scale · ∂Lᵢ/∂z into <paramref name="gradient"/> (rows × classes).</summary>
    public static (double LossSum, int Correct) Run<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int classes, Span<T> gradient, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var z = logits.Slice(i * classes, classes);
            var g = gradient.Slice(i * classes, classes);
            int label = labels[i];
            int argMax = TensorPrimitives.IndexOfMax(z);
            T max = z[argMax];
            if (argMax == label) correct++;

            TensorPrimitives.Subtract(z, max, g);    // z − m
            TensorPrimitives.Exp(g, g);              // exp(z − m)
            T sum = TensorPrimitives.Sum<T>(g);
            T logSum = T.Log(sum);
            lossSum += double.CreateTruncating(max + logSum - z[label]);

            TensorPrimitives.Multiply(g, scale / sum, g);   // scale · softmax(z)
            g[label] -= scale;                               // − scale · [j = y]
        }

        return (lossSum, correct);
    }
}
