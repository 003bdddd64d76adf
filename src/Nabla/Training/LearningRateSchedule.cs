using System.Globalization;

namespace Nabla.Training;

/// <summary>How the learning rate changes from epoch to epoch during <see cref="Trainer.Fit"/>: before each epoch e
/// (0-based, of E), the optimiser's rate is set to <see cref="Rate"/>.</summary>
/// <remarks>
/// <list type="table">
/// <item><term><see cref="Constant"/></term><description>ηₑ = η₀</description></item>
/// <item><term><see cref="Cosine"/>(W)</term><description>linear warm-up ηₑ = η₀·(e + 1)/(W + 1) for e &lt; W, then ηₑ = η₀·½(1 + cos(π (e − W)/(E − W)))</description></item>
/// <item><term><see cref="Step"/>(s, γ)</term><description>ηₑ = η₀·γ^⌊e/s⌋</description></item>
/// <item><term><see cref="Exponential"/>(γ)</term><description>ηₑ = η₀·γᵉ</description></item>
/// <item><term><see cref="OneCycle"/></term><description>from η₀/25 up to η₀ linearly over the first 30% of epochs, then down to η₀/10⁴ along a cosine (Smith's one-cycle, PyTorch's defaults)</description></item>
/// <item><term><see cref="ReduceOnPlateau"/>(f, p)</term><description>η ← f·η when the validation loss (the training loss without validation) has not improved for p epochs</description></item>
/// </list>
/// Cosine annealing lets the last epochs take small steps and settle in a minimum instead of bouncing around it; a
/// warm-up keeps the first steps, taken with a poorly scaled network, from being too large.
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>η stays at its initial value η₀.</summary>
    public static LearningRateSchedule Constant => new ConstantSchedule();

    /// <summary>Cosine annealing per epoch, after <paramref name="warmupEpochs"/> epochs of linear warm-up.</summary>
    public static LearningRateSchedule Cosine(int warmupEpochs = 0) => new CosineSchedule(warmupEpochs);

    /// <summary>η multiplied by <paramref name="gamma"/> every <paramref name="stepEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int stepEpochs, double gamma = 0.1) => new StepSchedule(stepEpochs, gamma);

    /// <summary>η multiplied by <paramref name="gamma"/> every epoch.</summary>
    public static LearningRateSchedule Exponential(double gamma) => new StepSchedule(1, gamma);

    /// <summary>One cycle: up from η₀/25 to η₀, then down to η₀/10⁴.</summary>
    public static LearningRateSchedule OneCycle => new OneCycleSchedule();

    /// <summary>η multiplied by <paramref name="factor"/> after <paramref name="patience"/> epochs without improvement.</summary>
    public static LearningRateSchedule ReduceOnPlateau(double factor = 0.1, int patience = 2) => new PlateauSchedule(factor, patience);

    /// <summary>The name used on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>Whether the schedule reads the validation results (reduce-on-plateau does): such a schedule must be
    /// given a validation split, never the test set, or the test set would steer training.</summary>
    public virtual bool WatchesValidation => false;

    /// <summary>The rate for epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>, from the initial rate
    /// η₀, the current rate and the results of the epochs so far.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is outside [0, <paramref name="epochs"/>), or a rate
    /// given is not finite and positive.</exception>
    /// <exception cref="InvalidOperationException">The schedule's rate is not finite and positive (a decay that
    /// underflowed to 0).</exception>
    public double Rate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), $"{Name} schedule: epochs must be at least 1, not {epochs}");
        if (epoch < 0 || epoch >= epochs) throw new ArgumentOutOfRangeException(nameof(epoch), $"{Name} schedule: epoch {epoch} is outside [0, {epochs})");
        if (!(initial > 0) || !double.IsFinite(initial)) throw new ArgumentOutOfRangeException(nameof(initial), string.Create(CultureInfo.InvariantCulture, $"{Name} schedule: the initial learning rate must be finite and > 0, not {initial}"));
        if (!(current > 0) || !double.IsFinite(current)) throw new ArgumentOutOfRangeException(nameof(current), string.Create(CultureInfo.InvariantCulture, $"{Name} schedule: the current learning rate must be finite and > 0, not {current}"));
        double rate = ComputeRate(epoch, epochs, initial, current, history);
        if (!(rate > 0) || !double.IsFinite(rate))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Name} schedule: the learning rate for epoch {epoch} came out as {rate}, not a finite rate > 0"));
        return rate;
    }

    /// <summary>The rate for epoch <paramref name="epoch"/> of <paramref name="epochs"/>, for checked arguments:
    /// 0 ≤ epoch &lt; epochs, and both rates finite and positive. Called by <see cref="Rate"/>, which checks the result.</summary>
    protected abstract double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history);

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override string Name => "constant";

        protected override double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history) => initial;
    }

    private sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly int _warmup;

        public CosineSchedule(int warmupEpochs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(warmupEpochs);
            _warmup = warmupEpochs;
        }

        public override string Name => _warmup == 0 ? "cosine" : $"cosine after {_warmup} warm-up epoch(s)";

        protected override double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history)
        {
            if (epoch < _warmup) return initial * (epoch + 1) / (_warmup + 1);
            int span = Math.Max(1, epochs - _warmup);
            return initial * 0.5 * (1 + Math.Cos(Math.PI * (epoch - _warmup) / span));
        }
    }

    private sealed class StepSchedule : LearningRateSchedule
    {
        private readonly int _step;
        private readonly double _gamma;

        public StepSchedule(int stepEpochs, double gamma)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(stepEpochs, 1);
            if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), string.Create(CultureInfo.InvariantCulture, $"the decay factor must be in (0, 1], not {gamma}"));
            (_step, _gamma) = (stepEpochs, gamma);
        }

        public override string Name => _step == 1 ? string.Create(CultureInfo.InvariantCulture, $"exponential (×{_gamma} per epoch)") : string.Create(CultureInfo.InvariantCulture, $"step (×{_gamma} every {_step} epochs)");

        protected override double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history) =>
            initial * Math.Pow(_gamma, epoch / _step);
    }

    private sealed class OneCycleSchedule : LearningRateSchedule
    {
        public override string Name => "one-cycle";

        protected override double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history)
        {
            double start = initial / 25, end = initial / 1e4;
            double peak = Math.Max(1, 0.3 * epochs);   // the epoch (fractional) at which η₀ is reached
            if (epoch < peak) return start + ((initial - start) * epoch / peak);
            double progress = (epoch - peak) / Math.Max(1, epochs - 1 - peak);
            return end + ((initial - end) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress))));
        }
    }

    private sealed class PlateauSchedule : LearningRateSchedule
    {
        private readonly double _factor;
        private readonly int _patience;
        private int _lastReduction = -1;

        public PlateauSchedule(double factor, int patience)
        {
            if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), string.Create(CultureInfo.InvariantCulture, $"the reduction factor must be in (0, 1), not {factor}"));
            ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
            (_factor, _patience) = (factor, patience);
        }

        public override string Name => string.Create(CultureInfo.InvariantCulture, $"reduce on plateau (×{_factor} after {_patience} epochs without improvement)");

        public override bool WatchesValidation => true;

        protected override double ComputeRate(int epoch, int epochs, double initial, double current, IReadOnlyList<EpochResult> history)
        {
            if (history.Count == 0) return initial;
            static double Loss(EpochResult r) => r.ValidationLoss ?? r.Loss;
            int best = 0;
            for (int i = 1; i < history.Count; i++)
            {
                if (Loss(history[i]) < Loss(history[best])) best = i;
            }

            // No improvement for `patience` epochs, counted from the best epoch or the last reduction, whichever is later.
            // The last reduction is read back from the history's rates too, so a run resumed from a checkpoint (a new
            // schedule object) decides as the uninterrupted run did.
            int lastReduction = _lastReduction;
            for (int i = 1; i < history.Count; i++)
            {
                if (history[i].LearningRate < history[i - 1].LearningRate) lastReduction = Math.Max(lastReduction, i - 1);
            }

            int since = Math.Max(best, lastReduction);
            if (history.Count - 1 - since < _patience) return current;
            _lastReduction = history.Count - 1;
            return current * _factor;
        }
    }
}
