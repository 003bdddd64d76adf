namespace Nabla.Training.Callbacks;

/// <summary>Code that <see cref="Trainer.Fit"/> runs after every epoch and once at the end: logging, checkpoints,
/// early stopping.</summary>
public interface ITrainingCallback
{
    /// <summary>After every mini-batch, before the epoch's end. The default does nothing; progress bars use it.</summary>
    void OnBatchEnd(Trainer trainer, BatchProgress progress)
    {
    }

    /// <summary>After epoch <paramref name="result"/>.Epoch, with every epoch so far in <paramref name="history"/>.
    /// Returns true to stop training after this epoch.</summary>
    bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history);

    /// <summary>Once, when <see cref="Trainer.Fit"/> resumes from a checkpoint, with the epochs finished before it:
    /// a log can rewrite itself from them, so that what a crash cut off is neither lost nor written twice.</summary>
    void OnResume(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
    }

    /// <summary>The state this callback needs to continue after a resume, by names unique among the callbacks, saved in
    /// every checkpoint (<see cref="Checkpoint.CallbackState"/>). The default has none.</summary>
    IEnumerable<KeyValuePair<string, Tensors.Tensor>> SaveState() => [];

    /// <summary>Once, when <see cref="Trainer.Fit"/> resumes, before <see cref="OnResume"/>: the state every callback
    /// saved in the checkpoint (each takes its own names). The default ignores it.</summary>
    void RestoreState(IReadOnlyDictionary<string, Tensors.Tensor> state)
    {
    }

    /// <summary>Once, when training ends (after the last epoch, or after a callback stopped it).</summary>
    void OnTrainingEnd(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
    }
}
