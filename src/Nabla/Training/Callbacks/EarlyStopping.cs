using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>Stops training when the validation loss (or, without validation data, the training loss) has not improved
/// for <see cref="Patience"/> epochs, and, with <see cref="RestoreBestWeights"/>, puts back the weights of the best
/// epoch when training ends — also when it ran to the last epoch.</summary>
/// <remarks>A run with checkpoints resumes like any other: the best weights are saved in every checkpoint
/// (<see cref="SaveState"/>, written atomically with it), and the best loss and the epochs since are recounted from the
/// checkpoint's history, so a resumed run stops at the same epoch and ends with the same weights as one that never
/// stopped.</remarks>
public sealed class EarlyStopping : ITrainingCallback
{
    // The prefix of the best weights' names in a checkpoint's callback state.
    private const string StatePrefix = "early-stopping.best.";

    private IReadOnlyDictionary<string, Tensor>? _best;
    private double _bestLoss = double.PositiveInfinity;
    private int _sinceBest;

    /// <summary>Patience p ≥ 1 epochs; restores the best weights unless told not to.</summary>
    public EarlyStopping(int patience = 3, bool restoreBestWeights = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        (Patience, RestoreBestWeights) = (patience, restoreBestWeights);
    }

    /// <summary>p.</summary>
    public int Patience { get; }

    /// <summary>Whether the best epoch's weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The epoch (1-based) with the lowest loss so far, or 0 before the first.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best epoch's weights, to be saved in a checkpoint; none before the first epoch or when they are not
    /// restored at the end.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> SaveState() =>
        _best is null ? [] : _best.Select(p => KeyValuePair.Create(StatePrefix + p.Key, p.Value));

    /// <summary>Takes the best weights back from a checkpoint's callback state.</summary>
    public void RestoreState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var best = state.Where(p => p.Key.StartsWith(StatePrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[StatePrefix.Length..], p => p.Value, StringComparer.Ordinal);
        _best = best.Count > 0 ? best : null;
    }

    /// <summary>Recounts the best loss, its epoch and the epochs since from the finished epochs.</summary>
    /// <exception cref="InvalidOperationException">The best weights are to be restored, but the checkpoint does not hold
    /// them (it was saved by a run without early stopping).</exception>
    public void OnResume(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        (_bestLoss, BestEpoch, _sinceBest) = (double.PositiveInfinity, 0, 0);
        foreach (var result in history) Track(result);
        if (RestoreBestWeights && BestEpoch > 0 && _best is null)
            throw new InvalidOperationException($"the checkpoint holds no best weights of early stopping (epoch {BestEpoch}): it was saved by a run without early stopping");
    }

    /// <inheritdoc/>
    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(result);
        if (Track(result))
        {
            if (RestoreBestWeights) _best = trainer.Model.StateDict();
            return false;
        }

        return _sinceBest >= Patience;
    }

    /// <summary>Counts one epoch; true when its loss is the best so far.</summary>
    private bool Track(EpochResult result)
    {
        double loss = result.ValidationLoss ?? result.Loss;
        if (loss < _bestLoss)
        {
            (_bestLoss, BestEpoch, _sinceBest) = (loss, result.Epoch, 0);
            return true;
        }

        _sinceBest++;
        return false;
    }

    /// <inheritdoc/>
    public void OnTrainingEnd(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (RestoreBestWeights && _best is not null) trainer.Model.LoadStateDict(_best);
    }
}
