using System.Globalization;
using Nabla.Data;
using Nabla.Engine;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>One step of mini-batch SGD on any <see cref="Module"/> — forward, loss, penalties, backward, then gradient
/// clipping and the optimiser's update — captured on its first batch of each shape and replayed on every later batch of
/// that shape, with no graph building and no allocation.</summary>
/// <remarks>
/// <para><b>How.</b> The first batch of a shape runs eagerly through autograd while every kernel it launches is recorded
/// (a <c>KernelTape</c>). Later batches of that shape are copied into the captured input and label buffers and the
/// kernels run again on the same buffers: the results are those of an eager step, bit for bit. Dropout draws a fresh
/// mask on each replay and batch normalisation updates its running statistics, as an eager step would. Each input shape
/// (the last, partial batch of an epoch) gets its own capture, kept for later epochs.</para>
/// <para><b>Limits.</b> A capture records one path through the model's code, as tinygrad's TinyJit and PyTorch's CUDA
/// graphs do. A model whose <c>Forward</c> reads tensor values to decide what to do (data-dependent control flow), or
/// builds tensors from host arrays or host random numbers, cannot be replayed: the capture notices every such read or
/// creation, keeps that shape eager and says why in <see cref="NotCapturedReason"/>. A change of a module's training or
/// evaluation mode is noticed too and captures afresh. Each capture keeps the gradient tensors its kernels write, and
/// points the parameters at them before each replay. What a capture cannot notice is a change of plain C# state the
/// <c>Forward</c> reads (a field that picks a branch, set between steps): after changing such state, call
/// <see cref="Reset"/>. <see cref="CheckEvery"/> catches a forgotten one: it captures every N-th step afresh and fails
/// loudly when the kernels differ.</para>
/// <para><b>Fusion.</b> Before its buffers are planned, a capture's kernels are rewritten into fewer passes where the
/// bits stay the same (<c>KernelFusion</c>): a ReLU joins the GEMM or convolution before it, and consecutive
/// elementwise kernels run as one. A loss written outside the library (no captured form) keeps its steps eager.</para>
/// </remarks>
public sealed class TrainingStep
{
    private readonly Dictionary<(Shape Shape, DType DType), CapturedPass?> _captures = [];
    private int[] _predictions = [];

    // A replay on a device reads its results back in one readout (IStepReadout): this step's predictions are then in
    // _predictions already, and whether its gradients' sum was finite in _readoutGradientsFinite.
    private bool _readOut, _readoutGradientsFinite;
    private Backends.BackendStorage?[] _gradientStorages = [];
    private Device _capturedOn = Device.Cpu;

    // Eager steps take their tensors from this pool and give them back once the update is applied; _kept is what the
    // model holds then (parameters, gradients, buffers), gathered afresh each time into the same list.
    private readonly StepTensorPool _pool = new();
    private readonly List<Tensor> _kept = [];

    private TrainingStep(Module model, Loss loss, Optimizer optimizer, IReadOnlyList<Regularizer> regularizers)
    {
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Regularizers = regularizers;
    }

    /// <summary>A step of <paramref name="model"/> (which outputs logits) with a loss, an optimiser over its parameters
    /// and optional regularisers, captured on its first batch of each shape.</summary>
    /// <exception cref="ArgumentException">The optimiser holds none of the model's parameters.</exception>
    /// <exception cref="InvalidOperationException">A module keeps a submodule or parameter in a field without registering it.</exception>
    public static TrainingStep Capture(Module model, Loss loss, Optimizer optimizer, IReadOnlyList<Regularizer>? regularizers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ModuleRegistration.ThrowIfUnregistered(model);   // a submodule kept in a field but never registered would not train
        var own = model.Parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        if (!optimizer.Parameters.Any(own.Contains))
            throw new ArgumentException($"the optimiser holds none of the model's {own.Count} parameters: was it made for another model?", nameof(optimizer));
        return new TrainingStep(model, loss, optimizer, regularizers ?? []);
    }

    /// <summary>The network.</summary>
    public Module Model { get; }

    /// <summary>L.</summary>
    public Loss Loss { get; }

    /// <summary>The update rule.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The λΩ terms.</summary>
    public IReadOnlyList<Regularizer> Regularizers { get; }

    /// <summary>Whether steps are captured and replayed (default true); false runs every step eagerly through autograd,
    /// to compare or to debug.</summary>
    public bool Captures { get; set; } = true;

    /// <summary>When set, the gradients' joint L2 norm is clipped to this before every update; null leaves them.</summary>
    public double? ClipGradientNorm
    {
        get;
        set
        {
            if (value is { } v && (!(v > 0) || !double.IsFinite(v))) throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), string.Create(CultureInfo.InvariantCulture, $"the clipping norm must be finite and > 0, not {v}"));
            field = value;
        }
    }

    /// <summary>The check mode: when set to N, every N-th step of a captured shape is captured afresh instead of
    /// replayed, and its sequence of kernels compared with the capture's. A difference means the model's code took
    /// another path than when it was captured (plain C# state that picks a branch, changed without
    /// <see cref="Reset"/>), and throws before the parameters move. Null (the default) never checks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? CheckEvery
    {
        get;
        set
        {
            if (value is < 1) throw new ArgumentOutOfRangeException(nameof(CheckEvery), $"the check interval must be at least 1 step, not {value}");
            field = value;
        }
    }

    /// <summary>How many captures were made: one per input shape, again after a mode change, and one per check.</summary>
    public int CapturesMade { get; private set; }

    /// <summary>How many steps were replays of a capture.</summary>
    public long ReplayedSteps { get; private set; }

    /// <summary>For tests: when set before a capture, every replay first fills the capture's intermediates with NaN
    /// (<see cref="CapturedPass.PoisonIntermediates"/>), so that a kernel reading a value the replay has not yet written
    /// (a stale one from the step before) poisons the results. The checking backend does this for the CPU; this does it
    /// on any device.</summary>
    internal bool PoisonIntermediates { get; set; }

    /// <summary>Buffers poisoned before replays so far (<see cref="PoisonIntermediates"/>).</summary>
    internal long IntermediatesPoisoned { get; private set; }

    /// <summary>When set, each replayed step times its kernels into this profile (see <see cref="StepProfile"/>);
    /// null, the default, times nothing.</summary>
    public StepProfile? Profile { get; set; }

    /// <summary>How many steps ran eagerly (the capturing steps included).</summary>
    public long EagerSteps { get; private set; }

    /// <summary>Kernels the captures' fusion pass merged into others (<see cref="KernelFusion"/>): a ReLU into its
    /// GEMM's epilogue, a mask into a convolution's backward, a chain of elementwise kernels into one.</summary>
    internal int KernelsFused { get; private set; }

    /// <summary>Elements of memory the captures' buffer plans let intermediates share instead of holding each
    /// their own (<see cref="BufferPlan"/>).</summary>
    internal long PlannedElementsSaved { get; private set; }

    /// <summary>The kernels the capture of <paramref name="shape"/> replays, in words (a fused kernel names what it
    /// fused); empty when that shape has no capture.</summary>
    internal IReadOnlyList<string> CapturedKernels(Shape shape, DType dtype) =>
        _captures.TryGetValue((shape, dtype), out var pass) && pass is not null ? [.. pass.KernelNames] : [];

    /// <summary>The capture of <paramref name="shape"/>, or null when that shape has none.</summary>
    internal CapturedPass? CaptureOf(Shape shape, DType dtype) => _captures.GetValueOrDefault((shape, dtype));

    /// <summary>Why the last capture that failed could not be replayed (host work on tensor values, a loss without a
    /// captured form); null when none failed.</summary>
    public string? NotCapturedReason { get; private set; }

    /// <summary>Forgets every capture: the next batch of each shape captures afresh.</summary>
    public void Reset() => _captures.Clear();

    /// <summary>One step on one batch: forward, loss, backward, update. Returns the data loss and the number correct.</summary>
    /// <exception cref="ArgumentException">The batch does not fit the model or the loss; thrown before any parameter moves.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient is NaN or infinite; the parameters are left as they were.</exception>
    public (double Loss, int Correct) Run(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Run(batch.Features, batch.Labels);
    }

    /// <inheritdoc cref="Run(Batch)"/>
    public (double Loss, int Correct) Run(Tensor features, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        Batch.Check(features, labels);
        if (DeviceBackend() is not { } device) return RunHere(features, labels);

        // A model on a device trains there: every tensor of the step is made and computed on the device's backend.
        using (Backends.Backend.Use(device)) return RunHere(features, labels);
    }

    /// <summary>The backend of the device the parameters are on, or null when they are on the CPU.</summary>
    private Backends.Backend? DeviceBackend() =>
        Optimizer.Parameters.Count > 0 && Optimizer.Parameters[0].Device.Type != DeviceType.Cpu ? (Backends.Backend)DeviceStorage.BackendOf(Optimizer.Parameters[0].Device)! : null;

    private (double Loss, int Correct) RunHere(Tensor features, int[] labels)
    {
        if (!Model.IsTraining) Model.Train();
        var (logits, dataLoss, objective) = ForwardBackward(features, labels);
        if (!double.IsFinite(dataLoss)) throw Diverged(dataLoss, features);
        if (!double.IsFinite(objective)) throw Diverged(objective, features);
        bool finite = (_readOut && _readoutGradientsFinite) || GradientsAreFinite();   // a finite readout sum settles it
        if (!finite) throw Diverged(double.NaN, features, gradients: true);
        if (ClipGradientNorm is { } maxNorm) GradientClipping.ClipByNorm(Optimizer.Parameters, maxNorm);
        Optimizer.Step();
        int correct = CountCorrect(logits, labels);
        if (_pool.Outstanding > 0) ReleaseEagerIntermediates();
        return (dataLoss, correct);
    }

    /// <summary>One rank's part of a data-parallel step: forward and backward on this rank's rows of the global batch,
    /// then the whole batch's gradient summed across the ranks (<see cref="GradientAllReduce"/>), then the same checks,
    /// clipping and update as <see cref="Run(Batch)"/> on every rank. Returns the whole batch's mean data loss and
    /// number correct, and whether any rank asked to stop (<paramref name="stopRequested"/>), so that all ranks stop
    /// after the same step.</summary>
    /// <exception cref="TrainingDivergedException">The batch's loss or gradient is NaN or infinite on any rank: every
    /// rank throws at the same step (the sum carries a NaN to all of them), and the parameters are left as they were.</exception>
    internal (double Loss, int Correct, bool Stop) RunShard(Batch local, BatchShard shard, GradientAllReduce reduce, bool stopRequested)
    {
        Batch.Check(local.Features, local.Labels);
        if (!Model.IsTraining) Model.Train();
        Tensor logits;
        double dataLoss, objective;

        // A synchronised batch norm's backward makes collectives of its own, which must not run beside a bucket's.
        bool overlap = reduce.Overlaps && shard.SyncBatchNormGroup is null && Profile is null;
        reduce.BeginStep(local.Count, shard.GlobalRows);
        using (BatchShard.Enter(shard)) (logits, dataLoss, objective) = ForwardBackward(local.Features, local.Labels, overlap ? reduce : null);
        int correct = CountCorrect(logits, local.Labels);
        bool stop;
        (dataLoss, objective, correct, stop) = reduce.Finish(Optimizer.Parameters, local.Count, shard.GlobalRows, dataLoss, objective, correct, stopRequested);
        if (!double.IsFinite(dataLoss) || !double.IsFinite(objective) || !GradientsAreFinite())
        {
            if (_pool.Outstanding > 0) ReleaseEagerIntermediates();
            double value = !double.IsFinite(dataLoss) ? dataLoss : objective;
            throw Diverged(value, local.Features, gradients: double.IsFinite(value));
        }

        if (ClipGradientNorm is { } maxNorm) GradientClipping.ClipByNorm(Optimizer.Parameters, maxNorm);
        Optimizer.Step();
        if (_pool.Outstanding > 0) ReleaseEagerIntermediates();
        return (dataLoss, correct, stop);
    }

    /// <summary>Gives the eager step's tensors back to the pool, all but what the model keeps.</summary>
    private void ReleaseEagerIntermediates()
    {
        _kept.Clear();
        Model.CollectState(_kept);
        var parameters = Optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            _kept.Add(parameters[i]);
            if (parameters[i].Grad is { } g) _kept.Add(g);
        }

        _pool.Release(_kept);
    }

    /// <summary>Zeroes the gradients and runs forward, loss, penalties and backward, replayed where a capture fits.
    /// Returns the logits and the data loss and objective values. A replay hands its finished gradients to
    /// <paramref name="overlap"/> bucket by bucket; an eager step leaves them all to be summed after it.</summary>
    private (Tensor Logits, double DataLoss, double Objective) ForwardBackward(Tensor features, int[] labels, GradientAllReduce? overlap = null)
    {
        _readOut = false;   // set again below only by a device's readout of this very step

        // Captures hold buffers on the device they were made on: a model moved since captures afresh.
        var device = Optimizer.Parameters.Count > 0 ? Optimizer.Parameters[0].Device : Device.Cpu;
        if (device != _capturedOn)
        {
            _captures.Clear();
            _capturedOn = device;
        }

        var key = (features.Shape, features.DType);
        if (!Captures) return Eager(features, labels);
        if (_captures.TryGetValue(key, out var pass))
        {
            if (pass is null) return Eager(features, labels);   // this shape cannot be captured: NotCapturedReason says why
            if (pass.Fits(Optimizer.Parameters))
            {
                if (CheckEvery is { } every && ++pass.ReplaysSinceCheck >= every) return CaptureAndCheck(key, pass, features, labels);
                Loss.CheckLabels(pass.Logits.Shape, labels);   // before anything moves, as an eager step checks
                if (PoisonIntermediates)
                {
                    pass.PoisonIntermediates();
                    IntermediatesPoisoned += pass.Intermediates.Count;
                }

                pass.Replay(Optimizer.Parameters, features, labels, Profile, overlap);
                ReplayedSteps++;
                if (Backends.Backend.Current.Ops is Backends.IStepReadout readout && pass.Logits.Rank == 2 && labels.Length == pass.Logits.Shape[0])
                    return ReadOut(readout, pass);
                return (pass.Logits, pass.DataLoss.GetFlat(0), pass.Objective.GetFlat(0));
            }
        }

        return CaptureStep(key, features, labels);
    }

    /// <summary>A device's replayed step read back in one wait: the loss, the objective, whether the gradients' sum is
    /// finite, and the predictions (<see cref="Backends.IStepReadout"/>).</summary>
    private (Tensor Logits, double DataLoss, double Objective) ReadOut(Backends.IStepReadout readout, CapturedPass pass)
    {
        var parameters = Optimizer.Parameters;
        if (_gradientStorages.Length != parameters.Count) _gradientStorages = new Backends.BackendStorage?[parameters.Count];
        for (int i = 0; i < parameters.Count; i++) _gradientStorages[i] = parameters[i].Grad?.Storage;
        int rows = pass.Logits.Shape[0], classes = pass.Logits.Shape[1];
        if (_predictions.Length < rows) _predictions = new int[rows];
        var values = readout.ReadStep(pass.DataLoss.Storage, pass.Objective.Storage, _gradientStorages, pass.Logits.Storage, rows, classes, _predictions);
        (_readOut, _readoutGradientsFinite) = (true, values.GradientSumFinite);
        return (pass.Logits, values.DataLoss, values.Objective);
    }

    /// <summary>The check mode's step: captures <paramref name="features"/>' shape afresh (an eager step) and throws when
    /// the fresh capture's kernels differ from <paramref name="captured"/>'s.</summary>
    private (Tensor Logits, double DataLoss, double Objective) CaptureAndCheck((Shape Shape, DType DType) key, CapturedPass captured, Tensor features, int[] labels)
    {
        var result = CaptureStep(key, features, labels);
        var fresh = _captures[key];
        string? difference = fresh is null ? $"it can no longer be captured: {NotCapturedReason}" : captured.Difference(fresh);
        if (difference is not null)
        {
            _captures.Remove(key);
            throw new InvalidOperationException(
                $"the captured step for input {key.Shape} no longer matches the model's code: {difference}. Its Forward took another path than when it was captured (C# state that picks a branch?); call Reset() after changing such state");
        }

        return result;
    }

    private (Tensor Logits, double DataLoss, double Objective) CaptureStep((Shape Shape, DType DType) key, Tensor features, int[] labels)
    {
        if (!Loss.HasCapturedForm)
        {
            _captures[key] = null;
            NotCapturedReason = $"the {Loss.Name} loss has no captured form (a loss written outside the library computes its steps eagerly)";
            return Eager(features, labels);
        }

        var input = features.Clone();
        var ownLabels = (int[])labels.Clone();

        // With no gradient yet, a parameter adopts the one its layer's backward returns: the replay's kernels then write
        // the gradient in place, with no zeroing and no add (a parameter used twice gets zeros and adds, recorded).
        var parameters = Optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++) parameters[i].UseGradient(null);
        Tensor logits, dataLoss, objective;
        string? spoiled;
        RecordedKernel[] kernels = [];
        IReadOnlyList<Backends.BackendStorage> created = [];
        IReadOnlyList<Backends.BackendStorage> intermediates = [];
        using (var tape = KernelTape.Record())
        {
            logits = Model.Forward(input);   // (B, C)
            Loss.CheckLabels(logits.Shape, ownLabels);
            dataLoss = Loss.ComputeCaptured(logits, ownLabels)!;
            objective = dataLoss;
            foreach (var r in Regularizers) objective += r.Penalty(Model);
            objective.Backward();
            spoiled = tape.Spoiled;
            if (spoiled is null) (kernels, created) = (tape.Freeze(), tape.Created);
        }

        // A parameter the pass did not reach still gets a (zero) gradient, as an eager step's zeroing leaves it.
        for (int i = 0; i < parameters.Count; i++) parameters[i].GradientBuffer();
        if (spoiled is null)
        {
            // What is read between replays is kept whole; the other kernels are fused, then the intermediates share
            // memory by their lives.
            var keep = new List<Tensor> { input, logits, dataLoss, objective };
            Model.CollectState(keep);
            for (int i = 0; i < parameters.Count; i++) keep.Add(parameters[i].GradientBuffer());
            var kept = keep.Select(t => t.Storage).ToArray();
            kernels = KernelFusion.Apply(kernels, kept, out int fusions);
            KernelsFused += fusions;
            PlannedElementsSaved += BufferPlan.Apply(kernels, created, kept);
            if (PoisonIntermediates) intermediates = BufferPlan.Intermediates(kernels, created, kept);
        }

        EagerSteps++;
        CapturesMade++;
        if (spoiled is not null)
        {
            _captures[key] = null;
            NotCapturedReason = spoiled;
        }
        else
        {
            _captures[key] = new CapturedPass(kernels, input, ownLabels, logits, dataLoss, objective, Model, Optimizer.Parameters) { Intermediates = intermediates };
        }

        return (logits, dataLoss.Item(), objective.Item());
    }

    /// <summary>Forward, loss and backward through autograd, building the graph; the tensors come from the step's
    /// pool (<see cref="StepTensorPool"/>), given back at the end of <see cref="Run(Tensor, int[])"/>.</summary>
    private (Tensor Logits, double DataLoss, double Objective) Eager(Tensor features, int[] labels)
    {
        if (Optimizer.Parameters.Count > 0 && features.Device != Optimizer.Parameters[0].Device) features = features.To(Optimizer.Parameters[0].Device);   // a host batch for a model on a device
        Optimizer.ZeroGrad();
        _pool.StartLending();
        try
        {
            var logits = Model.Forward(features);             // (B, C)
            var dataLoss = Loss.Compute(logits, labels);
            var objective = dataLoss;
            foreach (var r in Regularizers) objective += r.Penalty(Model);
            double lossValue = dataLoss.Item(), objectiveValue = objective.Item();
            // A synchronised batch norm's backward sums across the ranks: it must run on every rank, NaN or not (the
            // step's sum then carries the NaN to all of them).
            if ((double.IsFinite(lossValue) && double.IsFinite(objectiveValue)) || BatchShard.Current is { SyncBatchNormGroup: not null }) objective.Backward();
            EagerSteps++;
            return (logits, lossValue, objectiveValue);
        }
        finally
        {
            _pool.StopLending();
        }
    }

    /// <summary>The step that went non-finite, and where: the first layer whose output on <paramref name="features"/> is
    /// NaN or infinite, else the first parameter whose gradient is, else the loss itself.</summary>
    internal TrainingDivergedException Diverged(double loss, Tensor features, bool gradients = false)
    {
        long step = Optimizer.StepCount + 1;
        var (description, layer) = NonFiniteLocator.Locate(Model, features);
        var what = gradients ? "the gradients became NaN or infinite" : $"the loss became {loss.ToString(CultureInfo.InvariantCulture)}";
        return new TrainingDivergedException($"training stopped at step {step}: {what}, first in {description}; try a smaller learning rate", step, layer);
    }

    /// <summary>Whether every gradient is finite. A finite sum means every term is finite, and a sum is the cheapest
    /// vectorised pass (a largest-magnitude scan costs W1 about 5%); but large finite gradients can overflow it, so a
    /// sum that is not finite is confirmed element by element before the step is called diverged.</summary>
    internal bool GradientsAreFinite()
    {
        var parameters = Optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)   // indexed: a foreach over the interface would allocate each step
        {
            if (parameters[i].Grad is not { } g) continue;
            double sum = g.RawSum();
            if (!double.IsFinite(sum) && g.HasNonFinite()) return false;
        }

        return true;
    }

    /// <summary>How many rows of <paramref name="logits"/> (B, C) have their largest value at the label.</summary>
    private int CountCorrect(Tensor logits, int[] labels)
    {
        if (_predictions.Length < labels.Length) _predictions = new int[labels.Length];
        if (!_readOut) logits.ArgMaxInto(-1, _predictions);   // a readout brought them back with the loss
        _readOut = false;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (_predictions[i] == labels[i]) correct++;
        }

        return correct;
    }
}
