using Nabla.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Backends;

/// <summary>A backend's op table: the kernels behind the autograd functions, on its own buffers
/// (<see cref="BackendStorage"/>) and plain dimensions. An autograd function checks shapes, makes
/// its outputs and launches one of these (through <c>Kernel.Launch</c>, so that captures see it); the backend picks
/// the element type from the buffers and runs its kernel. The math of each op is written beside the function that
/// launches it.</summary>
/// <remarks>Ops that keep state between their forward and backward passes (a convolution's scratch, max pooling's
/// choices, batch norm's statistics) are objects made by the table: a captured step holds them, and replays with no
/// allocation.</remarks>
internal abstract partial class BackendOps
{
    /// <summary>y (rows × outputs) = x (rows × inputs) · weightᵀ (weight outputs × inputs) + bias, then max(0, ·) when
    /// <paramref name="relu"/>: the bias and the ReLU in the product's epilogue.</summary>
    public abstract void Linear(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, int rows, int inputs, int outputs, bool relu);

    /// <summary>sums (columns) = Σ over the rows of <paramref name="source"/> (rows × columns), row by row in order.</summary>
    public abstract void SumRows(BackendStorage source, int rows, int columns, BackendStorage sums);

    /// <summary>g ← g ⊙ [y &gt; 0] on elements [start, start + count): the ReLU's backward from its output, in place.</summary>
    public abstract void MaskByPositive(BackendStorage y, BackendStorage g, int start, int count);

    /// <summary>The mean softmax loss of <paramref name="rows"/> rows of logits (rows × classes): writes ∂L/∂z =
    /// (softmax(z) − onehot(y)) / rows into <paramref name="gradient"/> (1/rows taken in the element type) and returns
    /// the sum over the rows of log Σⱼ exp(zⱼ) − z_label.</summary>
    public abstract double SoftmaxCrossEntropy(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient);

    /// <summary>As <see cref="SoftmaxCrossEntropy"/>, with the mean loss (the row sum in float64, over rows, then rounded
    /// to the element type) written into element 0 of <paramref name="loss"/> where it lies: on a device, with no
    /// wait for the host.</summary>
    public abstract void SoftmaxCrossEntropyMean(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient, BackendStorage loss);

    /// <summary>Layer normalisation's forward over rows of <paramref name="features"/>: y and x̂, and each row's
    /// 1/√(σ² + ε) into <paramref name="inverseStd"/>.</summary>
    public abstract void LayerNormForward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, int features, double[] inverseStd, double epsilon);

    /// <summary>Layer normalisation's backward: ∂L/∂x, ∂L/∂γ and ∂L/∂β, the last two summed in float64 in
    /// <paramref name="gammaSums"/> and <paramref name="betaSums"/> (scratch of F each).</summary>
    public abstract void LayerNormBackward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, double[] inverseStd, double[] gammaSums, double[] betaSums);

    /// <summary>Average pooling over <paramref name="planes"/> planes: y += the window means of x (forward), or
    /// x += each output's gradient spread evenly over its window (backward, x then being ∂L/∂x and y ∂L/∂y).</summary>
    public abstract void AveragePool(BackendStorage x, BackendStorage y, int planes, Conv2dGeometry geometry, bool forward);

    /// <summary>Fills elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of
    /// <paramref name="mask"/> with inverted dropout's values from the counter-based stream <paramref name="key"/>,
    /// element i taking value <paramref name="first"/> + i: 1/keep with probability keep, else 0.</summary>
    public abstract void DropoutMask(BackendStorage mask, ulong key, ulong first, double keep, int start, int count);

    /// <summary>y (rows × <paramref name="classes"/>) = one-hot rows of <paramref name="labels"/>, read when the
    /// kernel runs.</summary>
    public abstract void OneHot(int[] labels, int classes, BackendStorage y);

    /// <summary>y (rows) = <paramref name="labels"/> as numbers, read when the kernel runs.</summary>
    public abstract void LabelValues(int[] labels, BackendStorage y);

    /// <summary>Σ x², summed in the element type and returned as a double.</summary>
    public abstract double SumOfSquares(BackendStorage x);

    /// <summary>Σ x.</summary>
    public abstract double Sum(BackendStorage x);

    /// <summary>x ← x · <paramref name="factor"/>.</summary>
    public abstract void Scale(BackendStorage x, double factor);

    /// <summary>x ← min(max(x, −<paramref name="limit"/>), <paramref name="limit"/>).</summary>
    public abstract void Clamp(BackendStorage x, double limit);

    /// <summary>A convolution of <paramref name="batch"/> images of the geometry's shape into
    /// <paramref name="outputs"/> channels in <paramref name="groups"/> groups.</summary>
    public abstract ConvolutionOp Convolution(in Conv2dGeometry geometry, int batch, int outputs, int groups);

    /// <summary>Training-mode batch normalisation of (n, channels, length) data, writing each forward pass's statistics
    /// into <paramref name="mean"/> and <paramref name="variance"/>.</summary>
    public abstract BatchNormOp BatchNorm(int n, int channels, int length, double[] mean, double[] variance);

    /// <summary>Max pooling of <paramref name="planes"/> planes of the geometry's shape.</summary>
    public abstract MaxPoolOp MaxPool(in Conv2dGeometry geometry, int planes);

    /// <summary>A smooth activation (<paramref name="kind"/>) of <paramref name="count"/> elements, with its derivative.</summary>
    public abstract SmoothActivationOp SmoothActivation(SmoothActivation kind, double alpha, int count);
}
