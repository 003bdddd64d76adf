namespace Nabla.Training;

/// <summary>How the learning rate changes from epoch to epoch during <see cref="Trainer.Fit"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>η stays at its initial value η₀.</summary>
    Constant,

    /// <summary>Cosine annealing per epoch: ηₑ = η₀ · ½(1 + cos(π e / E)) for epoch e = 0 … E−1, so the last epochs
    /// take small steps and settle in a minimum instead of bouncing around it.</summary>
    Cosine,
}
