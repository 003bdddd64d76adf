using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>Stops training when the validation loss (or, without validation data, the training loss) has not improved
/// for <see cref="Patience"/> epochs, and, with <see cref="RestoreBestWeights"/>, puts back the weights of the best
/// epoch when training ends — also when it ran to the last epoch.</summary>
public sealed class EarlyStopping : ITrainingCallback
{
    private IReadOnlyDictionary<string, Tensor>? _best;
    private double _bestLoss = double.PositiveInfinity;
    private int _sinceBest;

    /// <summary>Refuses to resume: the best weights live in memory, not in checkpoints, so a resumed run could not
    /// restore them.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public void OnResume(Trainer trainer, IReadOnlyList<EpochResult> history) =>
        throw new InvalidOperationException("a run with early stopping cannot be resumed: its best weights are kept in memory, not in the checkpoint");

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

    /// <inheritdoc/>
    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(result);
        double loss = result.ValidationLoss ?? result.Loss;
        if (loss < _bestLoss)
        {
            (_bestLoss, BestEpoch, _sinceBest) = (loss, result.Epoch, 0);
            if (RestoreBestWeights) _best = trainer.Model.StateDict();
            return false;
        }

        return ++_sinceBest >= Patience;
    }

    /// <inheritdoc/>
    public void OnTrainingEnd(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (RestoreBestWeights && _best is not null) trainer.Model.LoadStateDict(_best);
    }
}
