namespace Nabla.Initialization;

/// <summary>The generator a layer made without one draws its initial weights from: one per thread, seeded with 0 when
/// the thread first needs it. A program that builds the same layers in the same order on a thread gets the same
/// weights; <c>Module.ResetParameters(seed)</c> makes a model's weights a function of the model's own seed.</summary>
internal static class DefaultGenerator
{
    [ThreadStatic]
    private static Random? t_random;

    /// <summary>This thread's generator.</summary>
    public static Random ForThisThread => t_random ??= new Random(0);
}
