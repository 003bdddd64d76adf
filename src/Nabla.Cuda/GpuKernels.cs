using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Nabla.Backends;
using Nabla.Cuda.Kernels;
using IUnaryOperator = Nabla.Kernels.IUnaryOperator;
using ReluBackwardOperator = Nabla.Kernels.ReluBackwardOperator;
using Nabla.Tensors;

namespace Nabla.Cuda;

/// <summary>The GPU's kernels for the op table's entries, on <see cref="GpuStorage{T}"/> buffers of one accelerator,
/// with the table's signatures: launches go to the accelerator's stream in order and return at once; only an entry
/// that returns a value (a loss, a sum) waits for its kernel.</summary>
/// <remarks>Each kernel is compiled by ILGPU on first use for its element type (and operator) and kept. On a CUDA GPU
/// the kernels become PTX; on ILGPU's CPU accelerator they run as .NET code on host threads, which is how the tests
/// check them against the CPU kernels on machines without a GPU.</remarks>
internal sealed partial class GpuKernels : IDisposable
{
    private readonly Context _context;
    private readonly Dictionary<(string Name, Type Operator, Type Element), Delegate> _compiled = [];
    private MemoryBuffer1D<int, Stride1D.Dense>? _labels, _indices;
    private GpuStorage<float>? _partialSingle;
    private GpuStorage<double>? _partialDouble, _rowStatistics;
    private GpuStorage<float>? _rowLossSingle;
    private GpuStorage<double>? _rowLossDouble;
    private GpuStorage<float>? _reductionPartsSingle;
    private GpuStorage<double>? _reductionPartsDouble;
    private CuBlas<CuBlasPointerModeHandlers.AutomaticMode>? _blas;

    private GpuKernels(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    /// <summary>The kernels on the first CUDA GPU, matrix products through cuBLAS (on the accelerator's stream, so
    /// that they stay in order with the kernels).</summary>
    /// <exception cref="CudaException">The driver could not create a context on the GPU.</exception>
    /// <exception cref="DllNotFoundException">cuBLAS (<see cref="CudaAvailability.CublasLibrary"/>) was not found.</exception>
    public static GpuKernels OnCuda()
    {
        var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        GpuKernels? kernels = null;
        try
        {
            kernels = new GpuKernels(context, context.CreateCudaAccelerator(0));   // products by cuBLAS, not the tiled kernel
            kernels._blas = new CuBlas<CuBlasPointerModeHandlers.AutomaticMode>((CudaAccelerator)kernels.Accelerator) { Stream = (CudaStream)kernels.Accelerator.DefaultStream };
            return kernels;
        }
        catch
        {
            if (kernels is not null) kernels.Dispose();
            else context.Dispose();
            throw;
        }
    }

    /// <summary>The accelerator's name, as the banner shows it ("NVIDIA H200", "CPUAccelerator").</summary>
    public string DeviceName => Accelerator.Name;

    /// <summary>Whether matrix products go through cuBLAS.</summary>
    public bool UsesCublas => _blas is not null;

    /// <summary>The accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Whether matrix products run the tiled kernel (shared memory, a group a tile) rather than one thread per
    /// element: on a device with GPU-sized groups, yes; on ILGPU's default CPU accelerator, whose groups are too small
    /// for a tile and whose barriers are costly, no.</summary>
    public bool TiledProducts { get; init; }

    /// <summary>The kernels on ILGPU's CPU accelerator: the GPU code, run on the host, for tests. Its default device
    /// runs 16 host threads, groups of at most 16, and the matrix products one thread per element; with
    /// <paramref name="gpuGroups"/>, an NVIDIA-like device (warps of 32, groups of up to 1024 threads, as many host
    /// threads) for the tiled matrix kernel's 256-thread groups: on a machine of two cores its threads wait on each
    /// other at every launch, so it serves only the tests of that kernel.</summary>
    public static GpuKernels OnCpuAccelerator(bool gpuGroups = false)
    {
        var context = Context.Create(builder => builder.CPU(gpuGroups ? CPUDeviceKind.Nvidia : CPUDeviceKind.Default).EnableAlgorithms());
        return new GpuKernels(context, context.CreateCPUAccelerator(0)) { TiledProducts = gpuGroups };
    }

    /// <summary>A buffer of <paramref name="length"/> elements of <typeparamref name="T"/> on this accelerator.</summary>
    public GpuStorage<T> Allocate<T>(int length)
        where T : unmanaged => new(Accelerator, length);

    /// <summary>Waits for every launched kernel.</summary>
    public void Synchronize() => Drain();

    /// <summary>y = TOp(x; α) on elements [start, start + count).</summary>
    public void Unary<TOp>(BackendStorage x, double alpha, BackendStorage y, int start, int count)
        where TOp : IUnaryOperator
    {
        if (count == 0) return;
        if (IsSingle(x)) Load("unary", typeof(TOp), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, int>(ElementwiseKernels.Unary<TOp, float>))(count, View<float>(x), View<float>(y), (float)alpha, start);
        else Load("unary", typeof(TOp), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, double, int>(ElementwiseKernels.Unary<TOp, double>))(count, View<double>(x), View<double>(y), alpha, start);
    }

    /// <summary>d = TOp(x, y) with x and y broadcast NumPy-style to d's dimensions.</summary>
    public void Binary<TOp>(BackendStorage x, ReadOnlySpan<int> xDims, BackendStorage y, ReadOnlySpan<int> yDims, BackendStorage d, ReadOnlySpan<int> dDims)
        where TOp : Nabla.Kernels.IBinaryOperator<TOp>
    {
        int count = d.Length;
        if (count == 0) return;
        bool elementwise = (x.Length == count || x.Length == 1) && (y.Length == count || y.Length == 1) && (xDims.SequenceEqual(yDims) || x.Length == 1 || y.Length == 1);
        if (elementwise)
        {
            BinaryElementwise<TOp>(x, y, d, 0, count);
            return;
        }

        var shape = StridedShape.Broadcast(xDims, yDims, dDims);
        if (IsSingle(x)) Load("broadcast", typeof(TOp), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StridedShape>(ElementwiseKernels.BinaryBroadcast<TOp, float>))(count, View<float>(x), View<float>(y), View<float>(d), shape);
        else Load("broadcast", typeof(TOp), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, StridedShape>(ElementwiseKernels.BinaryBroadcast<TOp, double>))(count, View<double>(x), View<double>(y), View<double>(d), shape);
    }

    /// <summary>d = TOp(x, y) on elements [start, start + count) of d, x and y each of d's length or a scalar.</summary>
    public void BinaryElementwise<TOp>(BackendStorage x, BackendStorage y, BackendStorage d, int start, int count)
        where TOp : Nabla.Kernels.IBinaryOperator<TOp>
    {
        if (count == 0) return;
        if (IsSingle(x)) Load("binary", typeof(TOp), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Binary<TOp, float>))(count, View<float>(x), View<float>(y), View<float>(d), start);
        else Load("binary", typeof(TOp), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(ElementwiseKernels.Binary<TOp, double>))(count, View<double>(x), View<double>(y), View<double>(d), start);
    }

    /// <summary>g ← g ⊙ [y &gt; 0] on elements [start, start + count): the ReLU's backward from its output, in place.</summary>
    public void MaskByPositive(BackendStorage y, BackendStorage g, int start, int count) => BinaryElementwise<ReluBackwardOperator>(y, g, g, start, count);

    /// <summary>sum ← sum + g on elements [start, start + count).</summary>
    public void AddInPlace(BackendStorage sum, BackendStorage g, int start, int count)
    {
        if (count == 0) return;
        if (IsSingle(sum)) Load("add", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddInPlace<float>))(count, View<float>(sum), View<float>(g), start);
        else Load("add", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(ElementwiseKernels.AddInPlace<double>))(count, View<double>(sum), View<double>(g), start);
    }

    /// <summary>x ← x · <paramref name="factor"/>.</summary>
    public void Scale(BackendStorage x, double factor)
    {
        if (x.Length == 0) return;
        if (IsSingle(x)) Load("scale", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Scale<float>))(x.Length, View<float>(x), (float)factor);
        else Load("scale", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double>(ElementwiseKernels.Scale<double>))(x.Length, View<double>(x), factor);
    }

    /// <summary>x ← min(max(x, −<paramref name="limit"/>), <paramref name="limit"/>).</summary>
    public void Clamp(BackendStorage x, double limit)
    {
        if (x.Length == 0) return;
        if (IsSingle(x)) Load("clamp", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Clamp<float>))(x.Length, View<float>(x), (float)limit);
        else Load("clamp", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double>(ElementwiseKernels.Clamp<double>))(x.Length, View<double>(x), limit);
    }

    /// <summary>x ← 0.</summary>
    public void Clear(BackendStorage x)
    {
        if (IsSingle(x)) Storage<float>(x).Buffer.MemSetToZero();
        else Storage<double>(x).Buffer.MemSetToZero();
    }

    /// <summary>x ← <paramref name="value"/> (zero as a memset, else a kernel; no host copy).</summary>
    public void Fill(BackendStorage x, double value)
    {
        if (value == 0 && !double.IsNegative(value))
        {
            Clear(x);
            return;
        }

        if (x.Length == 0) return;
        if (IsSingle(x)) Load("fill", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill<float>))(x.Length, View<float>(x), (float)value);
        else Load("fill", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double>(ElementwiseKernels.Fill<double>))(x.Length, View<double>(x), value);
    }

    /// <summary>y (outer × inner) = Σ over the middle axis of x (outer × n × inner).</summary>
    public void SumAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y) => Reduce("sum", x, outer, n, inner, y);

    /// <summary>y (outer × inner) = max over the middle axis of x (outer × n × inner).</summary>
    public void MaxAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y) => Reduce("max", x, outer, n, inner, y);

    /// <summary>sums (columns) = Σ over the rows of <paramref name="source"/> (rows × columns), row by row in order (in
    /// ordered parts when there are many rows and few columns).</summary>
    public void SumRows(BackendStorage source, int rows, int columns, BackendStorage sums) => Reduce("sum", source, 1, rows, columns, sums);

    /// <summary>C[m×n] = op(A)·op(B), A stored m × k (k × m when <paramref name="transposeA"/>) from
    /// <paramref name="aOffset"/>, B stored k × n (n × k when <paramref name="transposeB"/>) from
    /// <paramref name="bOffset"/>, C from <paramref name="cOffset"/>.</summary>
    public void MatMul(BackendStorage a, int aOffset, bool transposeA, BackendStorage b, int bOffset, bool transposeB, BackendStorage c, int cOffset, int m, int k, int n) =>
        Product(a, b, null, c, MatMulShape.Of(aOffset, transposeA, bOffset, transposeB, cOffset, m, k, n));

    /// <summary>y (rows × outputs) = x (rows × inputs) · weightᵀ + bias, then max(0, ·) when <paramref name="relu"/>.</summary>
    public void Linear(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, int rows, int inputs, int outputs, bool relu)
    {
        var shape = MatMulShape.Of(0, false, 0, true, 0, rows, inputs, outputs);
        shape.HasBias = bias is null ? 0 : 1;
        shape.Relu = relu ? 1 : 0;
        Product(x, weight, bias, y, shape);
    }

    /// <summary>The mean softmax loss's gradient (softmax(z) − onehot(y)) / rows into <paramref name="gradient"/>;
    /// returns the sum over the rows of log Σⱼ exp(zⱼ) − z_label (waiting for the kernel).</summary>
    public double SoftmaxCrossEntropy(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient)
    {
        var rowLoss = RowLosses(logits, labels, rows, classes, gradient);
        double sum = 0;
        if (IsSingle(logits))
        {
            var values = new float[rows];
            ReadBack(Storage<float>(rowLoss).View.SubView(0, rows), values.AsSpan());
            foreach (var v in values) sum += v;
        }
        else
        {
            var values = new double[rows];
            ReadBack(Storage<double>(rowLoss).View.SubView(0, rows), values.AsSpan());
            foreach (var v in values) sum += v;
        }

        return sum;
    }

    /// <summary>The softmax loss's kernel (SoftmaxCrossEntropyKernel): the gradient, and each row's loss into the
    /// returned scratch buffer (first <paramref name="rows"/> elements), labels uploaded without waiting.</summary>
    private BackendStorage RowLosses(BackendStorage logits, int[] labels, int rows, int classes, BackendStorage gradient)
    {
        var labelView = Upload(labels, rows);
        if (IsSingle(logits))
        {
            var rowLoss = Scratch(ref _rowLossSingle, Math.Max(rows, 1));
            Load("softmax-ce", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float>(SoftmaxCrossEntropyKernel.Run<float>))(rows, View<float>(logits), labelView, View<float>(gradient), rowLoss.View, classes, 1f / rows);
            return rowLoss;
        }
        else
        {
            var rowLoss = Scratch(ref _rowLossDouble, Math.Max(rows, 1));
            Load("softmax-ce", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int, double>(SoftmaxCrossEntropyKernel.Run<double>))(rows, View<double>(logits), labelView, View<double>(gradient), rowLoss.View, classes, 1.0 / rows);
            return rowLoss;
        }
    }

    /// <summary>Elements [start, start + count) of <paramref name="mask"/>: inverted dropout's values from the
    /// counter-based stream <paramref name="key"/>, element i taking value <paramref name="first"/> + i (the CPU's
    /// masks, bit for bit).</summary>
    public void DropoutMask(BackendStorage mask, ulong key, ulong first, double keep, int start, int count)
    {
        if (count == 0) return;
        ulong threshold = Nabla.Kernels.CounterRandom.Threshold(keep);
        if (IsSingle(mask)) Load("dropout", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ulong, ulong, ulong, float, int>(DropoutMaskKernel.Fill<float>))(count, View<float>(mask), key, first, threshold, (float)(1 / keep), start);
        else Load("dropout", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ulong, ulong, ulong, double, int>(DropoutMaskKernel.Fill<double>))(count, View<double>(mask), key, first, threshold, 1 / keep, start);
    }

    /// <summary>y (rows × <paramref name="classes"/>) = one-hot rows of <paramref name="labels"/>.</summary>
    public void OneHot(int[] labels, int classes, BackendStorage y)
    {
        var labelView = Upload(labels, labels.Length);
        int count = labels.Length * classes;
        if (count == 0) return;
        if (IsSingle(y)) Load("one-hot", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, int>(LabelKernels.OneHot<float>))(count, labelView, View<float>(y), classes);
        else Load("one-hot", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<double>, int>(LabelKernels.OneHot<double>))(count, labelView, View<double>(y), classes);
    }

    /// <summary>y (rows) = <paramref name="labels"/> as numbers.</summary>
    public void LabelValues(int[] labels, BackendStorage y)
    {
        var labelView = Upload(labels, labels.Length);
        if (labels.Length == 0) return;
        if (IsSingle(y)) Load("label-values", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>>(LabelKernels.Values))(labels.Length, labelView, View<float>(y));
        else Load("label-values", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<double>>(LabelKernels.Values))(labels.Length, labelView, View<double>(y));
    }

    /// <summary><paramref name="destination"/> (outer × inner, on the host) = the index of the largest value along the
    /// middle axis of x (outer × n × inner), the first one on ties (waiting for the kernel).</summary>
    public void ArgMaxAxis(BackendStorage x, int outer, int n, int inner, Span<int> destination)
    {
        int count = outer * inner;
        if (count == 0) return;
        if (_indices is null || _indices.Length < count)
        {
            if (_indices is not null) Drain();   // as Scratch
            _indices?.Dispose();
            _indices = Accelerator.Allocate1D<int>(count);
        }

        var indices = _indices.View.SubView(0, count);
        if (IsSingle(x)) Load("argmax", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int>(ReductionKernels.ArgMax<float>))(count, View<float>(x), indices, n, inner);
        else Load("argmax", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, int, int>(ReductionKernels.ArgMax<double>))(count, View<double>(x), indices, n, inner);
        ReadBack(indices, destination[..count]);
    }

    /// <summary>Σ x, summed in the element type in 256 interleaved partial sums that the host adds in float64
    /// (waiting for the kernel).</summary>
    public double Sum(BackendStorage x) => WholeSum(x, squares: false);

    /// <summary>Σ x², as <see cref="Sum"/>.</summary>
    public double SumOfSquares(BackendStorage x) => WholeSum(x, squares: true);

    /// <summary>One SGD step on weights <paramref name="w"/> with gradient <paramref name="grad"/>, velocity
    /// <paramref name="velocity"/> (null without momentum): OptimizerKernels.Sgd.</summary>
    public void SgdStep(BackendStorage w, BackendStorage grad, BackendStorage? velocity, double learningRate, double momentum, bool nesterov, double weightDecay)
    {
        if (w.Length == 0) return;
        int velocityFlag = velocity is null ? 0 : 1, nesterovFlag = nesterov ? 1 : 0;
        if (IsSingle(w))
        {
            var step = new SgdStep<float> { Eta = (float)learningRate, Mu = (float)momentum, Decay = (float)weightDecay, HasVelocity = velocityFlag, Nesterov = nesterovFlag };
            Load("sgd", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdStep<float>>(OptimizerKernels.Sgd<float>))(w.Length, View<float>(w), View<float>(grad), velocity is null ? View<float>(w) : View<float>(velocity), step);
        }
        else
        {
            var step = new SgdStep<double> { Eta = learningRate, Mu = momentum, Decay = weightDecay, HasVelocity = velocityFlag, Nesterov = nesterovFlag };
            Load("sgd", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, SgdStep<double>>(OptimizerKernels.Sgd<double>))(w.Length, View<double>(w), View<double>(grad), velocity is null ? View<double>(w) : View<double>(velocity), step);
        }
    }

    /// <summary>One Adam step (AdamW's when <paramref name="decoupled"/>) at step number <paramref name="step"/>
    /// (1 for the first): OptimizerKernels.Adam, with the constants the CPU optimiser computes.</summary>
    public void AdamStep(BackendStorage w, BackendStorage grad, BackendStorage m, BackendStorage v, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, long step)
    {
        if (w.Length == 0) return;
        double decay = decoupled ? 0 : weightDecay;
        if (IsSingle(w))
        {
            // As the CPU: each constant rounded to float32 on its own, βᵗ computed in float64 and 1 − βᵗ formed in
            // float32, and the decoupled shrink 1 − η·λ formed in float32 from the rounded product.
            float shrink = decoupled ? 1f - (float)(learningRate * weightDecay) : 1f;
            var constants = new AdamStep<float> { Beta1 = (float)beta1, Beta2 = (float)beta2, Epsilon = (float)epsilon, Eta = (float)learningRate, Decay = (float)decay, Shrink = shrink, Correction1 = 1f - (float)Math.Pow(beta1, step), Correction2 = 1f - (float)Math.Pow(beta2, step) };
            Load("adam", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep<float>>(OptimizerKernels.Adam<float>))(w.Length, View<float>(w), View<float>(grad), View<float>(m), View<float>(v), constants);
        }
        else
        {
            double shrink = decoupled ? 1 - (learningRate * weightDecay) : 1;
            var constants = new AdamStep<double> { Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, Eta = learningRate, Decay = decay, Shrink = shrink, Correction1 = 1 - Math.Pow(beta1, step), Correction2 = 1 - Math.Pow(beta2, step) };
            Load("adam", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, AdamStep<double>>(OptimizerKernels.Adam<double>))(w.Length, View<double>(w), View<double>(grad), View<double>(m), View<double>(v), constants);
        }
    }

    public void Dispose()
    {
        _labels?.Dispose();
        _indices?.Dispose();
        _partialSingle?.Dispose();
        _partialDouble?.Dispose();
        _rowStatistics?.Dispose();
        _rowLossSingle?.Dispose();
        _rowLossDouble?.Dispose();
        foreach (var staging in _staging) staging?.Dispose();
        _reductionPartsSingle?.Dispose();
        _reductionPartsDouble?.Dispose();
        _readoutSingle?.Dispose();
        _readoutDouble?.Dispose();
        _partialsSingle?.Dispose();
        _partialsDouble?.Dispose();
        _blas?.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>The first <paramref name="count"/> labels (or row indices), copied to the accelerator's index buffer
    /// (grown when short) without waiting: through a page-locked staging array, in order on the stream, so that a step
    /// that uploads its labels mid-way does not stop its launches there (<see cref="StageAsync"/>).</summary>
    private ArrayView<int> Upload(ReadOnlySpan<int> labels, int count)
    {
        if (_labels is null || _labels.Length < Math.Max(count, 1))
        {
            if (_labels is not null) Drain();   // kernels queued before may still read the old buffer
            _labels?.Dispose();
            _labels = Accelerator.Allocate1D<int>(Math.Max(count, 1));
        }

        var view = _labels.View.SubView(0, count);
        StageAsync(labels[..count], view);
        return view;
    }

    /// <summary>Threads of a whole-buffer partial sum (ReductionKernels.PartialSums): a sum's first stage, whose
    /// partials the host (a sum) or the readout kernel (a step's gradients) adds.</summary>
    private const int PartialSumThreads = 256;

    private double WholeSum(BackendStorage x, bool squares)
    {
        int threads = Math.Min(PartialSumThreads, Math.Max(x.Length, 1));
        double sum = 0;
        if (IsSingle(x))
        {
            var partial = Scratch(ref _partialSingle, PartialSumThreads).View.SubView(0, threads);
            PartialSums(x, partial, threads, squares);
            var values = new float[threads];
            ReadBack(partial, values.AsSpan());
            foreach (var v in values) sum += v;
        }
        else
        {
            var partial = Scratch(ref _partialDouble, PartialSumThreads).View.SubView(0, threads);
            PartialSums(x, partial, threads, squares);
            var values = new double[threads];
            ReadBack(partial, values.AsSpan());
            foreach (var v in values) sum += v;
        }

        return sum;
    }

    /// <summary>partial[t] = Σ x[t + s·threads] over s (of x² when <paramref name="squares"/>), for t &lt; threads.</summary>
    private void PartialSums(BackendStorage x, ArrayView1D<float, Stride1D.Dense> partial, int threads, bool squares) =>
        Load("partial-sums", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReductionKernels.PartialSums<float>))(threads, View<float>(x), partial, threads, squares ? 1 : 0);

    /// <inheritdoc cref="PartialSums(BackendStorage, ArrayView1D{float, Stride1D.Dense}, int, bool)"/>
    private void PartialSums(BackendStorage x, ArrayView1D<double, Stride1D.Dense> partial, int threads, bool squares) =>
        Load("partial-sums", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(ReductionKernels.PartialSums<double>))(threads, View<double>(x), partial, threads, squares ? 1 : 0);

    private void Reduce(string name, BackendStorage x, int outer, int n, int inner, BackendStorage y)
    {
        int count = outer * inner;
        if (count == 0) return;
        bool sum = name == "sum";

        // Few outputs of a long axis (a whole tensor's sum; a batch norm's or a bias's over a big batch): the axis is
        // cut into parts reduced by a thread each, then the parts by the kernels below, so that a GPU spreads the work.
        int partCount = ReductionParts(count, n);
        if (partCount > 1)
        {
            var parts = IsSingle(x) ? (BackendStorage)Scratch(ref _reductionPartsSingle, count * partCount) : Scratch(ref _reductionPartsDouble, count * partCount);
            int maxFlag = sum ? 0 : 1;
            if (IsSingle(x)) Load("reduce-parts", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(ReductionKernels.Parts<float>))(count * partCount, View<float>(x), View<float>(parts), n, inner, partCount, maxFlag);
            else Load("reduce-parts", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int>(ReductionKernels.Parts<double>))(count * partCount, View<double>(x), View<double>(parts), n, inner, partCount, maxFlag);
            (x, n) = (parts, partCount);
        }

        if (IsSingle(x))
        {
            var kernel = sum
                ? Load(name, typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReductionKernels.Sum<float>))
                : Load(name, typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ReductionKernels.Max<float>));
            kernel(count, View<float>(x), View<float>(y), n, inner);
        }
        else
        {
            var kernel = sum
                ? Load(name, typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(ReductionKernels.Sum<double>))
                : Load(name, typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(ReductionKernels.Max<double>));
            kernel(count, View<double>(x), View<double>(y), n, inner);
        }
    }

    /// <summary>Parts to cut an axis of <paramref name="n"/> values into when <paramref name="outputs"/> results are
    /// asked: 1 (no cut) when there are outputs enough to keep a GPU busy or the axis is short; else about 1,024 values a
    /// part, at most 256 parts and 64k threads in all.</summary>
    internal static int ReductionParts(int outputs, int n) =>
        outputs >= 4096 || n < 2048 ? 1 : Math.Clamp(Math.Min(n / 1024, 65536 / outputs), 1, 256);

    internal void Product(BackendStorage a, BackendStorage b, BackendStorage? bias, BackendStorage c, MatMulShape shape)
    {
        if (shape.M == 0 || shape.N == 0) return;
        if (_blas is not null)
        {
            BlasGemm(_blas, a, b, c, BlasProduct.Of(shape));
            if (shape.HasBias != 0 || shape.Relu != 0) ApplyProductEpilogue(c, bias, shape);
            return;
        }

        if (!TiledProducts)
        {
            if (IsSingle(a)) Load("matmul-per-element", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulShape>(MatMulKernel.RunPerElement<float>))(shape.M * shape.N, View<float>(a), View<float>(b), View<float>(c), bias is null ? View<float>(c) : View<float>(bias), shape);
            else Load("matmul-per-element", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, MatMulShape>(MatMulKernel.RunPerElement<double>))(shape.M * shape.N, View<double>(a), View<double>(b), View<double>(c), bias is null ? View<double>(c) : View<double>(bias), shape);
            return;
        }

        var config = MatMulKernel.Config(shape.M, shape.N);
        if (IsSingle(a))
        {
            var kernel = Load("matmul", typeof(KernelConfig), typeof(float), static accelerator => accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulShape>(MatMulKernel.Run<float>));
            kernel(config, View<float>(a), View<float>(b), View<float>(c), bias is null ? View<float>(c) : View<float>(bias), shape);
        }
        else
        {
            var kernel = Load("matmul", typeof(KernelConfig), typeof(double), static accelerator => accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, MatMulShape>(MatMulKernel.Run<double>));
            kernel(config, View<double>(a), View<double>(b), View<double>(c), bias is null ? View<double>(c) : View<double>(bias), shape);
        }
    }

    /// <summary>C[i, j] ← C[i, j] + bias[j], then max(·, 0), as <paramref name="shape"/> asks: what is left of a
    /// product after cuBLAS's GEMM.</summary>
    internal void ApplyProductEpilogue(BackendStorage c, BackendStorage? bias, MatMulShape shape)
    {
        int count = shape.M * shape.N;
        if (count == 0) return;
        if (IsSingle(c)) Load("matmul-epilogue", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, MatMulShape>(ProductEpilogueKernel.Run<float>))(count, View<float>(c), bias is null ? View<float>(c) : View<float>(bias), shape);
        else Load("matmul-epilogue", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, MatMulShape>(ProductEpilogueKernel.Run<double>))(count, View<double>(c), bias is null ? View<double>(c) : View<double>(bias), shape);
    }

    /// <summary>The GEMM of <paramref name="p"/> through cuBLAS: sgemm or dgemm on views that start at each operand's
    /// offset.</summary>
    private static void BlasGemm(CuBlas<CuBlasPointerModeHandlers.AutomaticMode> blas, BackendStorage a, BackendStorage b, BackendStorage c, BlasProduct p)
    {
        var first = p.TransposeFirst ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
        var second = p.TransposeSecond ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
        if (IsSingle(c))
        {
            blas.Gemm(first, second, p.M, p.N, p.K, 1f, View<float>(b).SubView(p.FirstOffset), p.FirstLeading, View<float>(a).SubView(p.SecondOffset), p.SecondLeading, (float)p.Beta, View<float>(c).SubView(p.ResultOffset), p.ResultLeading);
        }
        else
        {
            blas.Gemm(first, second, p.M, p.N, p.K, 1.0, View<double>(b).SubView(p.FirstOffset), p.FirstLeading, View<double>(a).SubView(p.SecondOffset), p.SecondLeading, p.Beta, View<double>(c).SubView(p.ResultOffset), p.ResultLeading);
        }
    }

    /// <summary>The kernel <paramref name="name"/> for operator <paramref name="op"/> and element type
    /// <paramref name="element"/>: compiled by <paramref name="compile"/> on first use, then kept.</summary>
    private TDelegate Load<TDelegate>(string name, Type op, Type element, Func<Accelerator, TDelegate> compile)
        where TDelegate : Delegate
    {
        // compile is a static lambda, made once per instantiation: a launch allocates nothing for it.
        if (!_compiled.TryGetValue((name, op, element), out var kernel))
        {
            kernel = compile(Accelerator);
            _compiled[(name, op, element)] = kernel;
        }

        return (TDelegate)kernel;
    }

    private GpuStorage<T> Scratch<T>(ref GpuStorage<T>? scratch, int length)
        where T : unmanaged
    {
        if (scratch is null || scratch.Length < length)
        {
            if (scratch is not null)
            {
                Drain();   // kernels queued before may still read the old buffer
                scratch.Dispose();
            }

            scratch = Allocate<T>(length);
        }

        return scratch;
    }

    private static bool IsSingle(BackendStorage storage) => storage switch
    {
        GpuStorage<float> => true,
        GpuStorage<double> => false,
        _ => throw NotOnGpu(storage),
    };

    private static GpuStorage<T> Storage<T>(BackendStorage storage)
        where T : unmanaged => storage as GpuStorage<T> ?? throw NotOnGpu(storage);

    private static ArrayView<T> View<T>(BackendStorage storage)
        where T : unmanaged => Storage<T>(storage).View;

    private static InvalidOperationException NotOnGpu(BackendStorage storage) => new(
        $"an op on {Nabla.Tensors.Device.Cuda} was given a tensor on {(storage is TensorStorage t ? t.Device.ToString() : storage.GetType().Name)}: move it there with To(Device.Cuda) first (a module with Module.To)");
}
