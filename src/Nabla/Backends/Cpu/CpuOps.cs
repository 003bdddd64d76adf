using System.Numerics.Tensors;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Kernels.Gemm;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

/// <summary>The CPU backend's op table: the kernels of <c>Nabla.Kernels</c> on managed arrays, on the calling thread and
/// the kernel threads. Each op picks float or double from its first buffer, here and nowhere else.</summary>
internal sealed partial class CpuOps : BackendOps
{
    /// <summary>The one table (it holds no state).</summary>
    public static CpuOps Instance { get; } = new();

    private CpuOps()
    {
    }

    /// <inheritdoc/>
    public override void Linear(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, int rows, int inputs, int outputs, bool relu)
    {
        if (IsSingle(x)) Gemm.Multiply(Of<float>(x), 0, false, Of<float>(weight), 0, true, Of<float>(y), 0, rows, inputs, outputs, OfOptional<float>(bias), relu);
        else Gemm.Multiply(Of<double>(x), 0, false, Of<double>(weight), 0, true, Of<double>(y), 0, rows, inputs, outputs, OfOptional<double>(bias), relu);
    }

    /// <inheritdoc/>
    public override void SumRows(BackendStorage source, int rows, int columns, BackendStorage sums)
    {
        if (IsSingle(source)) BiasGradientKernel.SumRows<float>(Of<float>(source), rows, columns, Of<float>(sums));
        else BiasGradientKernel.SumRows<double>(Of<double>(source), rows, columns, Of<double>(sums));
    }

    /// <inheritdoc/>
    public override void MaskByPositive(BackendStorage y, BackendStorage g, int start, int count)
    {
        if (IsSingle(y))
        {
            var gs = Of<float>(g).AsSpan(start, count);
            BinaryOperator.Apply<ReluBackwardOperator, float>(Of<float>(y).AsSpan(start, count), gs, gs);
        }
        else
        {
            var gs = Of<double>(g).AsSpan(start, count);
            BinaryOperator.Apply<ReluBackwardOperator, double>(Of<double>(y).AsSpan(start, count), gs, gs);
        }
    }

    /// <inheritdoc/>
    public override double SoftmaxCrossEntropy(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient) =>
        IsSingle(logits)
            ? SoftmaxCrossEntropyKernel.Run<float>(Of<float>(logits).AsSpan(0, rows * classes), labels, classes, Of<float>(gradient), 1f / rows).LossSum
            : SoftmaxCrossEntropyKernel.Run<double>(Of<double>(logits).AsSpan(0, rows * classes), labels, classes, Of<double>(gradient), 1.0 / rows).LossSum;

    /// <inheritdoc/>
    public override void SoftmaxCrossEntropyMean(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient, BackendStorage loss)
    {
        double mean = SoftmaxCrossEntropy(logits, labels, rows, classes, gradient) / rows;
        if (IsSingle(loss)) Of<float>(loss)[0] = (float)mean;
        else Of<double>(loss)[0] = mean;
    }

    /// <inheritdoc/>
    public override void LayerNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, int features, double[] inverseStd, double epsilon)
    {
        if (IsSingle(x)) LayerNormKernel.Forward<float>(Of<float>(x), Of<float>(gamma), Of<float>(beta), Of<float>(y), Of<float>(normalised), features, inverseStd, epsilon);
        else LayerNormKernel.Forward<double>(Of<double>(x), Of<double>(gamma), Of<double>(beta), Of<double>(y), Of<double>(normalised), features, inverseStd, epsilon);
    }

    /// <inheritdoc/>
    public override void LayerNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, double[] inverseStd, double[] gammaSums, double[] betaSums)
    {
        if (IsSingle(g)) LayerNormKernel.Backward<float>(Of<float>(g), Of<float>(normalised), Of<float>(gamma), Of<float>(gx), inverseStd, gammaSums, betaSums, Of<float>(gGamma), Of<float>(gBeta));
        else LayerNormKernel.Backward<double>(Of<double>(g), Of<double>(normalised), Of<double>(gamma), Of<double>(gx), inverseStd, gammaSums, betaSums, Of<double>(gGamma), Of<double>(gBeta));
    }

    /// <inheritdoc/>
    public override void AveragePool(BackendStorage x, BackendStorage y, int planes, Conv2dGeometry geometry, bool forward)
    {
        if (IsSingle(x)) AvgPoolKernel.Walk<float>(Of<float>(x), Of<float>(y), planes, geometry, forward);
        else AvgPoolKernel.Walk<double>(Of<double>(x), Of<double>(y), planes, geometry, forward);
    }

    /// <inheritdoc/>
    public override void DropoutMask(BackendStorage mask, ulong key, ulong first, double keep, int start, int count)
    {
        if (IsSingle(mask)) DropoutMaskKernel.Fill<float>(Of<float>(mask).AsSpan(start, count), key, first + (ulong)start, keep);
        else DropoutMaskKernel.Fill<double>(Of<double>(mask).AsSpan(start, count), key, first + (ulong)start, keep);
    }

    /// <inheritdoc/>
    public override void OneHot(int[] labels, int classes, BackendStorage y)
    {
        if (IsSingle(y)) LabelKernels.OneHot<float>(labels, classes, Of<float>(y));
        else LabelKernels.OneHot<double>(labels, classes, Of<double>(y));
    }

    /// <inheritdoc/>
    public override void LabelValues(int[] labels, BackendStorage y)
    {
        if (IsSingle(y)) LabelKernels.Values<float>(labels, Of<float>(y));
        else LabelKernels.Values<double>(labels, Of<double>(y));
    }

    /// <inheritdoc/>
    public override double SumOfSquares(BackendStorage x) =>
        IsSingle(x) ? TensorPrimitives.SumOfSquares<float>(Of<float>(x)) : TensorPrimitives.SumOfSquares<double>(Of<double>(x));

    /// <inheritdoc/>
    public override double Sum(BackendStorage x) =>
        IsSingle(x) ? TensorPrimitives.Sum<float>(Of<float>(x)) : TensorPrimitives.Sum<double>(Of<double>(x));

    /// <inheritdoc/>
    public override void Scale(BackendStorage x, double factor)
    {
        if (IsSingle(x)) TensorPrimitives.Multiply(Of<float>(x), (float)factor, Of<float>(x));
        else TensorPrimitives.Multiply(Of<double>(x), factor, Of<double>(x));
    }

    /// <inheritdoc/>
    public override void Clamp(BackendStorage x, double limit)
    {
        if (IsSingle(x))
        {
            var span = Of<float>(x).AsSpan();
            TensorPrimitives.Clamp(span, (float)-limit, (float)limit, span);
        }
        else
        {
            var span = Of<double>(x).AsSpan();
            TensorPrimitives.Clamp(span, -limit, limit, span);
        }
    }

    /// <inheritdoc/>
    public override ConvolutionOp Convolution(in Conv2dGeometry geometry, int batch, int outputs, int groups) => new CpuConvolution(geometry, batch, outputs, groups);

    /// <inheritdoc/>
    public override BatchNormOp BatchNorm(int n, int channels, int length, double[] mean, double[] variance) => new CpuBatchNorm(n, channels, length, mean, variance);

    /// <inheritdoc/>
    public override MaxPoolOp MaxPool(in Conv2dGeometry geometry, int planes) => new CpuMaxPool(geometry, planes);

    /// <inheritdoc/>
    public override SmoothActivationOp SmoothActivation(SmoothActivation kind, double alpha, int count) => new CpuSmoothActivation(kind, alpha, count);
}
