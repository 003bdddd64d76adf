using Nabla.Backends;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

/// <summary>The GPU's op table: every entry of <see cref="BackendOps"/>, each launching the GPU kernel for it
/// (<see cref="GpuKernels"/>) on buffers of one accelerator, and the optimisers' updates
/// (<see cref="IOptimizerKernels"/>) for parameters on the device.</summary>
internal sealed class GpuOps(GpuKernels kernels) : BackendOps, IOptimizerKernels, IStepReadout
{
    /// <summary>The kernels behind the table.</summary>
    public GpuKernels Kernels { get; } = kernels;

    public override void Linear(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, int rows, int inputs, int outputs, bool relu) => Kernels.Linear(x, weight, bias, y, rows, inputs, outputs, relu);

    public override void SumRows(BackendStorage source, int rows, int columns, BackendStorage sums) => Kernels.SumRows(source, rows, columns, sums);

    public override void MaskByPositive(BackendStorage y, BackendStorage g, int start, int count) => Kernels.MaskByPositive(y, g, start, count);

    public override double SoftmaxCrossEntropy(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient) => Kernels.SoftmaxCrossEntropy(logits, labels, rows, classes, gradient);

    public override void SoftmaxCrossEntropyMean(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient, BackendStorage loss) => Kernels.SoftmaxCrossEntropyMean(logits, labels, rows, classes, gradient, loss);

    public StepValues ReadStep(BackendStorage dataLoss, BackendStorage objective, BackendStorage?[] gradients, BackendStorage logits, int rows, int classes, Span<int> predictions) =>
        Kernels.ReadStep(dataLoss, objective, gradients, logits, rows, classes, predictions);

    public override void LayerNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, int features, double[] inverseStd, double epsilon) => Kernels.LayerNormForward(x, gamma, beta, y, normalised, features, inverseStd, epsilon);

    public override void LayerNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, double[] inverseStd, double[] gammaSums, double[] betaSums) => Kernels.LayerNormBackward(g, normalised, gamma, gx, gGamma, gBeta, inverseStd, gammaSums, betaSums);

    public override void AveragePool(BackendStorage x, BackendStorage y, int planes, Conv2dGeometry geometry, bool forward) => Kernels.AveragePool(x, y, planes, geometry, forward);

    public override void DropoutMask(BackendStorage mask, ulong key, ulong first, double keep, int start, int count) => Kernels.DropoutMask(mask, key, first, keep, start, count);

    public override void OneHot(int[] labels, int classes, BackendStorage y) => Kernels.OneHot(labels, classes, y);

    public override void LabelValues(int[] labels, BackendStorage y) => Kernels.LabelValues(labels, y);

    public override double SumOfSquares(BackendStorage x) => Kernels.SumOfSquares(x);

    public override double Sum(BackendStorage x) => Kernels.Sum(x);

    public override void Scale(BackendStorage x, double factor) => Kernels.Scale(x, factor);

    public override void Clamp(BackendStorage x, double limit) => Kernels.Clamp(x, limit);

    public override ConvolutionOp Convolution(in Conv2dGeometry geometry, int batch, int outputs, int groups) => Kernels.Convolution(geometry, batch, outputs, groups);

    public override BatchNormOp BatchNorm(int n, int channels, int length, double[] mean, double[] variance) => Kernels.BatchNorm(n, channels, length);   // its statistics stay on the GPU

    public override MaxPoolOp MaxPool(in Conv2dGeometry geometry, int planes) => Kernels.MaxPool(geometry, planes);

    public override SmoothActivationOp SmoothActivation(SmoothActivation kind, double alpha, int count) => Kernels.SmoothActivation(kind, alpha, count);

    public override void Unary<TOp>(BackendStorage x, double alpha, BackendStorage y, int start, int count) => Kernels.Unary<TOp>(x, alpha, y, start, count);

    public override void Binary<TOp>(BackendStorage x, ReadOnlySpan<int> xDims, BackendStorage y, ReadOnlySpan<int> yDims, BackendStorage d, ReadOnlySpan<int> dDims) => Kernels.Binary<TOp>(x, xDims, y, yDims, d, dDims);

    public override void BinaryElementwise<TOp>(BackendStorage x, BackendStorage y, BackendStorage d, int start, int count) => Kernels.BinaryElementwise<TOp>(x, y, d, start, count);

    public override void AddInPlace(BackendStorage sum, BackendStorage g, int start, int count) => Kernels.AddInPlace(sum, g, start, count);

    public override void Clear(BackendStorage x) => Kernels.Clear(x);

    public override void SumAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y) => Kernels.SumAxis(x, outer, n, inner, y);

    public override void MaxAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y) => Kernels.MaxAxis(x, outer, n, inner, y);

    public override void ArgMaxAxis(BackendStorage x, int outer, int n, int inner, Span<int> destination) => Kernels.ArgMaxAxis(x, outer, n, inner, destination);

    public override void Permute(BackendStorage x, ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm, BackendStorage y) => Kernels.Permute(x, xDims, perm, y);

    public override void Narrow(BackendStorage x, int outer, int n, int inner, int start, int length, BackendStorage y) => Kernels.Narrow(x, outer, n, inner, start, length, y);

    public override void Place(BackendStorage part, int outer, int n, int inner, int start, int length, BackendStorage destination) => Kernels.Place(part, outer, n, inner, start, length, destination);

    public override void GatherRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination) => Kernels.GatherRows(source, rows, rowSize, destination);

    public override void PickPerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination) => Kernels.PickPerRow(source, columns, width, destination);

    public override void PlacePerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination) => Kernels.PlacePerRow(source, columns, width, destination);

    public override void ScatterAddRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination) => Kernels.ScatterAddRows(source, rows, rowSize, destination);

    public override void MatMul(BackendStorage a, int aOffset, bool transposeA, BackendStorage b, int bOffset, bool transposeB, BackendStorage c, int cOffset, int m, int k, int n) => Kernels.MatMul(a, aOffset, transposeA, b, bOffset, transposeB, c, cOffset, m, k, n);

    public void SgdStep(BackendStorage w, BackendStorage grad, BackendStorage? velocity, double learningRate, double momentum, bool nesterov, double weightDecay) => Kernels.SgdStep(w, grad, velocity, learningRate, momentum, nesterov, weightDecay);

    public void AdamStep(BackendStorage w, BackendStorage grad, BackendStorage m, BackendStorage v, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, long step) => Kernels.AdamStep(w, grad, m, v, learningRate, beta1, beta2, epsilon, weightDecay, decoupled, step);
}
