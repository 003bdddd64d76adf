using Nabla.Autograd;
using Nabla.Engine;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>A model's forward pass without gradients (evaluation, prediction), captured on its first batch of each
/// shape and replayed on every later batch of that shape, with no allocation: the inference counterpart of
/// <see cref="TrainingStep"/>, with the same limits.</summary>
/// <remarks>
/// <para>The model runs in whatever modes its modules are in; a mode changed between batches captures afresh. A model
/// whose <c>Forward</c> reads tensor values or builds tensors from host values runs eagerly, and
/// <see cref="NotCapturedReason"/> says why.</para>
/// <para>The output of a replay is the capture's own tensor, overwritten by the next batch of the same shape: copy it
/// (<c>Clone()</c>) to keep it. One instance is for one thread at a time; threads that infer at once each make their
/// own.</para>
/// </remarks>
public sealed class InferenceStep
{
    private readonly Dictionary<(Shape Shape, DType DType), CapturedForward?> _captures = [];

    private readonly Tensor? _anchor;

    private InferenceStep(Module model)
    {
        Model = model;
        _anchor = ModuleDevice.Anchor(model);   // where the model is, read each batch without walking its state
    }

    /// <summary>An inference step of <paramref name="model"/>, captured on its first batch of each shape.</summary>
    public static InferenceStep Capture(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new InferenceStep(model);
    }

    /// <summary>The network.</summary>
    public Module Model { get; }

    /// <summary>Whether batches are captured and replayed (default true); false runs each eagerly.</summary>
    public bool Captures { get; set; } = true;

    /// <summary>How many captures were made: one per input shape, and again after a mode change.</summary>
    public int CapturesMade { get; private set; }

    /// <summary>Kernels the captures' fusion pass merged into others (<see cref="KernelFusion"/>).</summary>
    internal int KernelsFused { get; private set; }

    /// <summary>How many batches were replays of a capture.</summary>
    public long ReplayedSteps { get; private set; }

    /// <summary>How many batches ran eagerly (the capturing ones included).</summary>
    public long EagerSteps { get; private set; }

    /// <summary>Why the last capture that failed could not be replayed; null when none failed.</summary>
    public string? NotCapturedReason { get; private set; }

    /// <summary>Forgets every capture: the next batch of each shape captures afresh.</summary>
    public void Reset() => _captures.Clear();

    /// <summary>The model's output for <paramref name="features"/>, computed without recording gradients. A replayed
    /// batch's output is overwritten by the next batch of its shape.</summary>
    public Tensor Run(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var _ = GradMode.NoGrad();

        // A model on a device infers there: the batch is copied over, and the output stays on the device.
        using var device = Backends.Backend.Use(ModuleDevice.BackendFor(_anchor));
        var where = ModuleDevice.Of(_anchor);
        var key = (features.Shape, features.DType);
        bool known = _captures.TryGetValue(key, out var pass);
        if (!Captures || (known && pass is null))   // off, or this shape cannot be captured: NotCapturedReason says why
        {
            EagerSteps++;
            return Model.Forward(features.To(where));
        }

        if (pass is not null && Module.ModesUnchanged(pass.Modes))
        {
            pass.Input.ShareElementsOf(features);   // read where it lies, as an eager pass does
            foreach (var kernel in pass.Kernels) kernel();
            ReplayedSteps++;
            return pass.Output;
        }

        var input = features.Device == where ? features.Clone() : features.To(where);
        Tensor output;
        string? spoiled;
        Action[] kernels = [];
        using (var tape = KernelTape.Record())
        {
            output = Model.Forward(input);
            spoiled = tape.Spoiled;
            if (spoiled is null)
            {
                var keep = new List<Tensor> { input, output };
                Model.CollectState(keep);
                var kept = keep.Select(t => t.Storage).ToArray();
                var recorded = KernelFusion.Apply(tape.Freeze(), kept, out int fusions);
                KernelsFused += fusions;
                BufferPlan.Apply(recorded, tape.Created, kept);
                kernels = [.. recorded.Select(k => k.Run)];
            }
        }

        EagerSteps++;
        CapturesMade++;
        if (spoiled is not null) NotCapturedReason = spoiled;
        _captures[key] = spoiled is null ? new CapturedForward(kernels, input, output, Model.CaptureModes()) : null;
        return output;
    }

    /// <summary>One captured forward pass: its kernels, the input buffer they read, the output they write, and the
    /// modules' modes they assume.</summary>
    private sealed record CapturedForward(Action[] Kernels, Tensor Input, Tensor Output, List<(Module Module, bool Training)> Modes);
}
