using Nabla.Backends;
using System.Globalization;
using Nabla.Engine;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32)
    {
        // An eager step's pool lends host arrays: a device backend allocates its own.
        var zeros = StepTensorPool.Lending is { } pool && Backend.Current.RunsOnHost
            ? pool.Take(shape, dtype, zeroed: true)
            : new Tensor(DeviceStorage.Allocate(dtype, shape.Count, zeroed: true), shape);
        if (KernelTape.Current is { } tape)
        {
            tape.NoteCreated(zeros.Storage);
            ZeroOnReplay(zeros);   // a replay reuses the array, which is zero only the first time
        }

        Backend.Current.Allocated(zeros.Storage, initialised: true);
        return zeros;
    }

    private static void ZeroOnReplay(Tensor zeros)
    {
        var ops = Backend.Current.Ops;
        Kernel.OnReplay([zeros], () => ops.Clear(zeros.Storage));
    }

    /// <summary>A tensor whose elements are not initialised: for kernel outputs that overwrite every element.</summary>
    internal static Tensor Uninitialized(Shape shape, DType dtype)
    {
        var tensor = StepTensorPool.Lending is { } pool && Backend.Current.RunsOnHost ? pool.Take(shape, dtype, zeroed: false) : UninitializedOwn(shape, dtype);
        KernelTape.Current?.NoteCreated(tensor.Storage);
        Backend.Current.Allocated(tensor.Storage, initialised: false);
        return tensor;
    }

    /// <summary>As <see cref="Uninitialized"/>, on a new array that is never lent from an eager step's pool: for
    /// copies that the caller keeps (<see cref="Clone"/>).</summary>
    internal static Tensor UninitializedOwn(Shape shape, DType dtype) => new(DeviceStorage.Allocate(dtype, shape.Count, zeroed: false), shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32)
    {
        var t = Zeros(shape, dtype);
        t.Fill(value);
        return t;
    }

    /// <summary>A one-element tensor of shape <c>()</c>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(Shape.Scalar, value, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Zeros(like.Shape, like.DType);
    }

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Ones(like.Shape, like.DType);
    }

    /// <summary>The values start, start + step, … below <paramref name="stop"/> (like NumPy's arange).</summary>
    /// <exception cref="ArgumentException"><paramref name="step"/> is zero or not finite.</exception>
    public static Tensor Arange(double start, double stop, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || !double.IsFinite(step)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"arange step must be finite and non-zero, not {step}"), nameof(step));
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = start + (i * step);
        return FromDoubles(values, [n], dtype);
    }

    /// <summary>A Float32 tensor that copies <paramref name="values"/> into the given shape.</summary>
    public static Tensor FromArray(float[] values, Shape shape)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(values.Length, shape);
        return OnThreadsDevice(new Tensor(new CpuStorage<float>((float[])values.Clone()), shape));
    }

    /// <summary>A Float64 tensor that copies <paramref name="values"/> into the given shape.</summary>
    public static Tensor FromArray(double[] values, Shape shape)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(values.Length, shape);
        return OnThreadsDevice(new Tensor(new CpuStorage<double>((double[])values.Clone()), shape));
    }

    /// <summary>A 1-D Float32 tensor of the values.</summary>
    public static Tensor FromArray(float[] values) => FromArray(values, [values?.Length ?? 0]);

    /// <summary>A 1-D Float64 tensor of the values.</summary>
    public static Tensor FromArray(double[] values) => FromArray(values, [values?.Length ?? 0]);

    /// <summary>A 2-D Float32 tensor of a rectangular array.</summary>
    public static Tensor FromArray(float[,] values)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        ArgumentNullException.ThrowIfNull(values);
        var flat = new float[values.Length];
        System.Buffer.BlockCopy(values, 0, flat, 0, flat.Length * sizeof(float));
        return OnThreadsDevice(new Tensor(new CpuStorage<float>(flat), [values.GetLength(0), values.GetLength(1)]));
    }

    /// <summary>A 2-D Float64 tensor of a rectangular array.</summary>
    public static Tensor FromArray(double[,] values)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        ArgumentNullException.ThrowIfNull(values);
        var flat = new double[values.Length];
        System.Buffer.BlockCopy(values, 0, flat, 0, flat.Length * sizeof(double));
        return OnThreadsDevice(new Tensor(new CpuStorage<double>(flat), [values.GetLength(0), values.GetLength(1)]));
    }

    /// <summary>Wraps an array without copying; the tensor and the caller share it.</summary>
    internal static Tensor Wrap(float[] values, Shape shape)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        return new(new CpuStorage<float>(values), shape);
    }

    /// <summary>Wraps an array without copying; the tensor and the caller share it.</summary>
    internal static Tensor Wrap(double[] values, Shape shape)
    {
        KernelTape.ObserveHostValues("a tensor was made from host values");
        return new(new CpuStorage<double>(values), shape);
    }

    /// <summary>Independent draws from U(low, high), reproducible from <paramref name="random"/>'s seed.</summary>
    public static Tensor Uniform(Shape shape, double low, double high, Random random, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        KernelTape.ObserveHostValues("random numbers were drawn on the host");
        if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"uniform bounds must be finite with low <= high, not [{low}, {high}]"));
        var values = new double[shape.Count];
        for (int i = 0; i < values.Length; i++) values[i] = low + ((high - low) * random.NextDouble());
        return FromDoubles(values, shape, dtype);
    }

    /// <summary>Independent draws from N(mean, std²) by the Box–Muller transform, reproducible from <paramref name="random"/>'s seed.</summary>
    public static Tensor Normal(Shape shape, double mean, double std, Random random, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        KernelTape.ObserveHostValues("random numbers were drawn on the host");
        if (!(std >= 0) || !double.IsFinite(std) || !double.IsFinite(mean))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"normal needs a finite mean and a finite std >= 0, not mean {mean}, std {std}"));
        var values = new double[shape.Count];
        for (int i = 0; i < values.Length; i += 2)
        {
            // 1 − U keeps the logarithm's argument in (0, 1].
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = mean + (std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length) values[i + 1] = mean + (std * r * Math.Sin(2 * Math.PI * u2));
        }

        return FromDoubles(values, shape, dtype);
    }

    /// <summary>Takes ownership of values computed in double precision, converting only when Float32 is wanted.</summary>
    private static Tensor FromDoubles(double[] values, Shape shape, DType dtype) =>
        dtype == DType.Float64 ? OnThreadsDevice(Wrap(values, shape)) : Wrap(values, shape).To(dtype);

    /// <summary><paramref name="host"/>, or a copy of it on the device of the thread's backend when that is a device's:
    /// tensors made from host values under a device backend live there, as every tensor made under it does.</summary>
    private static Tensor OnThreadsDevice(Tensor host) => Backend.Current is IDeviceBackend device ? host.To(device.Device) : host;

    private static void CheckCount(int length, Shape shape)
    {
        if (length != shape.Count)
            throw new ArgumentException($"{length} values cannot fill shape {shape} ({shape.Count} elements)");
    }
}
