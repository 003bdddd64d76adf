namespace Nabla.Training;

/// <summary>Where training stands after one mini-batch: what a progress bar shows. A value type, so reporting it after
/// every batch allocates nothing.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">1-based batch number within the epoch.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Samples">Training examples seen so far in this epoch.</param>
/// <param name="TotalSamples">Training examples in the epoch.</param>
/// <param name="Loss">Mean training loss over the epoch's batches so far, weighted by batch size.</param>
/// <param name="Accuracy">Fraction of this epoch's examples so far that were classified correctly.</param>
/// <param name="Seconds">Wall time since the epoch began (or, in an epoch resumed from a checkpoint, since it resumed).</param>
/// <param name="SamplesBeforeResume">Of <paramref name="Samples"/>, those trained before a resume, outside
/// <paramref name="Seconds"/>; 0 in an epoch that ran through.</param>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, int Samples, int TotalSamples, double Loss, double Accuracy, double Seconds, int SamplesBeforeResume = 0)
{
    /// <summary>Examples per second so far in this epoch (0 before any time has passed), counting only the examples
    /// trained in <see cref="Seconds"/>.</summary>
    public double SamplesPerSecond => Seconds > 0 ? (Samples - SamplesBeforeResume) / Seconds : 0;

    /// <summary>Estimated seconds left in this epoch, at the rate so far.</summary>
    public double SecondsLeft => SamplesPerSecond > 0 ? (TotalSamples - Samples) / SamplesPerSecond : 0;
}
