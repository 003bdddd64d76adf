using System.Globalization;
using Nabla.Backends;
using Nabla.Tensors;
using Nabla.Threading;

namespace Nabla.Optim;

/// <summary>Updates parameters from their accumulated gradients. Call <see cref="ZeroGrad"/>, compute the loss,
/// <c>Backward()</c>, then <see cref="Step"/>.</summary>
public abstract class Optimizer
{
    /// <summary>An optimiser over <paramref name="parameters"/> with learning rate η.</summary>
    /// <exception cref="ArgumentException">There are no parameters, one is null, or one is given twice (it would be
    /// updated twice per step).</exception>
    /// <exception cref="ArgumentOutOfRangeException">η is not finite and positive.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        if (Parameters.Count == 0) throw new ArgumentException($"{GetType().Name}: no parameters to optimise (the list is empty)", nameof(parameters));
        var first = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (Parameters[i] is null) throw new ArgumentException($"{GetType().Name}: parameter {i} is null", nameof(parameters));
            if (!first.TryAdd(Parameters[i], i))
                throw new ArgumentException($"{GetType().Name}: parameter {i} is parameter {first[Parameters[i]]} again; each parameter may be given once", nameof(parameters));
        }

        LearningRate = learningRate;
    }

    // Per slot, one buffer per parameter (float[] or double[], as the parameter), made on first use.
    private readonly List<Array?[]> _state = [];

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>η; must be finite and positive. Schedules may change it between steps.</summary>
    public double LearningRate
    {
        get;
        set
        {
            if (!double.IsFinite(value) || value <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRate), string.Create(CultureInfo.InvariantCulture, $"learning rate must be finite and > 0, not {value}"));
            field = value;
        }
    }

    /// <summary>The number of steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update to every parameter that has a gradient. A rule that treats every element on its own
    /// (all the built-in ones) runs as one pass over all the parameters, split across the kernel threads
    /// (<see cref="Parallelism.MaxThreads"/>) when there are enough elements; the bits are those of one thread.</summary>
    public void Step()
    {
        StepCount++;
        if (Parameters.Count > 0 && Parameters[0].Device.Type != DeviceType.Cpu)
        {
            StepOnDevice(Parameters[0].Device);
            return;
        }

        if (_deviceState.Count > 0) StateBackToHost();   // the model came back from a device: its state comes too

        long elements = UpdatesElementwise ? ElementsWithGradient() : 0;
        int parts = (int)Math.Clamp(elements / ElementsPerPart, 1, Parallelism.MaxThreads);
        if (parts > 1)
        {
            PrepareState();
            _updateJob ??= new UpdateJob(this);
            _updateJob.Elements = elements;
            WorkerPool.Run(_updateJob, parts);
            return;
        }

        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is null) continue;
            if (p.DType == DType.Float32) Update(i, p.AsSpan<float>(), p.Grad.AsSpan<float>());
            else Update(i, p.AsSpan<double>(), p.Grad.AsSpan<double>());
        }
    }

    /// <summary>The step for parameters on a device: each parameter with a gradient through the device backend's
    /// optimiser kernels (<see cref="UpdateOnDevice"/>), with state tensors on the device.</summary>
    private void StepOnDevice(Device device)
    {
        var backend = DeviceStorage.BackendOf(device)!;
        var kernels = backend.Ops as IOptimizerKernels ?? throw new NotSupportedException($"the {device} backend has no optimiser kernels");
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Device != device) throw new InvalidOperationException($"the optimiser's parameters are on {device} and {p.Device}: move the whole model with Module.To");
            if (p.Grad is { } g) UpdateOnDevice(i, p, g, kernels);
        }
    }

    /// <summary>The update of parameter <paramref name="index"/> on its device, through <paramref name="kernels"/>;
    /// the rules that have one override it.</summary>
    private protected virtual void UpdateOnDevice(int index, Tensor parameter, Tensor gradient, IOptimizerKernels kernels) =>
        throw new NotSupportedException($"{GetType().Name} updates parameters on the CPU only; SGD and Adam(W) also on {parameter.Device}");

    /// <summary>State tensor <paramref name="slot"/> of parameter <paramref name="index"/> on its device: at first use
    /// zeros, or the host state of the same slot (steps taken before the model moved, or a checkpoint's), then the same
    /// tensor on every later step.</summary>
    private protected Tensor DeviceState(int slot, int index)
    {
        while (_deviceState.Count <= slot) _deviceState.Add(new Tensor?[Parameters.Count]);
        return _deviceState[slot][index] ??= NewDeviceState(slot, index);
    }

    private Tensor NewDeviceState(int slot, int index)
    {
        var p = Parameters[index];
        var state = new Tensor(DeviceStorage.Allocate(p.Device, p.DType, p.Count, zeroed: true), p.Shape);
        var host = slot < _state.Count ? _state[slot][index] : null;
        if (host is float[] f) state.Storage.CopyFromHost<float>(f);
        else if (host is double[] d) state.Storage.CopyFromHost<double>(d);
        if (host is not null) _state[slot][index] = null;   // the device's copy is the state from now on
        return state;
    }

    private readonly List<Tensor?[]> _deviceState = [];

    /// <summary>Brings the state of steps taken on a device back into the host's buffers (the model was moved back),
    /// so that momentum and moment estimates carry on rather than restart from zero.</summary>
    private void StateBackToHost()
    {
        for (int slot = 0; slot < _deviceState.Count; slot++)
        {
            while (_state.Count <= slot) _state.Add(new Array?[Parameters.Count]);
            for (int index = 0; index < Parameters.Count; index++)
            {
                if (_deviceState[slot][index] is not { } onDevice) continue;
                _state[slot][index] = onDevice.DType == DType.Float32 ? onDevice.ToFloatArray() : onDevice.ToDoubleArray();
            }
        }

        _deviceState.Clear();
    }

    /// <summary>Elements per thread below which splitting the update costs more (a wake-up of the workers) than it
    /// saves.</summary>
    private const long ElementsPerPart = 64 * 1024;

    private UpdateJob? _updateJob;

    /// <summary>The elements of the parameters that have a gradient: what one step updates.</summary>
    private long ElementsWithGradient()
    {
        long elements = 0;
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (Parameters[i].Grad is not null) elements += Parameters[i].Count;
        }

        return elements;
    }

    /// <summary>Makes every state buffer the parts will use, on this thread: the parts then only read and write them.</summary>
    private void PrepareState()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is null) continue;
            if (p.DType == DType.Float32) UpdatePart(i, 0, Span<float>.Empty, ReadOnlySpan<float>.Empty);
            else UpdatePart(i, 0, Span<double>.Empty, ReadOnlySpan<double>.Empty);
        }
    }

    /// <summary>Whether <see cref="UpdatePart(int, int, Span{float}, ReadOnlySpan{float})"/> may update any range of a
    /// parameter on its own: true for rules in which every element's update reads only that element.</summary>
    private protected virtual bool UpdatesElementwise => false;

    /// <summary>The update of elements [<paramref name="offset"/>, offset + length) of parameter
    /// <paramref name="index"/> (Float32), given as <paramref name="parameter"/> and <paramref name="gradient"/>.</summary>
    private protected virtual void UpdatePart(int index, int offset, Span<float> parameter, ReadOnlySpan<float> gradient) =>
        throw new NotSupportedException($"{GetType().Name} updates whole parameters only");

    /// <summary>The update of elements [<paramref name="offset"/>, offset + length) of parameter
    /// <paramref name="index"/> (Float64).</summary>
    private protected virtual void UpdatePart(int index, int offset, Span<double> parameter, ReadOnlySpan<double> gradient) =>
        throw new NotSupportedException($"{GetType().Name} updates whole parameters only");

    /// <summary>Elements [<paramref name="offset"/>, offset + <paramref name="length"/>) of state buffer
    /// <paramref name="slot"/> of parameter <paramref name="index"/> (the whole buffer made on first use).</summary>
    private protected Span<T> StatePart<T>(int slot, int index, int offset, int length) =>
        State<T>(slot, index, Parameters[index].Count).AsSpan(offset, length);

    /// <summary>One part of a split update: a contiguous range of the parameters' elements taken in order, so that every
    /// element is updated by exactly one part whatever the split.</summary>
    private sealed class UpdateJob(Optimizer optimizer) : IParallelJob
    {
        /// <summary>The elements of this step's parameters with a gradient, counted once by <see cref="Step"/>.</summary>
        public long Elements { get; set; }

        public void Run(int part, int parts)
        {
            var parameters = optimizer.Parameters;
            long start = Elements * part / parts, end = Elements * (part + 1) / parts, position = 0;
            for (int i = 0; i < parameters.Count && position < end; i++)
            {
                var p = parameters[i];
                if (p.Grad is not { } g) continue;
                long first = Math.Max(start, position), last = Math.Min(end, position + p.Count);
                if (first < last)
                {
                    int offset = (int)(first - position), length = (int)(last - first);
                    if (p.DType == DType.Float32)
                        optimizer.UpdatePart(i, offset, p.AsSpan<float>().Slice(offset, length), g.AsSpan<float>().Slice(offset, length));
                    else
                        optimizer.UpdatePart(i, offset, p.AsSpan<double>().Slice(offset, length), g.AsSpan<double>().Slice(offset, length));
                }

                position += p.Count;
            }
        }
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>The update of parameter <paramref name="index"/> in place from its gradient (Float32).</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);

    /// <summary>The update of parameter <paramref name="index"/> in place from its gradient (Float64).</summary>
    protected abstract void Update(int index, Span<double> parameter, ReadOnlySpan<double> gradient);

    /// <summary>State buffer <paramref name="slot"/> (a velocity, a moment estimate …) of parameter
    /// <paramref name="index"/>: the parameter's length, zero at first use, the same array on every later step.</summary>
    protected T[] State<T>(int slot, int index, int length)
    {
        while (_state.Count <= slot) _state.Add(new Array?[Parameters.Count]);
        return (T[])(_state[slot][index] ??= new T[length]);
    }

    /// <summary>The state for a checkpoint: every buffer made so far, named <c>slot{s}.param{i}</c>, as tensors of the
    /// parameter's shape (copies, on the host, wherever the state lives).</summary>
    internal IEnumerable<KeyValuePair<string, Tensor>> SaveState()
    {
        for (int slot = 0; slot < Math.Max(_state.Count, _deviceState.Count); slot++)
        {
            for (int index = 0; index < Parameters.Count; index++)
            {
                var shape = Parameters[index].Shape;
                if (slot < _deviceState.Count && _deviceState[slot][index] is { } onDevice)
                {
                    yield return new($"slot{slot}.param{index}", onDevice.To(Device.Cpu));
                    continue;
                }

                switch (slot < _state.Count ? _state[slot][index] : null)
                {
                    case float[] f: yield return new($"slot{slot}.param{index}", Tensor.FromArray((float[])f.Clone(), shape)); break;
                    case double[] d: yield return new($"slot{slot}.param{index}", Tensor.FromArray((double[])d.Clone(), shape)); break;
                }
            }
        }
    }

    /// <summary>Restores what <see cref="SaveState"/> gave, and the step count (which Adam's bias correction reads).</summary>
    /// <exception cref="ArgumentException">A buffer's name, shape or dtype does not fit this optimiser's parameters.</exception>
    internal void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        ArgumentNullException.ThrowIfNull(state);

        // Built aside and swapped in at the end: a state that does not fit leaves the optimiser as it was.
        var restored = new List<Array?[]>();
        foreach (var (name, tensor) in state)
        {
            var parts = name.Split('.');
            if (parts.Length != 2 || !parts[0].StartsWith("slot", StringComparison.Ordinal) || !parts[1].StartsWith("param", StringComparison.Ordinal)
                || !int.TryParse(parts[0].AsSpan(4), System.Globalization.CultureInfo.InvariantCulture, out int slot)
                || !int.TryParse(parts[1].AsSpan(5), System.Globalization.CultureInfo.InvariantCulture, out int index)
                || slot is < 0 or > 16 || index < 0 || index >= Parameters.Count)
                throw new ArgumentException($"optimiser state '{name}' does not name a slot and one of the {Parameters.Count} parameters");
            var p = Parameters[index];
            if (tensor.DType != p.DType || tensor.Count != p.Count)
                throw new ArgumentException($"optimiser state '{name}' is {tensor.DType.Name()} {tensor.Shape}, its parameter {p.DType.Name()} {p.Shape}");
            while (restored.Count <= slot) restored.Add(new Array?[Parameters.Count]);
            restored[slot][index] = p.DType == DType.Float32 ? tensor.ToFloatArray() : tensor.ToDoubleArray();
        }

        _state.Clear();
        _state.AddRange(restored);
        _deviceState.Clear();   // parameters on a device take their state from the host's at their next step
        StepCount = stepCount;
    }
}
